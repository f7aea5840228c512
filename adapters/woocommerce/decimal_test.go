package woocommerce

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSumDecimals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   []string
		want string
		ok   bool
	}{
		{[]string{"6.00", "12.00"}, "18.00", true},
		{[]string{"0.1", "0.2"}, "0.3", true},
		{[]string{"0.10", "0.2", "0.005"}, "0.305", true},
		{[]string{"3", "12"}, "15", true},
		{[]string{"-1.50", "1"}, "-0.50", true},
		{[]string{"-0.01"}, "-0.01", true},
		{[]string{"+2.5", "0.5"}, "3.0", true},
		{[]string{"99999999999999999999.99", "0.01"}, "100000000000000000000.00", true},
		{nil, "", false},
		{[]string{"1.00", ""}, "", false},
		{[]string{"1,00"}, "", false},
		{[]string{"1e2"}, "", false},
		{[]string{".5"}, "", false},
		{[]string{"5."}, "", false},
		{[]string{"NaN"}, "", false},
		{[]string{"--1"}, "", false},
	}
	for _, tc := range cases {
		got, ok := sumDecimals(tc.in)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

// FuzzSumDecimals checks the exact sum against big.Rat arithmetic.
func FuzzSumDecimals(f *testing.F) {
	f.Add("6.00", "12.00")
	f.Add("0.1", "-0.25")
	f.Add("3.3333333333333335", "0")
	f.Add("", "1")
	f.Add("1e3", "2")
	f.Fuzz(func(t *testing.T, a, b string) {
		got, ok := sumDecimals([]string{a, b})
		_, _, okA := parseDecimal(a)
		_, _, okB := parseDecimal(b)
		if ok != (okA && okB) {
			t.Fatalf("sum of %q and %q: ok %v", a, b, ok)
		}
		if !ok {
			return
		}
		ra, _ := new(big.Rat).SetString(a)
		rb, _ := new(big.Rat).SetString(b)
		rg, valid := new(big.Rat).SetString(got)
		if !valid || rg.Cmp(new(big.Rat).Add(ra, rb)) != 0 {
			t.Fatalf("%q + %q = %q", a, b, got)
		}
	})
}
