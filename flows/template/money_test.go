package template_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/template"
)

func TestMoney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ amount, currency, want string }{
		{"25", "USD", "$25.00"},
		{"25.00", "USD", "$25.00"},
		{"1234567.5", "USD", "$1,234,567.50"},
		{"0.5", "USD", "$0.50"},
		{"-5", "USD", "-$5.00"},
		{"-0.001", "USD", "$0.00"},
		{"25", "EUR", "25,00 €"},
		{"1234.56", "eur", "1.234,56 €"},
		{"2500", "JPY", "¥2,500"},
		{"2500.5", "JPY", "¥2,501"},
		{"2499.4999", "JPY", "¥2,499"},
		{"19.9950", "USD", "$20.00"},
		{"19.9949", "USD", "$19.99"},
		{"0.0050", "EUR", "0,01 €"},
		{"-19.9950", "USD", "-$20.00"},
		{"12.3456", "GBP", "£12.35"},
		{"100", "CHF", "CHF 100.00"},
		{"1000", "SEK", "1 000,00 kr"},
		{"12", "XYZ", "12.00 XYZ"},
		{"12", "", "12.00"},
		{"007.10", "USD", "$7.10"},
		{"99999999999999999999.995", "USD", "$100,000,000,000,000,000,000.00"},
	} {
		got, err := template.Money(tc.amount, tc.currency)
		require.NoError(t, err, tc.amount)
		require.Equal(t, tc.want, got, "%s %s", tc.amount, tc.currency)
	}
}

func TestMoneyRejectsNonDecimals(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "-", "1.", ".5", "1e3", "1,50", "+1", " 1", "NaN", "Inf", "1/2", "0x10", "--1", "1.2.3"} {
		_, err := template.Money(bad, "USD")
		require.ErrorIs(t, err, template.ErrMoney, "%q", bad)
	}
}

func TestFormatDate(t *testing.T) {
	t.Parallel()
	// 02:30 UTC on Jan 3 is still Jan 2 in New York.
	at := time.Date(2026, time.January, 3, 2, 30, 0, 0, time.UTC)
	got, err := template.FormatDate(at, "America/New_York")
	require.NoError(t, err)
	require.Equal(t, "Jan 2, 2026", got)
	got, err = template.FormatDate(at, "")
	require.NoError(t, err)
	require.Equal(t, "Jan 3, 2026", got)
	_, err = template.FormatDate(at, "Mars/Olympus")
	require.Error(t, err)
}
