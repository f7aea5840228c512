package flows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/boomerang-dev/boomerang/flows"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	for in, want := range map[string]time.Duration{
		"90s":      90 * time.Second,
		"1h":       time.Hour,
		"23h":      23 * time.Hour,
		"3d":       3 * day,
		"2w":       14 * day,
		"1d12h":    36 * time.Hour,
		"1.5d":     36 * time.Hour,
		"1h30m":    90 * time.Minute,
		"250ms":    250 * time.Millisecond,
		"0":        0,
		"0s":       0,
		"1w2d3h4m": 9*day + 3*time.Hour + 4*time.Minute,
	} {
		got, err := flows.ParseDuration(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got.D(), in)
	}
	for in, msg := range map[string]string{
		"":                     "empty duration",
		"1":                    `duration "1" needs a unit: s, m, h, d (days) or w (weeks)`,
		"-1h":                  `duration "-1h": a flow duration has no sign`,
		"+1h":                  `duration "+1h": a flow duration has no sign`,
		"1x":                   `duration "1x": unknown unit "x" (use ms, s, m, h, d or w)`,
		"d":                    `duration "d": expected a number such as 90s, 1h, 3d or 2w`,
		"1 h":                  `duration "1 h": unknown unit " h" (use ms, s, m, h, d or w)`,
		"1.2.3d":               `duration "1.2.3d": "1.2.3" is not a number`,
		"99999999999999w":      `duration "99999999999999w" is too long`,
		"9999999999999999999h": `duration "9999999999999999999h": "9999999999999999999" is not a number or too large`,
		"200000d100000d":       `duration "200000d100000d" is too long`,
	} {
		_, err := flows.ParseDuration(in)
		require.EqualError(t, err, msg, in)
	}
}

func TestDurationString(t *testing.T) {
	t.Parallel()
	for want, d := range map[string]time.Duration{
		"0s": 0, "1m30s": 90 * time.Second, "1h": time.Hour, "23h": 23 * time.Hour, "3d": 72 * time.Hour,
		"2w": 14 * 24 * time.Hour, "36h": 36 * time.Hour, "1h30m": 90 * time.Minute, "10m": 10 * time.Minute,
		"1.5s": 1500 * time.Millisecond,
	} {
		require.Equal(t, want, flows.Duration(d).String())
	}
}

func TestDurationYAML(t *testing.T) {
	t.Parallel()
	var v struct {
		D flows.Duration `yaml:"d"`
	}
	require.NoError(t, yaml.Unmarshal([]byte("d: 3d"), &v))
	require.Equal(t, 72*time.Hour, v.D.D())
	out, err := yaml.Marshal(v)
	require.NoError(t, err)
	require.Equal(t, "d: 3d\n", string(out))
	require.ErrorContains(t, yaml.Unmarshal([]byte("d: soon"), &v), "line 1")

	text, err := flows.Duration(2 * time.Hour).MarshalText()
	require.NoError(t, err)
	var back flows.Duration
	require.NoError(t, back.UnmarshalText(text))
	require.Equal(t, 2*time.Hour, back.D())
}

// FuzzParseDuration: no input panics, and what parses prints back to the
// same duration.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90s", "1h", "23h", "3d", "2w", "1d12h", "1.5d", "0", "-1h", "1x", "", "1e9d", "..d", "1µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := flows.ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("%q parsed to a negative %v", s, d.D())
		}
		back, err := flows.ParseDuration(d.String())
		if err != nil || back != d {
			t.Fatalf("%q → %v → %q → %v, %v", s, d.D(), d.String(), back.D(), err)
		}
	})
}
