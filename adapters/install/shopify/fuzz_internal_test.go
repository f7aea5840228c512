package shopify

import (
	"errors"
	"testing"
	"time"
)

// FuzzParseTokenAnswer: any token endpoint answer is refused with
// ErrMalformed or read into a token with an access token and sane expiry
// times.
func FuzzParseTokenAnswer(f *testing.F) {
	f.Add([]byte(`{"access_token":"shpat_a","scope":"read_orders,write_discounts","expires_in":3600,"refresh_token":"shprt_a","refresh_token_expires_in":7776000}`))
	f.Add([]byte(`{"access_token":"shpat_a","scope":"read_orders"}`))
	f.Add([]byte(`{"access_token":"a","expires_in":-1}`))
	f.Add([]byte(`{"access_token":"a","refresh_token":"r"}`))
	f.Add([]byte(`{"access_token":"a","associated_user":{"id":1}}`))
	f.Add([]byte(`{"access_token":"a","expires_in":1e300}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[`))
	now := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := parseTokenAnswer(body, now)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not ErrMalformed: %v", err)
			}
			return
		}
		if tok.Access == "" {
			t.Fatal("accepted without an access token")
		}
		if !tok.Expires.IsZero() && !tok.Expires.After(now) {
			t.Fatalf("expires %s not after now", tok.Expires)
		}
		if tok.Refresh != "" && tok.Expires.IsZero() {
			t.Fatal("a refresh token for a token that never expires")
		}
		for _, s := range tok.Scopes {
			if s == "" {
				t.Fatal("empty scope")
			}
		}
	})
}

// FuzzParseGraphQL: any 2xx GraphQL answer is data, an *Error, or
// ErrMalformed; never a panic.
func FuzzParseGraphQL(f *testing.F) {
	f.Add([]byte(`{"data":{"webhookSubscriptions":{"nodes":[],"pageInfo":{"hasNextPage":false,"endCursor":null}}}}`))
	f.Add([]byte(`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]}`))
	f.Add([]byte(`{"errors":"[API] Invalid API key"}`))
	f.Add([]byte(`{"errors":{"topic":["is invalid"]}}`))
	f.Add([]byte(`{"data":null}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		data, err := parseGraphQL(body)
		if err == nil {
			if len(data) == 0 {
				t.Fatal("no data and no error")
			}
			return
		}
		if e, ok := errors.AsType[*Error](err); ok {
			if len(e.Messages) == 0 || len(e.Messages) > maxMessages {
				t.Fatalf("messages: %q", e.Messages)
			}
			if !errors.Is(err, ErrTemporary) && !errors.Is(err, ErrRejected) {
				t.Fatalf("kind: %v", err)
			}
			return
		}
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("error: %v", err)
		}
	})
}
