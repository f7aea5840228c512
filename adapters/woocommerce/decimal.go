package woocommerce

import (
	"math/big"
	"strings"
)

// sumDecimals adds decimal strings exactly and writes the sum with the
// largest number of fraction digits among them ("6.00" + "12.5" =
// "18.50"). It returns false when vs is empty or any value is not a plain
// decimal (an optional sign, digits, optionally a point and digits).
func sumDecimals(vs []string) (string, bool) {
	if len(vs) == 0 {
		return "", false
	}
	type parsed struct {
		n     *big.Int
		scale int
	}
	ps := make([]parsed, 0, len(vs))
	maxScale := 0
	for _, v := range vs {
		n, scale, ok := parseDecimal(v)
		if !ok {
			return "", false
		}
		ps = append(ps, parsed{n, scale})
		maxScale = max(maxScale, scale)
	}
	sum := new(big.Int)
	ten := big.NewInt(10)
	for _, p := range ps {
		shift := new(big.Int).Exp(ten, big.NewInt(int64(maxScale-p.scale)), nil)
		sum.Add(sum, p.n.Mul(p.n, shift))
	}
	return formatDecimal(sum, maxScale), true
}

// maxDecimalLen bounds the decimals sumDecimals accepts.
const maxDecimalLen = 64

// parseDecimal reads a plain decimal as an integer and its scale:
// "-12.50" is (-1250, 2).
func parseDecimal(s string) (*big.Int, int, bool) {
	if s == "" || len(s) > maxDecimalLen {
		return nil, 0, false
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if !isDigits(intPart) || (hasPoint && !isDigits(frac)) {
		return nil, 0, false
	}
	n, ok := new(big.Int).SetString(intPart+frac, 10)
	if !ok {
		return nil, 0, false
	}
	if neg {
		n.Neg(n)
	}
	return n, len(frac), true
}

// formatDecimal writes n scaled down by scale digits: (1850, 2) is "18.50".
func formatDecimal(n *big.Int, scale int) string {
	digits := new(big.Int).Abs(n).String()
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	out := digits
	if scale > 0 {
		out = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if n.Sign() < 0 {
		out = "-" + out
	}
	return out
}
