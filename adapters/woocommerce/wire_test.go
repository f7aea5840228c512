package woocommerce

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWCID(t *testing.T) {
	t.Parallel()
	good := map[string]wcID{
		`727`:                  "727",
		`"727"`:                "727",
		`0`:                    "",
		`"0"`:                  "",
		`null`:                 "",
		`18446744073709551615`: "18446744073709551615",
		`"9007199254740993"`:   "9007199254740993",
		`36893488147419103232`: "36893488147419103232",
		`"007"`:                "7",
	}
	for in, want := range good {
		var id wcID
		require.NoError(t, json.Unmarshal([]byte(in), &id), in)
		require.Equal(t, want, id, in)
	}
	for _, in := range []string{`-1`, `1.5`, `1e3`, `""`, `"abc"`, `true`, `{}`, `[]`, `"12 "`} {
		var id wcID
		require.Error(t, json.Unmarshal([]byte(in), &id), in)
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	good := map[string]text{`"29.35"`: "29.35", `3`: "3", `3.3333333333333335`: "3.3333333333333335", `-0.5`: "-0.5", `null`: "", `""`: ""}
	for in, want := range good {
		var v text
		require.NoError(t, json.Unmarshal([]byte(in), &v), in)
		require.Equal(t, want, v, in)
	}
	for _, in := range []string{`true`, `{}`, `[]`} {
		var v text
		require.Error(t, json.Unmarshal([]byte(in), &v), in)
	}
}

func TestQuantity(t *testing.T) {
	t.Parallel()
	good := map[string]quantity{`2`: 2, `"3"`: 3, `1.5`: 2, `0.4`: 0, `null`: 0}
	for in, want := range good {
		var q quantity
		require.NoError(t, json.Unmarshal([]byte(in), &q), in)
		require.Equal(t, want, q, in)
	}
	for _, in := range []string{`"x"`, `true`, `1e400`, `"NaN"`, `"Inf"`, `4294967296`} {
		var q quantity
		require.Error(t, json.Unmarshal([]byte(in), &q), in)
	}
}

func TestParseGMT(t *testing.T) {
	t.Parallel()
	good := map[string]time.Time{
		"2017-03-22T19:28:02":       time.Date(2017, 3, 22, 19, 28, 2, 0, time.UTC),
		"2017-03-22T19:28:02.25":    time.Date(2017, 3, 22, 19, 28, 2, 25e7, time.UTC),
		"2017-03-22T19:28:02Z":      time.Date(2017, 3, 22, 19, 28, 2, 0, time.UTC),
		"2017-03-22T16:28:02-03:00": time.Date(2017, 3, 22, 19, 28, 2, 0, time.UTC),
		"":                          {},
	}
	for in, want := range good {
		got, err := parseGMT(in)
		require.NoError(t, err, in)
		require.True(t, want.Equal(got), in)
		require.Equal(t, time.UTC, got.Location(), in)
	}
	for _, in := range []string{"2017-03-22 19:28:02", "22/03/2017", "2017-13-01T00:00:00", "yesterday"} {
		_, err := parseGMT(in)
		require.Error(t, err, in)
	}
}

// FuzzParseGMT checks that any string parses to a UTC time or an error
// that does not quote it.
func FuzzParseGMT(f *testing.F) {
	f.Add("2017-03-22T19:28:02")
	f.Add("2017-03-22T19:28:02+02:00")
	f.Add("0000-00-00T00:00:00")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseGMT(s)
		if err != nil {
			return
		}
		if !got.IsZero() && got.Location() != time.UTC {
			t.Fatalf("%q parsed to a non-UTC time", s)
		}
	})
}
