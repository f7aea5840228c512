package discount_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/discount"
	"github.com/boomerang-dev/boomerang/adapters/discount/discounttest"
)

// The suite every platform passes: the same Codes, the same fake behaviours,
// the same outcomes.

func TestEnsureCreatesWithTheRightFields(t *testing.T) {
	t.Parallel()
	expires := testNow.Add(72 * time.Hour)
	tests := []struct {
		name string
		code discount.Code
		want discounttest.Discount
	}{
		{
			name: "percent",
			code: discount.Code{Code: "COMEBACK-7KQ2XW9A", Title: "Boomerang abandoned-checkout", Percent: 10, ExpiresAt: expires},
			want: discounttest.Discount{Percent: 10, ExpiresAt: expires, UsageLimit: 1, PerCustomerLimit: 1},
		},
		{
			name: "amount",
			code: discount.Code{Code: "WINBACK-2PL9QZ", Amount: "7.50", UsageLimit: 3},
			want: discounttest.Discount{Amount: "7.50", UsageLimit: 3, PerCustomerLimit: 1},
		},
		{
			name: "free shipping",
			code: discount.Code{Code: "SHIPFREE-ABC123", FreeShipping: true, ExpiresAt: expires},
			want: discounttest.Discount{FreeShipping: true, ExpiresAt: expires, UsageLimit: 1, PerCustomerLimit: 1},
		},
		{
			name: "products",
			code: discount.Code{Code: "XSELL-99ZZ", Percent: 100, ProductIDs: []string{"632910392", "921728736"}},
			want: discounttest.Discount{Percent: 100, ProductIDs: []string{"632910392", "921728736"}, UsageLimit: 1, PerCustomerLimit: 1},
		},
	}
	for _, p := range platforms {
		for _, tt := range tests {
			t.Run(p.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				b := p.setup(t, setupOpts{})
				created, err := b.maker.Ensure(t.Context(), tt.code)
				require.NoError(t, err)
				require.True(t, created)
				all := b.fake.Discounts()
				require.Len(t, all, 1)
				got := all[0]
				require.True(t, strings.EqualFold(tt.code.Code, got.Code), "code %q stored as %q", tt.code.Code, got.Code)
				require.InDelta(t, tt.want.Percent, got.Percent, 1e-9)
				require.Equal(t, tt.want.Amount, got.Amount)
				require.Equal(t, tt.want.FreeShipping, got.FreeShipping)
				if len(tt.want.ProductIDs) == 0 {
					require.Empty(t, got.ProductIDs)
				} else {
					require.Equal(t, tt.want.ProductIDs, productIDs(got.ProductIDs))
				}
				require.True(t, tt.want.ExpiresAt.Equal(got.ExpiresAt), "expires %s, want %s", got.ExpiresAt, tt.want.ExpiresAt)
				require.Equal(t, tt.want.UsageLimit, got.UsageLimit)
				require.Equal(t, tt.want.PerCustomerLimit, got.PerCustomerLimit)
				require.NotEmpty(t, got.Title)
			})
		}
	}
}

func TestEnsureIsIdempotent(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			c := discount.Code{Code: "COMEBACK-IDEMP01", Percent: 15}
			created, err := b.maker.Ensure(t.Context(), c)
			require.NoError(t, err)
			require.True(t, created)
			created, err = b.maker.Ensure(t.Context(), c)
			require.NoError(t, err)
			require.False(t, created, "the second Ensure finds the code")
			// Codes compare without case, as on the platforms.
			c.Code = strings.ToLower(c.Code)
			created, err = b.maker.Ensure(t.Context(), c)
			require.NoError(t, err)
			require.False(t, created)
			require.Len(t, b.fake.Discounts(), 1)
			require.Equal(t, 1, b.fake.Creates())
			require.Equal(t, 3, b.fake.Lookups())
		})
	}
}

func TestEnsureLeavesAnExistingCodeAlone(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			b.fake.Add(discounttest.Discount{Code: "MERCHANT-CODE", Title: "made by hand", Percent: 50})
			created, err := b.maker.Ensure(t.Context(), discount.Code{Code: "MERCHANT-CODE", Percent: 10})
			require.NoError(t, err)
			require.False(t, created)
			require.Equal(t, 0, b.fake.Creates())
			d, ok := b.fake.Discount("MERCHANT-CODE")
			require.True(t, ok)
			require.InDelta(t, 50.0, d.Percent, 1e-9, "an existing code is never changed")
		})
	}
}

func TestEnsureRaceCreateSaysExists(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			// Another worker creates the code between our lookup and our create.
			b.fake.Add(discounttest.Discount{Code: "RACE-CODE-1", Title: "Boomerang by another worker", Percent: 10})
			b.fake.HideFromLookup("RACE-CODE-1", 1)
			created, err := b.maker.Ensure(t.Context(), discount.Code{Code: "RACE-CODE-1", Percent: 10})
			require.NoError(t, err)
			require.False(t, created)
			require.Equal(t, 1, b.fake.Creates(), "the create was tried and refused as a duplicate")
			require.Len(t, b.fake.Discounts(), 1)
		})
	}
}

func TestEnsureConcurrentCallsMakeOneDiscount(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			const workers = 8
			var wg sync.WaitGroup
			results := make(chan bool, workers)
			errs := make(chan error, workers)
			for range workers {
				wg.Go(func() {
					created, err := b.maker.Ensure(context.Background(), discount.Code{Code: "CONCURRENT-1", Percent: 5})
					results <- created
					errs <- err
				})
			}
			wg.Wait()
			close(results)
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			n := 0
			for created := range results {
				if created {
					n++
				}
			}
			require.Equal(t, 1, n, "exactly one call created the code")
			require.Len(t, b.fake.Discounts(), 1)
		})
	}
}

func TestEnsureRateLimitedIsTemporaryWithTheWait(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		for _, at := range []string{"lookup", "create"} {
			t.Run(p.name+"/"+at, func(t *testing.T) {
				t.Parallel()
				b := p.setup(t, setupOpts{})
				if at == "create" {
					b.fake.Respond(discounttest.Response{Apply: true, Status: 200, Body: emptyLookup(p.name)})
				}
				b.fake.Respond(b.fake.RateLimited(3 * time.Second))
				created, err := b.maker.Ensure(t.Context(), discount.Code{Code: "RATE-1", Percent: 10})
				require.False(t, created)
				de := requireKind(t, err, discount.ErrTemporary, 429, b.secret)
				require.Equal(t, 3*time.Second, discount.RetryAfter(err))
				require.Equal(t, at, de.Op)
				require.Empty(t, b.fake.Discounts())

				// The caller retries after the wait, and the retry works.
				created, err = b.maker.Ensure(t.Context(), discount.Code{Code: "RATE-1", Percent: 10})
				require.NoError(t, err)
				require.True(t, created)
			})
		}
	}
}

// emptyLookup is a platform's "no such code" answer: Shopify's null node,
// an empty coupon list elsewhere.
func emptyLookup(platform string) string {
	if platform == "shopify" {
		return `{"data":{"codeDiscountNodeByCode":null}}`
	}
	return `[]`
}

func TestEnsureServerErrorIsTemporary(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			b.fake.Respond(b.fake.ServerError())
			_, err := b.maker.Ensure(t.Context(), discount.Code{Code: "FIVE-HUNDRED", Percent: 10})
			requireKind(t, err, discount.ErrTemporary, 500, b.secret)
			require.Zero(t, discount.RetryAfter(err), "no wait was named")
			require.NotErrorIs(t, err, discount.ErrPermanent)
		})
	}
}

func TestEnsureUnauthorizedIsPermanent(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{badCredential: true})
			created, err := b.maker.Ensure(t.Context(), discount.Code{Code: "NO-ENTRY", Percent: 10})
			require.False(t, created)
			de := requireKind(t, err, discount.ErrPermanent, 401, b.secret)
			require.NotEmpty(t, de.Messages, "the platform's reason is kept")
			require.Equal(t, 0, b.fake.Creates())
		})
	}
}

func TestEnsureCannedUnauthorizedIsPermanent(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			b.fake.Respond(b.fake.Unauthorized())
			_, err := b.maker.Ensure(t.Context(), discount.Code{Code: "NO-ENTRY-2", Percent: 10})
			requireKind(t, err, discount.ErrPermanent, 401, b.secret)
			require.NotErrorIs(t, err, discount.ErrTemporary)
		})
	}
}

func TestEnsureMalformedAnswerIsAClearError(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			b.fake.Respond(b.fake.Malformed())
			_, err := b.maker.Ensure(t.Context(), discount.Code{Code: "GARBLED-1", Percent: 10})
			de := requireKind(t, err, discount.ErrPermanent, 200, b.secret)
			require.ErrorIs(t, err, discount.ErrMalformed)
			require.Equal(t, "lookup", de.Op)
			require.Contains(t, err.Error(), "malformed")
			require.Empty(t, b.fake.Discounts())
		})
	}
}

func TestEnsureMalformedCreateAnswerIsCheckedWithALookup(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			b.fake.Respond(discounttest.Response{Apply: true, Status: 200, Body: emptyLookup(p.name)})
			garbled := b.fake.Malformed()
			garbled.Apply = true // the create goes through; its answer is garbage
			b.fake.Respond(garbled)
			created, err := b.maker.Ensure(t.Context(), discount.Code{Code: "GARBLED-2", Percent: 10})
			require.NoError(t, err)
			require.True(t, created)
			require.Len(t, b.fake.Discounts(), 1)
			require.Equal(t, 2, b.fake.Lookups(), "one lookup before, one after the unreadable create")
		})
	}
}

func TestEnsureMalformedCreateWithoutTheCodeFails(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			b.fake.Respond(discounttest.Response{Status: 200, Body: emptyLookup(p.name)})
			b.fake.Respond(b.fake.Malformed()) // not applied: nothing was created
			created, err := b.maker.Ensure(t.Context(), discount.Code{Code: "GARBLED-3", Percent: 10})
			require.False(t, created)
			de := requireKind(t, err, discount.ErrPermanent, 200, b.secret)
			require.ErrorIs(t, err, discount.ErrMalformed)
			require.Equal(t, "create", de.Op)
		})
	}
}

func TestEnsureRefusesAnInvalidCodeWithoutCalling(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			_, err := b.maker.Ensure(t.Context(), discount.Code{Code: "BOTH", Percent: 10, FreeShipping: true})
			de := requireKind(t, err, discount.ErrPermanent, 0, b.secret)
			require.Equal(t, "validate", de.Op)
			require.Equal(t, 0, b.fake.Lookups()+b.fake.Creates())
		})
	}
}

func TestEnsureUnreachableIsTemporary(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			b.server.Close()
			_, err := b.maker.Ensure(t.Context(), discount.Code{Code: "OFFLINE-1", Percent: 10})
			de := requireKind(t, err, discount.ErrTemporary, 0, b.secret)
			require.Equal(t, "lookup", de.Op)
			require.Zero(t, de.StatusCode)
		})
	}
}

func TestEnsureHonoursContext(t *testing.T) {
	t.Parallel()
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := p.setup(t, setupOpts{})
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			_, err := b.maker.Ensure(ctx, discount.Code{Code: "CANCELLED-1", Percent: 10})
			requireKind(t, err, discount.ErrTemporary, 0, b.secret)
			require.ErrorIs(t, err, context.Canceled)
			require.Equal(t, 0, b.fake.Lookups())
		})
	}
}
