package shopify

import (
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// sampleNames lists the stored sample payloads, for fuzz seeds.
func sampleNames(f *testing.F) []string {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	require.NoError(f, err)
	names := make([]string, 0, len(files))
	for _, file := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(file), ".json"))
	}
	return names
}

// FuzzVerify checks that a body signed with one secret verifies with it and
// with no other (HMAC-equivalent keys aside), and that any header value is either accepted or rejected
// with ingest.ErrSignature, never a panic.
func FuzzVerify(f *testing.F) {
	for _, name := range sampleNames(f) {
		f.Add(sample(f, name), "shpss_current", "shpss_other", "")
	}
	f.Add([]byte(`{"id":1}`), "hush", "hush2", "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=")
	f.Add([]byte{}, "s", "", "====")
	f.Add([]byte("\x00\xff"), "\x00", "\x01", "not base64 at all")
	f.Fuzz(func(t *testing.T, body []byte, secret, other, header string) {
		a := New()
		h := http.Header{}
		h.Set(HeaderHMAC, Sign(secret, body))
		req := &ingest.Request{Header: h, Body: body}
		signer := &shop.Shop{ID: "demo", WebhookSecret: secret}
		if secret != "" {
			require.NoError(t, a.Verify(signer, req))
			require.NoError(t, a.Verify(&shop.Shop{ID: "demo", WebhookSecret: "x" + secret, PreviousWebhookSecret: secret}, req))
		}
		// HMAC pads keys with zero bytes, so keys that differ only in
		// trailing NULs are the same key.
		if strings.TrimRight(other, "\x00") != strings.TrimRight(secret, "\x00") {
			err := a.Verify(&shop.Shop{ID: "demo", WebhookSecret: other}, req)
			require.ErrorIs(t, err, ingest.ErrSignature)
		}
		h.Set(HeaderHMAC, header)
		if err := a.Verify(signer, req); err != nil {
			require.ErrorIs(t, err, ingest.ErrSignature)
			require.NotContains(t, err.Error(), "shpss_")
		}
	})
}

// FuzzNormalize feeds every topic arbitrary bodies: Normalize returns a
// Result of valid events or one of the sentinel errors, never a panic.
func FuzzNormalize(f *testing.F) {
	topicList := append(Topics(), "", "collections/update", "ORDERS/CREATE")
	for _, name := range sampleNames(f) {
		body := sample(f, name)
		for i, topic := range topicList {
			if strings.ReplaceAll(topic, "/", "_") == name {
				f.Add(uint8(i), body)
			}
		}
		f.Add(uint8(len(topicList)-1), body)
	}
	for i := range topicList {
		for _, body := range []string{
			`{}`, `[]`, `null`, `{"id": 1e400}`, `{"id": "x", "updated_at": "2026-02-30T00:00:00Z"}`,
			`{"id": 1, "line_items": [{"quantity": 99999999999999999999}]}`, `{"customer": {"id": -0}}`, `{"id`,
		} {
			f.Add(uint8(i), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, topicIndex uint8, body []byte) {
		b := setup(t)
		topic := topicList[int(topicIndex)%len(topicList)]
		req := b.request(topic, body)
		res, err := b.adapter.Normalize(b.shop, req)
		if !json.Valid(body) {
			require.ErrorIs(t, err, ingest.ErrMalformed, "a body that is not JSON is malformed whatever the topic")
		}
		if err != nil {
			require.True(t, errors.Is(err, ingest.ErrMalformed) || errors.Is(err, ingest.ErrUnknownTopic), "unexpected error %v", err)
			require.Nil(t, res)
			return
		}
		require.NotNil(t, res)
		require.LessOrEqual(t, len(res.Messages), 1)
		for _, m := range res.Messages {
			ev, ok := m.Value.(*event.Event)
			require.True(t, ok)
			require.NoError(t, ev.Validate())
			require.Equal(t, ev.ID, m.MsgID)
			require.Equal(t, receivedAt, ev.ReceivedAt)
			require.Equal(t, event.PlatformShopify, ev.Platform)
		}
	})
}

// FuzzIdentify checks that any shop header is identified or refused with
// ingest.ErrUnidentified.
func FuzzIdentify(f *testing.F) {
	for _, seed := range []string{"demo.myshopify.com", "", " ", "HTTPS://X.myshopify.com/", "://", "\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		h := http.Header{}
		h.Set(HeaderShopDomain, header)
		domain, err := New().Identify(&ingest.Request{Header: h})
		if err != nil {
			require.ErrorIs(t, err, ingest.ErrUnidentified)
			return
		}
		require.NotEmpty(t, domain)
	})
}
