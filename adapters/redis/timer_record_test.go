package redis

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		id      string
		payload []byte
	}{
		{"run:1", []byte("demo|ann@example.com|run")},
		{"x", nil},
		{"", []byte("empty id")},
		{string(bytes.Repeat([]byte("i"), 300)), []byte{0, 1, 2}}, // a two-byte length
	} {
		id, payload, err := decodeRecord(encodeRecord(c.id, c.payload))
		require.NoError(t, err)
		require.Equal(t, c.id, id)
		require.Equal(t, string(c.payload), string(payload))
	}
	leased := append([]byte("l1782907200000|"), encodeRecord("run:1", []byte("pay"))[1:]...)
	id, payload, err := decodeRecord(leased)
	require.NoError(t, err)
	require.Equal(t, "run:1", id)
	require.Equal(t, "pay", string(payload))
	for _, bad := range [][]byte{
		nil,
		{0},
		{'p'},
		{'p', 5, 'a'},
		{'p', 0x80},
		[]byte("l123"), []byte("x\x01a"),
		{'p', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
	} {
		_, _, err := decodeRecord(bad)
		require.ErrorIs(t, err, errBadRecord, "%x", bad)
	}
	require.Len(t, member("anything"), memberSize)
	require.NotEqual(t, member("a"), member("b"))
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add(encodeRecord("run:1", []byte("demo|c|r")))
	f.Add([]byte{})
	f.Add([]byte{0x80, 0x80})
	f.Add([]byte{'p', 3, 'a', 'b'})
	f.Add([]byte("l1782907200000|\x01ap"))
	f.Fuzz(func(t *testing.T, b []byte) {
		id, payload, err := decodeRecord(b)
		if err != nil {
			return
		}
		require.True(t, bytes.HasSuffix(b, append([]byte(id), payload...)), "id and payload are the record's tail")
		id2, payload2, err := decodeRecord(encodeRecord(id, payload))
		require.NoError(t, err)
		require.Equal(t, id, id2)
		require.Equal(t, string(payload), string(payload2))
	})
}

func FuzzParseMillis(f *testing.F) {
	for _, s := range []string{"1782907200000", "-5", "1.7829072e+12", "inf", "nan", "", "9223372036854775807", "1e300", "-1e300"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseMillis(s)
		if err == nil && s == "9223372036854775807" {
			require.Equal(t, int64(9223372036854775807), n)
		}
	})
}
