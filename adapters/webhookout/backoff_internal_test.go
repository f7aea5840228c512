package webhookout

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var retryNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"86400", 24 * time.Hour, true},
		{"86401", 24 * time.Hour, true},
		{"99999999999999999999999", 24 * time.Hour, true},
		{retryNow.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"Sunday, 01-Mar-26 12:00:30 GMT", 30 * time.Second, true}, // RFC 850, still accepted
		{retryNow.Add(48 * time.Hour).Format(http.TimeFormat), 24 * time.Hour, true},
		{"0", 0, false},
		{"", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"+5", 0, false},
		{"soon", 0, false},
		{retryNow.Add(-time.Minute).Format(http.TimeFormat), 0, false},
	}
	for _, tc := range cases {
		got, ok := parseRetryAfter(tc.in, retryNow)
		require.Equal(t, tc.ok, ok, "%q", tc.in)
		require.Equal(t, tc.want, got, "%q", tc.in)
	}
}

// FuzzParseRetryAfter checks that any header value gives a delay in
// (0, 24h] or none, that delay-seconds read exactly, and that nothing panics.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{
		"7", "0", "", " 30", "86401", "18446744073709551616", "-1", "1e3",
		"Sun, 01 Mar 2026 12:01:00 GMT", "Sun Mar  1 12:01:00 2026", "Mon, 99 Foo 2026 99:99:99 GMT", "\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, retryNow)
		if !ok {
			require.Zero(t, d)
			return
		}
		require.Positive(t, d)
		require.LessOrEqual(t, d, maxRetryAfter)
		if n, err := strconv.ParseUint(v, 10, 64); err == nil && isDigits(v) {
			require.Equal(t, time.Duration(min(n, uint64(maxRetryAfter/time.Second)))*time.Second, d)
		}
	})
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	require.Equal(t, time.Second, backoff(1, 0))
	require.Equal(t, 2*time.Second, backoff(2, 0))
	require.Equal(t, 4*time.Second, backoff(3, 0))
	require.Equal(t, 1250*time.Millisecond, backoff(1, 1))
	require.Equal(t, 2500*time.Millisecond, backoff(2, 1))
	// Many attempts stop doubling instead of overflowing.
	d := backoff(1000, 0.5)
	require.Positive(t, d)
	require.Less(t, d, 3*maxRetryAfter)
}

func TestWithin(t *testing.T) {
	t.Parallel()
	const maxI, minI = int64(^uint64(0) >> 1), -int64(^uint64(0)>>1) - 1
	require.True(t, within(10, 15, 5))
	require.True(t, within(15, 10, 5))
	require.False(t, within(16, 10, 5))
	require.False(t, within(maxI, minI, 5))
	require.False(t, within(minI, maxI, maxI))
	require.True(t, within(maxI, maxI-5, 5))
	require.False(t, within(0, 0, -1))
}
