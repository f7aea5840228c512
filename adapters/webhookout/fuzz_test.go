package webhookout_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/webhookout"
)

// oracleMAC is the v1 value for secret over "<ts>.<body>", computed here
// independently of the package.
func oracleMAC(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// signedBySign reports whether header carries exactly one t entry and a
// v1 entry equal to the MAC that Sign with secret would produce for it.
func signedBySign(secret, header string, body []byte) bool {
	var ts []string
	var v1 []string
	for entry := range strings.SplitSeq(header, ",") {
		entry = strings.TrimSpace(entry)
		if v, ok := strings.CutPrefix(entry, "t="); ok {
			ts = append(ts, v)
		}
		if v, ok := strings.CutPrefix(entry, "v1="); ok {
			v1 = append(v1, v)
		}
	}
	if len(ts) != 1 {
		return false
	}
	return slices.Contains(v1, oracleMAC(secret, ts[0], body))
}

// hmacEquivalent reports whether two secrets are the same HMAC key: keys up
// to the block size are zero-padded, so trailing NULs do not count.
func hmacEquivalent(a, b string) bool {
	return len(a) <= sha256.BlockSize && len(b) <= sha256.BlockSize &&
		strings.TrimRight(a, "\x00") == strings.TrimRight(b, "\x00")
}

// FuzzVerify checks that Verify never panics, refuses with ErrSignature
// anything that is not a Sign header for the right secret and body within
// tolerance, and accepts what Sign produces (also beside another secret's
// entry, as during rotation), but not for another secret, another body, a
// flipped digit or a stale timestamp.
func FuzzVerify(f *testing.F) {
	f.Add(vecSecret, "whsec_other", vecHeader, []byte(vecBody), vecTime.Unix(), int64(0))
	f.Add(vecSecret, vecOldSecret, "t=1700000000,v1="+vecOldMAC+",v1="+vecMAC, []byte(vecBody), vecTime.Unix(), int64(0))
	f.Add(vecOldSecret, vecSecret, " t=1700000000 , v1="+vecOldMAC, []byte(vecBody), vecTime.Unix()+300, int64(0))
	f.Add(vecSecret, "x", vecHeader, []byte(vecBody), vecTime.Unix()+301, int64(0))
	f.Add(vecSecret, "x", vecHeader, []byte(vecBody), vecTime.Unix()+3600, int64(3600))
	f.Add(vecSecret, "x", "t=+1700000000,v1="+vecMAC, []byte(vecBody), vecTime.Unix(), int64(0))
	f.Add(vecSecret, "x", "t=1700000000,t=1700000000,v1="+vecMAC, []byte(vecBody), vecTime.Unix(), int64(0))
	f.Add(vecSecret, "x", "t=1700000000,v1="+strings.ToUpper(vecMAC), []byte(vecBody), vecTime.Unix(), int64(0))
	f.Add("", "", "", []byte{}, int64(0), int64(0))
	f.Add("k", "k\x00", "t=,v1=", []byte("{}"), int64(-1), int64(-5))
	f.Add("k", "K", "t=9223372036854775807,v1=00", []byte("\x00"), int64(-9223372036854775808), int64(9223372036854775807))
	f.Add("k", "k2", ",,,=,t==,v1==", []byte(nil), int64(1), int64(1))
	f.Fuzz(func(t *testing.T, secret, other, header string, body []byte, unix, tolSeconds int64) {
		now := time.Unix(unix%(1<<40), 0)
		tol := time.Duration(tolSeconds%1_000_000) * time.Second
		effective := tol
		if effective <= 0 {
			effective = webhookout.DefaultTolerance
		}

		err := webhookout.Verify(secret, header, body, now, tol)
		if err != nil {
			require.ErrorIs(t, err, webhookout.ErrSignature)
		} else {
			require.NotEmpty(t, secret)
			require.True(t, signedBySign(secret, header, body), "accepted a header Sign did not make: %q", header)
		}

		if secret == "" {
			return
		}
		good := webhookout.Sign(secret, now, body)
		require.True(t, signedBySign(secret, good, body))
		require.NoError(t, webhookout.Verify(secret, good, body, now, tol))
		require.NoError(t, webhookout.Verify(secret, good, body, now.Add(effective), tol))
		require.ErrorIs(t, webhookout.Verify(secret, good, body, now.Add(effective+time.Second), tol), webhookout.ErrSignature)
		require.ErrorIs(t, webhookout.Verify(secret, good, body, now.Add(-effective-time.Second), tol), webhookout.ErrSignature)
		require.ErrorIs(t, webhookout.Verify(secret, good, append([]byte{'x'}, body...), now, tol), webhookout.ErrSignature)

		flipped := []byte(good)
		last := len(flipped) - 1
		if flipped[last] == '0' {
			flipped[last] = '1'
		} else {
			flipped[last] = '0'
		}
		require.ErrorIs(t, webhookout.Verify(secret, string(flipped), body, now, tol), webhookout.ErrSignature)

		if other == "" || hmacEquivalent(secret, other) {
			return
		}
		require.ErrorIs(t, webhookout.Verify(other, good, body, now, tol), webhookout.ErrSignature)
		// Rotation: both secrets' entries in one header verify for either.
		_, otherV1, _ := strings.Cut(webhookout.Sign(other, now, body), ",")
		both := good + "," + otherV1
		require.NoError(t, webhookout.Verify(secret, both, body, now, tol))
		require.NoError(t, webhookout.Verify(other, both, body, now, tol))
	})
}
