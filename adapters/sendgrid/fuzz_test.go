package sendgrid_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// FuzzVerifySignature checks that any signature, timestamp, body and key
// text is accepted or refused with ErrSignature, never a panic; that the
// published vector only verifies for its own body; and that a body signed
// with a fresh key at now verifies while any other body does not.
func FuzzVerifySignature(f *testing.F) {
	f.Add(vectorKey, vectorSignature, vectorTimestamp, []byte(vectorBody), int64(0))
	f.Add(vectorKey, vectorSignature, vectorTimestamp, []byte(vectorBody[:len(vectorBody)-2]), int64(0))
	f.Add(vectorKey, vectorSignature, "1600112503", []byte(vectorBody), int64(400))
	f.Add("", "", "", []byte{}, int64(0))
	f.Add("MFkw", "MEUCIQ==", "-1", []byte("[]"), int64(-301))
	f.Add(vectorKey, "MAYCAQACAQA=", vectorTimestamp, []byte("\x00"), int64(0))
	s := newSigner(f)
	signedAt := time.Unix(1600112502, 0)
	f.Fuzz(func(t *testing.T, key, signature, timestamp string, body []byte, skew int64) {
		now := signedAt.Add(time.Duration(skew%100000) * time.Second)
		err := sendgrid.VerifySignature(key, signature, timestamp, body, now)
		if err != nil {
			require.ErrorIs(t, err, sendgrid.ErrSignature)
		}
		vectorErr := sendgrid.VerifySignature(vectorKey, vectorSignature, vectorTimestamp, body, now)
		if vectorErr == nil {
			require.True(t, bytes.Equal([]byte(vectorBody), body), "only the signed bytes verify")
		}

		ts := strconv.FormatInt(now.Unix(), 10)
		sig := s.sign(t, ts, body)
		require.NoError(t, sendgrid.VerifySignature(s.publicKey, sig, ts, body, now))
		require.ErrorIs(t, sendgrid.VerifySignature(s.publicKey, sig, ts, append(body, 'x'), now), sendgrid.ErrSignature)
		if signature != sig {
			// A forged signature for the fresh key is refused (ECDSA
			// signatures are not unique, but a random one will not verify).
			require.ErrorIs(t, sendgrid.VerifySignature(s.publicKey, signature, ts, body, now), sendgrid.ErrSignature)
		}
	})
}

// FuzzParseEvents feeds arbitrary bodies: ParseEvents returns valid,
// deterministic events that survive a JSON round trip, or ErrMalformed,
// never a panic.
func FuzzParseEvents(f *testing.F) {
	f.Add(readSample(f))
	f.Add([]byte(vectorBody))
	for _, s := range []string{
		``, `[]`, `null`, `{}`, `[null]`, `[1]`, `[{"event":"open","boomerang_shop":"demo"}]`,
		`[{"event":"click","boomerang_shop":"demo","timestamp":1e400}]`,
		`[{"event":"bounce","boomerang_shop":"demo","timestamp":-5,"email":{"a":1}}]`,
		`[{"event":"delivered","boomerang_shop":"demo","timestamp":"99999999999999999999"}]`,
		`[{"event":"dropped","boomerang_shop":"demo","timestamp":253402300800}]`,
		`[{"event":"group_unsubscribe","boomerang_shop":"demo","asm_group_id":1.5,"sg_message_id":"."}]`,
		"[{\"event\":\"open\",\"boomerang_shop\":\"demo\",\"email\":\"\\u0000\\ud800\"}]",
	} {
		f.Add([]byte(s))
	}
	received := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := sendgrid.ParseEvents(body, received)
		if !json.Valid(body) {
			require.ErrorIs(t, err, sendgrid.ErrMalformed)
		}
		if err != nil {
			require.ErrorIs(t, err, sendgrid.ErrMalformed)
			require.Nil(t, events)
			return
		}
		again, err := sendgrid.ParseEvents(body, received)
		require.NoError(t, err)
		require.Equal(t, events, again)
		for _, ev := range events {
			require.NoError(t, ev.Validate())
			require.Equal(t, event.PlatformBoomerang, ev.Platform)
			data, err := json.Marshal(ev)
			require.NoError(t, err)
			var back event.Event
			require.NoError(t, json.Unmarshal(data, &back))
			require.Equal(t, ev.ID, back.ID)
			require.Equal(t, ev.Type, back.Type)
			require.True(t, ev.OccurredAt.Equal(back.OccurredAt))
		}
	})
}

// FuzzWebhookShopPath posts any body to any path under the webhook, signed
// with the role's key, a shop's own key or a stranger's, and checks the
// order of the answers: nothing but 401 (or 413) unless the key is the one
// the path calls for (a shop's own on its path, else the role's — unknown
// shops included), 404 only for an unknown shop, and every event published
// from a shop's path is that shop's.
func FuzzWebhookShopPath(f *testing.F) {
	f.Add("own", []byte(`[{"event":"delivered","boomerang_shop":"own"}]`), uint8(1))
	f.Add("own", []byte(`[{"event":"delivered","boomerang_shop":"plain"},{"event":"open","boomerang_shop":"own"}]`), uint8(1))
	f.Add("own", []byte(`[{"event":"delivered","boomerang_shop":"own"}]`), uint8(0))
	f.Add("plain", []byte(`[{"event":"bounce","boomerang_shop":"plain","type":"bounce"}]`), uint8(0))
	f.Add("nokey", []byte(`[]`), uint8(0))
	f.Add("nobody", []byte(`[]`), uint8(0))
	f.Add("nobody", []byte(`[]`), uint8(2))
	f.Add("a/b", []byte(`{`), uint8(0))
	f.Add("%zz", []byte(``), uint8(1))
	f.Fuzz(func(t *testing.T, seg string, body []byte, who uint8) {
		b := setupShopWebhook(t)
		u, err := url.ParseRequestURI("/webhooks/sendgrid/" + seg)
		if err != nil {
			return
		}
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "http://app.example/", bytes.NewReader(body))
		req.URL = u
		ts := strconv.FormatInt(b.now.Unix(), 10)
		s := [...]*signer{b.global, b.own, newSigner(t)}[int(who)%3]
		req.Header.Set(sendgrid.HeaderTimestamp, ts)
		req.Header.Set(sendgrid.HeaderSignature, s.sign(t, ts, body))
		rec := httptest.NewRecorder()
		b.webhook.ServeHTTP(rec, req)

		id, _ := strings.CutPrefix(u.Path, "/webhooks/sendgrid/")
		acct, known := fakeShops{"own": {Own: true}, "plain": {}, "nokey": {Own: true}, "badkey": {Own: true}}[id]
		want := b.global
		if known && acct.Own {
			want = nil
			if id == "own" {
				want = b.own
			}
		}
		if s != want {
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			require.Empty(t, b.pub.published())
			return
		}
		switch rec.Code {
		case http.StatusNotFound:
			require.False(t, known)
		case http.StatusOK, http.StatusBadRequest:
			require.True(t, known)
		default:
			t.Fatalf("unexpected answer %d", rec.Code)
		}
		for _, m := range b.pub.published() {
			var ev event.Event
			require.NoError(t, json.Unmarshal(m.data, &ev))
			require.Equal(t, id, ev.Shop, "a shop's path publishes only that shop's events")
		}
	})
}
