package discount_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/discount"
)

func TestCodeValidate(t *testing.T) {
	t.Parallel()
	now := testNow
	tests := []struct {
		name string
		code discount.Code
		want string // "" means valid
	}{
		{"percent", discount.Code{Code: "A-1", Percent: 10}, ""},
		{"hundred percent", discount.Code{Code: "A-1", Percent: 100}, ""},
		{"amount", discount.Code{Code: "A-1", Amount: "7.50"}, ""},
		{"whole amount", discount.Code{Code: "A-1", Amount: "5"}, ""},
		{"free shipping", discount.Code{Code: "A-1", FreeShipping: true}, ""},
		{"dates", discount.Code{Code: "A-1", Percent: 5, StartsAt: now, ExpiresAt: now.Add(time.Hour)}, ""},
		{"empty code", discount.Code{Percent: 10}, "Code is empty"},
		{"spaces", discount.Code{Code: " A-1", Percent: 10}, "surrounding spaces"},
		{"control", discount.Code{Code: "A\n1", Percent: 10}, "unprintable"},
		{"too long", discount.Code{Code: strings.Repeat("A", 256), Percent: 10}, "longer than 255"},
		{"nothing", discount.Code{Code: "A-1"}, "exactly one"},
		{"two kinds", discount.Code{Code: "A-1", Percent: 10, Amount: "5"}, "exactly one"},
		{"percent over", discount.Code{Code: "A-1", Percent: 101}, "1..100"},
		{"percent negative", discount.Code{Code: "A-1", Percent: -5}, "1..100"},
		{"amount words", discount.Code{Code: "A-1", Amount: "five"}, "not a decimal"},
		{"amount negative", discount.Code{Code: "A-1", Amount: "-5"}, "not a decimal"},
		{"amount comma", discount.Code{Code: "A-1", Amount: "5,00"}, "not a decimal"},
		{"amount dot only", discount.Code{Code: "A-1", Amount: "5."}, "not a decimal"},
		{"amount zero", discount.Code{Code: "A-1", Amount: "0.00"}, "zero"},
		{"empty product", discount.Code{Code: "A-1", Percent: 10, ProductIDs: []string{"1", " "}}, "empty id"},
		{"usage negative", discount.Code{Code: "A-1", Percent: 10, UsageLimit: -1}, "negative"},
		{"expires before start", discount.Code{Code: "A-1", Percent: 10, StartsAt: now, ExpiresAt: now}, "not after StartsAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.code.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, discount.ErrPermanent)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestErrorFormatsAndUnwraps(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection reset")
	e := &discount.Error{
		Kind: discount.ErrTemporary, Platform: discount.PlatformBigCommerce, Op: "create", Code: "X-1",
		StatusCode: 503, Messages: []string{"Service Unavailable"}, RetryAfter: 2 * time.Second, Err: cause,
	}
	require.Equal(t, `discount: temporary failure: bigcommerce create "X-1": status 503: Service Unavailable (retry after 2s): connection reset`, e.Error())
	wrapped := fmt.Errorf("sending discount step: %w", e)
	require.ErrorIs(t, wrapped, discount.ErrTemporary)
	require.ErrorIs(t, wrapped, cause)
	require.NotErrorIs(t, wrapped, discount.ErrPermanent)
	require.Equal(t, 2*time.Second, discount.RetryAfter(wrapped))
	require.Zero(t, discount.RetryAfter(cause))
	require.Zero(t, discount.RetryAfter(nil))
}
