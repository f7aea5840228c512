package template

import "errors"

// Sentinel errors, matched with errors.Is.
var (
	// ErrUnknownTemplate is returned for a name the library does not hold.
	ErrUnknownTemplate = errors.New("unknown template")
	// ErrCategory is returned for a category other than marketing or
	// transactional.
	ErrCategory = errors.New("category must be marketing or transactional")
	// ErrPromotional is returned when a promotional template is rendered or
	// used as transactional.
	ErrPromotional = errors.New("transactional template carries promotional content")
	// ErrCompliance is returned when a marketing email cannot carry its
	// required footer: the shop's postal address and an unsubscribe link.
	ErrCompliance = errors.New("marketing email lacks its compliance footer")
	// ErrMoney is returned for an amount that is not a decimal number.
	ErrMoney = errors.New("not a decimal amount")
)
