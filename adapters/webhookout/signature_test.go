package webhookout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/webhookout"
)

// Known answer, computed independently (Python's hmac module):
// hmac.new(b"whsec_example", b'1700000000.{"hello":"world"}', sha256).
const (
	vecSecret    = "whsec_example"
	vecOldSecret = "whsec_old"
	vecBody      = `{"hello":"world"}`
	vecMAC       = "2958067fb341f4107d85bd87e4ead1f3673785de39f70550579ce7f6177964ff"
	vecOldMAC    = "d30afec711349560803be4b024ef1aa59709bddff9b640379e8656024fe3b10c"
	vecHeader    = "t=1700000000,v1=" + vecMAC
)

var vecTime = time.Unix(1700000000, 0)

func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	require.Equal(t, vecHeader, webhookout.Sign(vecSecret, vecTime, []byte(vecBody)))
	// Sub-second parts of t are dropped, as the header carries seconds.
	require.Equal(t, vecHeader, webhookout.Sign(vecSecret, vecTime.Add(999*time.Millisecond), []byte(vecBody)))
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(vecBody)
	cases := []struct {
		name      string
		secret    string
		header    string
		body      []byte
		now       time.Time
		tolerance time.Duration
		wantErr   string // "" for success; else a substring of the error
	}{
		{name: "valid", secret: vecSecret, header: vecHeader, body: body, now: vecTime},
		{name: "valid with spaces", secret: vecSecret, header: " t=1700000000 , v1=" + vecMAC + " ", body: body, now: vecTime},
		{name: "rotation, new secret second", secret: vecSecret, header: "t=1700000000,v1=" + vecOldMAC + ",v1=" + vecMAC, body: body, now: vecTime},
		{name: "rotation, old secret", secret: vecOldSecret, header: "t=1700000000,v1=" + vecMAC + ",v1=" + vecOldMAC, body: body, now: vecTime},
		{name: "unknown entries ignored", secret: vecSecret, header: "t=1700000000,v0=abc,v1=" + vecMAC, body: body, now: vecTime},
		{name: "edge of default tolerance", secret: vecSecret, header: vecHeader, body: body, now: vecTime.Add(5 * time.Minute)},
		{name: "edge of tolerance, past", secret: vecSecret, header: vecHeader, body: body, now: vecTime.Add(-5 * time.Minute)},
		{name: "custom tolerance", secret: vecSecret, header: vecHeader, body: body, now: vecTime.Add(time.Hour), tolerance: time.Hour},

		{name: "wrong secret", secret: "whsec_other", header: vecHeader, body: body, now: vecTime, wantErr: "no v1 signature matches"},
		{name: "empty secret", secret: "", header: vecHeader, body: body, now: vecTime, wantErr: "no secret"},
		{name: "tampered body", secret: vecSecret, header: vecHeader, body: []byte(`{"hello":"World"}`), now: vecTime, wantErr: "no v1 signature matches"},
		{name: "trailing newline", secret: vecSecret, header: vecHeader, body: []byte(vecBody + "\n"), now: vecTime, wantErr: "no v1 signature matches"},
		{name: "too old", secret: vecSecret, header: vecHeader, body: body, now: vecTime.Add(5*time.Minute + time.Second), wantErr: "from now"},
		{name: "from the future", secret: vecSecret, header: vecHeader, body: body, now: vecTime.Add(-6 * time.Minute), wantErr: "from now"},
		{name: "timestamp moved", secret: vecSecret, header: "t=1700000001,v1=" + vecMAC, body: body, now: vecTime, wantErr: "no v1 signature matches"},
		{name: "uppercase hex", secret: vecSecret, header: "t=1700000000,v1=" + strings.ToUpper(vecMAC), body: body, now: vecTime, wantErr: "no v1 signature matches"},
		{name: "truncated mac", secret: vecSecret, header: "t=1700000000,v1=" + vecMAC[:63], body: body, now: vecTime, wantErr: "no v1 signature matches"},
		{name: "empty", secret: vecSecret, header: "", body: body, now: vecTime, wantErr: "missing"},
		{name: "no timestamp", secret: vecSecret, header: "v1=" + vecMAC, body: body, now: vecTime, wantErr: "no timestamp"},
		{name: "no v1", secret: vecSecret, header: "t=1700000000", body: body, now: vecTime, wantErr: "no v1 signature"},
		{name: "two timestamps", secret: vecSecret, header: "t=1700000000,t=1700000000,v1=" + vecMAC, body: body, now: vecTime, wantErr: "more than one timestamp"},
		{name: "plus sign", secret: vecSecret, header: "t=+1700000000,v1=" + vecMAC, body: body, now: vecTime, wantErr: "malformed timestamp"},
		{name: "leading zero", secret: vecSecret, header: "t=01700000000,v1=" + vecMAC, body: body, now: vecTime, wantErr: "malformed timestamp"},
		{name: "not a number", secret: vecSecret, header: "t=soon,v1=" + vecMAC, body: body, now: vecTime, wantErr: "malformed timestamp"},
		{name: "entry without =", secret: vecSecret, header: "t=1700000000,junk,v1=" + vecMAC, body: body, now: vecTime, wantErr: "malformed entry"},
		{name: "trailing comma", secret: vecSecret, header: vecHeader + ",", body: body, now: vecTime, wantErr: "malformed entry"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := webhookout.Verify(tc.secret, tc.header, tc.body, tc.now, tc.tolerance)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, webhookout.ErrSignature)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestVerifyExtremeTimes(t *testing.T) {
	t.Parallel()
	body := []byte(`{}`)
	for _, ts := range []time.Time{time.Unix(0, 0), time.Unix(-1, 0), time.Unix(1<<62, 0), time.Unix(-(1 << 62), 0)} {
		h := webhookout.Sign("k", ts, body)
		require.NoError(t, webhookout.Verify("k", h, body, ts, time.Second), h)
		// The distance between the ends of the range overflows int64: it
		// must still be refused, not wrap around into tolerance.
		far := time.Unix(1<<62, 0)
		if ts.Unix() < 0 {
			require.ErrorIs(t, webhookout.Verify("k", h, body, far, time.Second), webhookout.ErrSignature)
		}
	}
}
