package woocommerce_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// samples returns every sample body with its topic, to seed the fuzzers.
func samples(f *testing.F) map[string][]byte {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no samples: %v", err)
	}
	out := map[string][]byte{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		out[filepath.Base(file)] = b
	}
	return out
}

func topicOf(name string) string {
	parts := strings.SplitN(name, ".", 3)
	return parts[0] + "." + parts[1]
}

// FuzzVerify checks that a body signed with one secret verifies with it (as
// current or previous secret), never with another, and that no header value
// makes Verify panic or pass without the right signature.
func FuzzVerify(f *testing.F) {
	for _, body := range samples(f) {
		f.Add(body, "s3cret", "other", "")
	}
	f.Add([]byte("webhook_id=1"), "a", "b", "%%%")
	f.Add([]byte{}, "", "x", "AAAA")
	f.Add([]byte(`{"id":1}`), "k", "k2", woocommerce.Sign("k", []byte(`{"id":1}`)))
	a := woocommerce.New()
	f.Fuzz(func(t *testing.T, body []byte, secret, other, header string) {
		req := func(sig string) *ingest.Request {
			h := http.Header{}
			h.Set(woocommerce.HeaderSignature, sig)
			return &ingest.Request{Header: h, Body: body}
		}
		if secret != "" {
			signed := req(woocommerce.Sign(secret, body))
			if err := a.Verify(&shop.Shop{WebhookSecret: secret}, signed); err != nil {
				t.Fatalf("signed body rejected: %v", err)
			}
			if err := a.Verify(&shop.Shop{WebhookSecret: other, PreviousWebhookSecret: secret}, signed); err != nil {
				t.Fatalf("signed body rejected with the previous secret: %v", err)
			}
			if other != secret {
				err := a.Verify(&shop.Shop{WebhookSecret: other}, signed)
				if !errors.Is(err, ingest.ErrSignature) {
					t.Fatalf("body signed with one secret verified with another: %v", err)
				}
			}
		}
		s := &shop.Shop{WebhookSecret: secret}
		err := a.Verify(s, req(header))
		switch {
		case err == nil:
			got, decErr := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
			want, _ := base64.StdEncoding.DecodeString(woocommerce.Sign(secret, body))
			if secret == "" || decErr != nil || !bytes.Equal(got, want) {
				t.Fatalf("header %q verified without being the signature", header)
			}
		case !errors.Is(err, ingest.ErrSignature):
			t.Fatalf("error does not wrap ErrSignature: %v", err)
		}
	})
}

// FuzzNormalize checks that any topic and body give a Result of valid,
// deterministic events or one of the sentinel errors, never a panic.
func FuzzNormalize(f *testing.F) {
	for name, body := range samples(f) {
		f.Add(topicOf(name), body)
	}
	for _, seed := range []struct{ topic, body string }{
		{"order.created", "webhook_id=12"},
		{"order.updated", `[]`},
		{"order.updated", `{"id":1,"billing":[],"line_items":[{"id":2,"quantity":1.5,"price":1e400}]}`},
		{"order.updated", `{"id":"18446744073709551616000","status":"checkout-draft","order_key":"k","billing":{"email":"a@b"}}`},
		{"product.deleted", `{"id":794}`},
		{"coupon.deleted", `{"id":"x"}`},
		{"customer.updated", `{"id":25,"date_modified_gmt":"2017-13-40T99:99:99"}`},
		{"action.woocommerce_add_to_cart", `{"action":"x","arg":1}`},
		{"", ``},
	} {
		f.Add(seed.topic, []byte(seed.body))
	}
	a := woocommerce.New()
	s := &shop.Shop{ID: "fuzz", Platform: event.PlatformWooCommerce, Domain: "fuzz.example"}
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		h := http.Header{}
		h.Set(woocommerce.HeaderTopic, topic)
		h.Set(woocommerce.HeaderSource, "https://fuzz.example/")
		req := &ingest.Request{Header: h, Body: body, ReceivedAt: receivedAt}
		res, err := a.Normalize(s, req)
		if err != nil {
			if !errors.Is(err, ingest.ErrMalformed) && !errors.Is(err, ingest.ErrUnknownTopic) {
				t.Fatalf("error is not a sentinel: %v", err)
			}
			if res != nil {
				t.Fatal("result with an error")
			}
			if errors.Is(err, ingest.ErrMalformed) && len(body) > 8 && strings.Contains(err.Error(), string(body)) {
				t.Fatalf("error quotes the body: %v", err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatal("invalid JSON normalised")
		}
		if res == nil {
			t.Fatal("nil result without an error")
		}
		first, err := json.Marshal(values(res))
		if err != nil {
			t.Fatalf("marshalling messages: %v", err)
		}
		for _, m := range res.Messages {
			ev, ok := m.Value.(*event.Event)
			if !ok {
				t.Fatalf("message value is %T", m.Value)
			}
			if err := ev.Validate(); err != nil {
				t.Fatalf("invalid event: %v", err)
			}
			if m.MsgID != ev.ID || m.Subject != ev.Subject() {
				t.Fatal("message does not match its event")
			}
		}
		again, err := a.Normalize(s, req)
		if err != nil {
			t.Fatalf("second normalisation failed: %v", err)
		}
		second, _ := json.Marshal(values(again))
		if !bytes.Equal(first, second) {
			t.Fatal("normalisation is not deterministic")
		}
	})
}

// FuzzIdentify checks the ping detection: only a webhook_id=N body without
// any WooCommerce header is a ping; anything else is identified by its
// source or unidentified.
func FuzzIdentify(f *testing.F) {
	f.Add([]byte("webhook_id=12"), "", false, false)
	f.Add([]byte("webhook_id=12"), "https://example.com/", false, false)
	f.Add([]byte("webhook_id=12"), "", true, false)
	f.Add([]byte("webhook_id=12 "), "", false, true)
	f.Add([]byte(`{"id":1}`), "https://Example.com/shop/", true, true)
	f.Add([]byte(""), "", false, false)
	a := woocommerce.New()
	f.Fuzz(func(t *testing.T, body []byte, source string, signed, topic bool) {
		h := http.Header{}
		if source != "" {
			h.Set(woocommerce.HeaderSource, source)
		}
		if signed {
			h.Set(woocommerce.HeaderSignature, woocommerce.Sign("k", body))
		}
		if topic {
			h.Set(woocommerce.HeaderTopic, "order.created")
		}
		domain, err := a.Identify(&ingest.Request{Header: h, Body: body})
		switch {
		case errors.Is(err, ingest.ErrPing):
			if len(h) > 0 {
				t.Fatal("a request with WooCommerce headers taken for a ping")
			}
			if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("webhook_id=")) {
				t.Fatalf("body %q taken for a ping", body)
			}
		case errors.Is(err, ingest.ErrUnidentified):
			if shop.NormalizeDomain(source) != "" {
				t.Fatalf("source %q not identified", source)
			}
		case err != nil:
			t.Fatalf("unexpected error: %v", err)
		default:
			if domain == "" || domain != shop.NormalizeDomain(source) {
				t.Fatalf("source %q identified as %q", source, domain)
			}
		}
	})
}

// values lists the messages' subjects, ids and values.
func values(res *ingest.Result) []any {
	out := make([]any, 0, 3*len(res.Messages))
	for _, m := range res.Messages {
		out = append(out, m.Subject, m.MsgID, m.Value)
	}
	return out
}
