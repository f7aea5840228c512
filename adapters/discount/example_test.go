package discount_test

import (
	"context"
	"errors"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/discount"
)

// The send role makes sure the run's code exists before the message that
// shows it goes out, and lets the delivery be retried on a temporary error.
func ExampleShopify_Ensure() {
	maker, err := discount.NewShopify(discount.ShopifyConfig{
		BaseURL:     "https://example-shop.myshopify.com",
		AccessToken: "shpat_…",
	})
	if err != nil {
		panic(err)
	}
	_, err = maker.Ensure(context.Background(), discount.Code{
		Code:      "COMEBACK-7KQ2XW9A",
		Title:     "Boomerang abandoned-checkout",
		Percent:   10,
		ExpiresAt: time.Now().Add(72 * time.Hour),
	})
	switch {
	case errors.Is(err, discount.ErrTemporary):
		_ = discount.RetryAfter(err) // redeliver after this long
	case errors.Is(err, discount.ErrPermanent):
		// send the message without the code, or not at all
	}
}
