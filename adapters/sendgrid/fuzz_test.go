package sendgrid_test

import (
	"bytes"
	"encoding/json"
	"strconv"
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
