package webhookout

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
)

// Delivery is one webhook step's POST.
type Delivery struct {
	// ID identifies the delivery, run and step ("<run>:<step>"): sent as
	// Boomerang-Webhook-Id, the same on every attempt and every later
	// retry, so receivers can drop duplicates. Required.
	ID string
	// Shop is the shop the flow runs for; it only goes into logs.
	Shop string
	// URL is the receiver, absolute http or https. It may carry user:pass@
	// (sent as Basic auth). Only its host appears in errors and logs.
	URL string
	// Body is the JSON payload, sent byte for byte. Required, valid JSON.
	Body []byte
	// Secret signs the body (Sign). Required; never logged.
	Secret string
	// PreviousSecret, while the shop rotates its secret, signs the body as
	// well: the signature header then carries two v1 entries and receivers
	// still on the old secret keep verifying. Optional; never logged.
	PreviousSecret string
}

// secrets returns the secrets to sign with, current first.
func (d *Delivery) secrets() []string {
	if d.PreviousSecret == "" || d.PreviousSecret == d.Secret {
		return []string{d.Secret}
	}
	return []string{d.Secret, d.PreviousSecret}
}

// target checks d and returns its parsed URL, or an *Error wrapping
// ErrPermanent.
func (d *Delivery) target() (*url.URL, error) {
	u, err := url.Parse(d.URL)
	if err != nil {
		// url.Error quotes the whole URL, which may hold a token: keep
		// only the reason.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, &Error{ID: d.ID, kind: ErrPermanent, detail: "invalid URL", err: err}
	}
	host := u.Host
	fail := func(detail string) error {
		return &Error{ID: d.ID, Host: host, kind: ErrPermanent, detail: detail}
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		host = ""
		return nil, fail(fmt.Sprintf("invalid URL: scheme %q is not http or https", truncate(u.Scheme)))
	case u.Hostname() == "":
		host = ""
		return nil, fail("invalid URL: no host")
	case d.ID == "":
		return nil, fail("no delivery id")
	case d.Secret == "":
		return nil, fail("no signing secret")
	case !json.Valid(d.Body):
		return nil, fail("body is not valid JSON")
	}
	return u, nil
}
