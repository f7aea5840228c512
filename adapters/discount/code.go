package discount

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Code is one discount code to exist on a platform. Exactly one of Percent,
// Amount and FreeShipping says what it gives.
type Code struct {
	// Code is what customers type, unique per shop. Required; at most 255
	// bytes, printable, no surrounding spaces. Platforms compare codes
	// without regard to case.
	Code string
	// Title names the discount in the merchant's admin ("Boomerang
	// abandoned-checkout"). Default "Boomerang". BigCommerce wants unique
	// coupon names, so there the name is Title followed by the code.
	Title string
	// Percent is the percentage off the order (1..100), or
	Percent int
	// Amount is a fixed amount off the order, a decimal string in the shop's
	// currency ("5", "7.50"), or
	Amount string
	// FreeShipping gives free shipping.
	FreeShipping bool
	// ProductIDs, when set, restrict the discount to these products (the
	// platform's numeric product ids; on Shopify a numeric id or a
	// gid://shopify/Product/ id). Not supported with FreeShipping on Shopify.
	ProductIDs []string
	// StartsAt is when the code becomes usable. Zero: now. Shopify only;
	// BigCommerce and WooCommerce coupons have no start date.
	StartsAt time.Time
	// ExpiresAt is when the code stops being usable. Zero: no expiry.
	ExpiresAt time.Time
	// UsageLimit is the total number of uses. Default 1 (a unique code).
	// Every platform also limits each customer to one use.
	UsageLimit int
}

// Maker makes sure a code exists on one shop's platform.
//
// Ensure looks c.Code up and creates it when absent. It returns created=true
// when this call created the discount and created=false when the code already
// existed (made by an earlier call, a concurrent one, or the merchant); an
// existing code is never changed. Errors are *Error values wrapping
// ErrTemporary (retry, after RetryAfter(err)) or ErrPermanent. Ensure is safe
// for concurrent use and never sleeps.
type Maker interface {
	Ensure(ctx context.Context, c Code) (created bool, err error)
}

// Compile-time checks that every platform is a Maker.
var (
	_ Maker = (*Shopify)(nil)
	_ Maker = (*BigCommerce)(nil)
	_ Maker = (*WooCommerce)(nil)
)

// defaultTitle is the Title of a Code without one.
const defaultTitle = "Boomerang"

// maxCodeLen bounds Code.Code (Shopify's limit).
const maxCodeLen = 255

// Validate reports whether c can be created, with an error wrapping
// ErrPermanent when not.
func (c Code) Validate() error {
	if _, err := c.normalized(); err != nil {
		return fmt.Errorf("%w: %w", ErrPermanent, err)
	}
	return nil
}

// normalized returns c with its defaults applied, or the reason it is
// invalid.
func (c Code) normalized() (Code, error) {
	invalid := func(format string, args ...any) (Code, error) {
		return Code{}, fmt.Errorf("invalid code: "+format, args...)
	}
	switch {
	case c.Code == "":
		return invalid("Code is empty")
	case len(c.Code) > maxCodeLen:
		return invalid("Code is longer than %d bytes", maxCodeLen)
	case strings.TrimSpace(c.Code) != c.Code:
		return invalid("Code %q has surrounding spaces", c.Code)
	case strings.IndexFunc(c.Code, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return invalid("Code %q has unprintable characters", c.Code)
	}
	kinds := 0
	if c.Percent != 0 {
		kinds++
		if c.Percent < 1 || c.Percent > 100 {
			return invalid("Percent %d is not within 1..100", c.Percent)
		}
	}
	if c.Amount != "" {
		kinds++
		if err := checkAmount(c.Amount); err != nil {
			return invalid("Amount: %v", err)
		}
	}
	if c.FreeShipping {
		kinds++
	}
	if kinds != 1 {
		return invalid("set exactly one of Percent, Amount and FreeShipping")
	}
	for _, id := range c.ProductIDs {
		if strings.TrimSpace(id) == "" {
			return invalid("ProductIDs has an empty id")
		}
	}
	if c.UsageLimit < 0 {
		return invalid("UsageLimit %d is negative", c.UsageLimit)
	}
	if c.UsageLimit == 0 {
		c.UsageLimit = 1
	}
	if !c.StartsAt.IsZero() && !c.ExpiresAt.IsZero() && !c.ExpiresAt.After(c.StartsAt) {
		return invalid("ExpiresAt is not after StartsAt")
	}
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" {
		c.Title = defaultTitle
	}
	return c, nil
}

// checkAmount accepts a positive decimal: digits, optionally a dot and
// digits ("5", "7.50").
func checkAmount(s string) error {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return fmt.Errorf("%q is not a decimal like 5 or 7.50", s)
	}
	if strings.Trim(whole+frac, "0") == "" {
		return errors.New("amount is zero")
	}
	if len(whole) > 12 {
		return fmt.Errorf("%q is too large", s)
	}
	return nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// numericIDs parses product ids that must be positive integers (BigCommerce,
// WooCommerce).
func numericIDs(ids []string) ([]int64, error) {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		id = strings.TrimSpace(id)
		var n int64
		if id == "" || len(id) > 18 || !allDigits(id) {
			return nil, fmt.Errorf("invalid code: product id %q is not a positive integer", id)
		}
		for i := range len(id) {
			n = n*10 + int64(id[i]-'0')
		}
		if n == 0 {
			return nil, fmt.Errorf("invalid code: product id %q is not a positive integer", id)
		}
		out = append(out, n)
	}
	return out, nil
}
