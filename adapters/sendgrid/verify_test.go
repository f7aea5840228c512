package sendgrid_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
)

func TestVerifySignaturePublishedVector(t *testing.T) {
	t.Parallel()
	signedAt := time.Unix(1600112502, 0)
	body := []byte(vectorBody)
	require.NoError(t, sendgrid.VerifySignature(vectorKey, vectorSignature, vectorTimestamp, body, signedAt))
	require.NoError(t, sendgrid.VerifySignature(vectorKey, vectorSignature, vectorTimestamp, body, signedAt.Add(5*time.Minute)))
	require.NoError(t, sendgrid.VerifySignature(vectorKey, vectorSignature, vectorTimestamp, body, signedAt.Add(-5*time.Minute)))

	cases := map[string]struct {
		key, sig, ts string
		body         []byte
		now          time.Time
	}{
		"stale":              {vectorKey, vectorSignature, vectorTimestamp, body, signedAt.Add(5*time.Minute + time.Second)},
		"from the future":    {vectorKey, vectorSignature, vectorTimestamp, body, signedAt.Add(-6 * time.Minute)},
		"body without CRLF":  {vectorKey, vectorSignature, vectorTimestamp, body[:len(body)-2], signedAt},
		"other payload":      {vectorKey, vectorSignature, vectorTimestamp, []byte("this is not valid payload"), signedAt},
		"other timestamp":    {vectorKey, vectorSignature, "1600112503", body, signedAt},
		"timestamp not unix": {vectorKey, vectorSignature, "invalid timestamp", body, signedAt},
		"no timestamp":       {vectorKey, vectorSignature, "", body, signedAt},
		"no signature":       {vectorKey, "", vectorTimestamp, body, signedAt},
		"signature garbage":  {vectorKey, vectorSignature + "causing failure", vectorTimestamp, body, signedAt},
		"signature not asn1": {vectorKey, base64.StdEncoding.EncodeToString([]byte("nope")), vectorTimestamp, body, signedAt},
		"key not base64":     {"not a key!", vectorSignature, vectorTimestamp, body, signedAt},
		"key corrupted":      {vectorKey[:40] + "AAAA" + vectorKey[44:], vectorSignature, vectorTimestamp, body, signedAt},
		"key empty":          {"", vectorSignature, vectorTimestamp, body, signedAt},
		"huge timestamp":     {vectorKey, vectorSignature, "9223372036854775807", body, signedAt},
		"very old timestamp": {vectorKey, vectorSignature, "-9223372036854775808", body, signedAt},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := sendgrid.VerifySignature(c.key, c.sig, c.ts, c.body, c.now)
			require.ErrorIs(t, err, sendgrid.ErrSignature)
		})
	}
}

func TestVerifySignatureGeneratedKey(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ts := strconv.FormatInt(now.Unix(), 10)
	body := []byte(`[{"event":"delivered"}]`)
	sig := s.sign(t, ts, body)
	require.NoError(t, sendgrid.VerifySignature(s.publicKey, sig, ts, body, now))
	require.ErrorIs(t, sendgrid.VerifySignature(vectorKey, sig, ts, body, now), sendgrid.ErrSignature)
	require.ErrorIs(t, sendgrid.VerifySignature(s.publicKey, sig, ts, append(body, ' '), now), sendgrid.ErrSignature)
}

func TestParsePublicKeyRejectsOtherKeys(t *testing.T) {
	t.Parallel()
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	for name, pub := range map[string]any{"p384": &p384.PublicKey, "rsa": &rsaKey.PublicKey} {
		der, err := x509.MarshalPKIXPublicKey(pub)
		require.NoError(t, err)
		_, err = sendgrid.ParsePublicKey(base64.StdEncoding.EncodeToString(der))
		require.ErrorIs(t, err, sendgrid.ErrSignature, name)
	}
	key, err := sendgrid.ParsePublicKey(" " + vectorKey + "\n")
	require.NoError(t, err)
	require.Equal(t, elliptic.P256(), key.Curve)
}
