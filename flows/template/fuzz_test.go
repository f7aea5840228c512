package template_test

import (
	"math/big"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/template"
)

// FuzzMoney checks that Money accepts only plain decimals and that the
// digits it prints are the amount rounded half away from zero, computed
// independently with big.Rat.
func FuzzMoney(f *testing.F) {
	for _, s := range []string{"25", "25.00", "19.9950", "-0.005", "2500.5", "0", "1234567.891", "1e3", ".5", "1,5", "", "-"} {
		for _, c := range []string{"USD", "EUR", "JPY", "XYZ", ""} {
			f.Add(s, c)
		}
	}
	f.Fuzz(func(t *testing.T, amount, currency string) {
		got, err := template.Money(amount, currency)
		if err != nil {
			require.ErrorIs(t, err, template.ErrMoney)
			return
		}
		r, ok := new(big.Rat).SetString(amount)
		require.True(t, ok, "Money accepted %q, which big.Rat rejects", amount)
		decimals := 2
		if c := strings.ToUpper(strings.TrimSpace(currency)); c == "JPY" || c == "KRW" {
			decimals = 0
		}
		scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil))
		x := new(big.Rat).Mul(new(big.Rat).Abs(r), scale)
		x.Add(x, big.NewRat(1, 2))
		want := new(big.Int).Quo(x.Num(), x.Denom())

		digits := strings.Map(func(c rune) rune {
			if c >= '0' && c <= '9' {
				return c
			}
			return -1
		}, strings.TrimSuffix(got, " "+strings.ToUpper(strings.TrimSpace(currency))))
		n, ok := new(big.Int).SetString(digits, 10)
		require.True(t, ok, "%q -> %q", amount, got)
		require.Equal(t, want.String(), n.String(), "%q %q -> %q", amount, currency, got)
		require.Equal(t, r.Sign() < 0 && want.Sign() != 0, strings.HasPrefix(got, "-"), "%q -> %q", amount, got)
	})
}

// FuzzSegments checks the segment count against the encoding's limits.
func FuzzSegments(f *testing.F) {
	for _, s := range []string{
		"", "a", strings.Repeat("a", 160), strings.Repeat("a", 161), strings.Repeat("€", 81),
		strings.Repeat("ж", 70), strings.Repeat("😀", 36), strings.Repeat("a", 152) + "[" + strings.Repeat("a", 152), "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		enc, n := template.Segments(body)
		if body == "" {
			require.Zero(t, n)
			return
		}
		var units, single, part int
		switch enc {
		case template.EncodingGSM7:
			single, part = 160, 153
			for _, r := range body {
				units++
				if strings.ContainsRune("\f^{}\\[~]|€", r) {
					units++
				}
			}
		case template.EncodingUCS2:
			single, part = 70, 67
			for _, r := range body {
				units += utf16.RuneLen(r) // range yields U+FFFD for bad bytes, so never -1
			}
		default:
			t.Fatalf("encoding %q", enc)
		}
		require.GreaterOrEqual(t, n, 1)
		if units <= single {
			require.Equal(t, 1, n)
			return
		}
		// Each part holds at most part units and, since a two-unit character
		// never straddles parts, at least part-1.
		require.GreaterOrEqual(t, n*part, units)
		require.Less(t, (n-1)*(part-1), units)
	})
}
