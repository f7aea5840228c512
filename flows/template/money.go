package template

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// currencyFormat says how one currency is written.
type currencyFormat struct {
	prefix, suffix string
	decimals       int
	point, group   string
}

// currencies maps ISO 4217 codes to their customary format. Codes not listed
// are written "1,234.50 XYZ".
var currencies = map[string]currencyFormat{
	"USD": {prefix: "$", decimals: 2, point: ".", group: ","},
	"CAD": {prefix: "CA$", decimals: 2, point: ".", group: ","},
	"AUD": {prefix: "A$", decimals: 2, point: ".", group: ","},
	"NZD": {prefix: "NZ$", decimals: 2, point: ".", group: ","},
	"MXN": {prefix: "MX$", decimals: 2, point: ".", group: ","},
	"GBP": {prefix: "£", decimals: 2, point: ".", group: ","},
	"INR": {prefix: "₹", decimals: 2, point: ".", group: ","},
	"JPY": {prefix: "¥", decimals: 0, point: ".", group: ","},
	"KRW": {prefix: "₩", decimals: 0, point: ".", group: ","},
	"CNY": {prefix: "CN¥", decimals: 2, point: ".", group: ","},
	"CHF": {prefix: "CHF ", decimals: 2, point: ".", group: "'"},
	"BRL": {prefix: "R$ ", decimals: 2, point: ",", group: "."},
	"EUR": {suffix: " €", decimals: 2, point: ",", group: "."},
	"SEK": {suffix: " kr", decimals: 2, point: ",", group: " "},
	"NOK": {suffix: " kr", decimals: 2, point: ",", group: " "},
	"DKK": {suffix: " kr.", decimals: 2, point: ",", group: "."},
	"PLN": {suffix: " zł", decimals: 2, point: ",", group: " "},
	"CZK": {suffix: " Kč", decimals: 2, point: ",", group: " "},
}

// parseDecimal reads a plain decimal string ("25", "-19.9950", "0.5") into
// an exact rational. Exponents, signs other than a leading "-", spaces and
// empty parts are rejected.
func parseDecimal(s string) (*big.Rat, error) {
	body := strings.TrimPrefix(s, "-")
	intPart, frac, hasPoint := strings.Cut(body, ".")
	if intPart == "" || (hasPoint && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return nil, fmt.Errorf("%q: %w", s, ErrMoney)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("%q: %w", s, ErrMoney)
	}
	return r, nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decimalOf turns a template value into an exact decimal: a string, a
// json.Number, an integer, or a float64 that came from JSON (written with the
// shortest exact representation first, so 19.99 stays 19.99).
func decimalOf(v any) (*big.Rat, error) {
	switch x := v.(type) {
	case string:
		return parseDecimal(strings.TrimSpace(x))
	case json.Number:
		return parseDecimal(x.String())
	case int:
		return new(big.Rat).SetInt64(int64(x)), nil
	case int64:
		return new(big.Rat).SetInt64(x), nil
	case float64:
		return parseDecimal(strconv.FormatFloat(x, 'f', -1, 64))
	case *big.Rat:
		return x, nil
	default:
		return nil, fmt.Errorf("%v (%T): %w", v, v, ErrMoney)
	}
}

// Money formats amount (a decimal string such as "25" or "19.9950") in
// currency (an ISO 4217 code): "$25.00", "25,00 €", "¥2,500". It rounds half
// away from zero to the currency's minor unit and never goes through float64.
// An empty currency gives the bare number ("25.00").
func Money(amount, currency string) (string, error) {
	r, err := parseDecimal(amount)
	if err != nil {
		return "", err
	}
	return formatMoney(r, currency), nil
}

// formatMoney writes r in currency's format.
func formatMoney(r *big.Rat, currency string) string {
	code := strings.ToUpper(strings.TrimSpace(currency))
	f, known := currencies[code]
	if !known {
		f = currencyFormat{decimals: 2, point: ".", group: ","}
		if code != "" {
			f.suffix = " " + code
		}
	}
	neg := r.Sign() < 0
	abs := new(big.Rat).Abs(r)
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(f.decimals)), nil)
	scaled := new(big.Rat).Mul(abs, new(big.Rat).SetInt(scale))
	// Round half away from zero: floor(x + 1/2) for x >= 0.
	scaled.Add(scaled, big.NewRat(1, 2))
	units := new(big.Int).Quo(scaled.Num(), scaled.Denom())
	digits := units.String()
	if len(digits) <= f.decimals {
		digits = strings.Repeat("0", f.decimals-len(digits)+1) + digits
	}
	intPart, frac := digits[:len(digits)-f.decimals], digits[len(digits)-f.decimals:]
	var b strings.Builder
	if neg && units.Sign() != 0 {
		b.WriteByte('-')
	}
	b.WriteString(f.prefix)
	for i := range len(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(f.group)
		}
		b.WriteByte(intPart[i])
	}
	if f.decimals > 0 {
		b.WriteString(f.point)
		b.WriteString(frac)
	}
	b.WriteString(f.suffix)
	return b.String()
}

// moneyFunc is the template helper: {{money .Event.data.total .Currency}}.
// An absent amount (nil) renders as nothing.
func moneyFunc(amount any, currency string) (string, error) {
	if amount == nil {
		return "", nil
	}
	r, err := decimalOf(amount)
	if err != nil {
		return "", err
	}
	return formatMoney(r, currency), nil
}
