package shopify

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrTemporary: the request did not reach Shopify, or Shopify answered
	// 408, 429, 5xx or a THROTTLED GraphQL error. Retry later.
	ErrTemporary = errors.New("temporary failure")
	// ErrRejected: Shopify refused the request (a 4xx answer, a GraphQL
	// error, a user error). Retrying the same request cannot help.
	ErrRejected = errors.New("refused by Shopify")
	// ErrReinstall: the shop's refresh token is expired or was refused, so
	// no new access token can be had without the merchant: the shop must
	// install the app again.
	ErrReinstall = errors.New("the shop must install the app again")
	// ErrMalformed: Shopify answered with something its API does not
	// document.
	ErrMalformed = errors.New("malformed answer")
	// ErrNoToken: the TokenStore holds no token for the shop.
	ErrNoToken = errors.New("no token stored for the shop")
)

// maxMessages bounds the messages an Error keeps from an answer.
const maxMessages = 10

// Error is a failed call to a shop's token endpoint or Admin API. It never
// holds a token, a secret or a code.
type Error struct {
	// Op names the call: "exchange code", "refresh token",
	// "list webhooks", "create webhook", "update webhook", "read shop".
	Op string
	// Shop is the shop's myshopify domain.
	Shop string
	// StatusCode is the HTTP status, 0 when no answer came.
	StatusCode int
	// Code is the OAuth error (invalid_grant) or the GraphQL error code
	// (THROTTLED, ACCESS_DENIED), when Shopify named one.
	Code string
	// Messages are Shopify's own descriptions, or the user errors.
	Messages []string
	// Kind is ErrTemporary, ErrRejected, ErrReinstall or ErrMalformed.
	Kind error
	// Err is the cause, when there is one.
	Err error
}

// Error reads like "shopify: refresh token for a.myshopify.com: HTTP 401
// invalid_grant: the refresh token is invalid (the shop must install the app
// again)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("shopify: ")
	b.WriteString(e.Op)
	if e.Shop != "" {
		b.WriteString(" for ")
		b.WriteString(e.Shop)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	}
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if len(e.Messages) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Messages, "; "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Kind != nil {
		b.WriteString(" (")
		b.WriteString(e.Kind.Error())
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap gives errors.Is and errors.As the kind and the cause.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// addMessage appends a trimmed, bounded message.
func (e *Error) addMessage(m string) {
	m = strings.TrimSpace(m)
	if m == "" || len(e.Messages) >= maxMessages {
		return
	}
	const maxLen = 300
	if len(m) > maxLen {
		m = strings.ToValidUTF8(m[:maxLen], "") + "…"
	}
	e.Messages = append(e.Messages, m)
}
