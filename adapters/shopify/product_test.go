package shopify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// TestProductSample checks the products/create and products/update samples
// field by field: the golden files hold the whole event.
func TestProductSample(t *testing.T) {
	t.Parallel()
	for _, topic := range []string{topicProductsCreate, topicProductsUpdate} {
		t.Run(topic, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			ev := b.single(t, topic, string(sample(t, "products_create")))
			updated := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
			require.Equal(t, event.ProductUpdated, ev.Type)
			require.Nil(t, ev.Customer)
			require.Equal(t, updated, ev.OccurredAt)
			require.Equal(t, "product.updated:demo:788032119674292922@2022-01-01T00:00:00Z", ev.Key)
			require.Equal(t, &event.Product{
				ID:        "788032119674292922",
				Title:     "Example T-Shirt",
				URL:       "https://demo.myshopify.com/products/example-t-shirt",
				Price:     "19.99",
				Available: true,
				UpdatedAt: updated,
			}, ev.Data)
			require.Equal(t, event.Source{Topic: topic, DeliveryID: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", APIVersion: "2026-07"}, ev.Source)
		})
	}
}

// TestProductCreateAndUpdateShareKey: one save of a new product fires both
// topics; the processor must see one change.
func TestProductCreateAndUpdateShareKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := string(sample(t, "products_create"))
	created := b.single(t, topicProductsCreate, body)
	updated := b.single(t, topicProductsUpdate, body)
	require.Equal(t, created.Key, updated.Key)
	later := b.single(t, topicProductsUpdate, `{"id": 788032119674292922, "updated_at": "2022-01-02T00:00:00Z"}`)
	require.NotEqual(t, created.Key, later.Key)
}

func TestProductAvailable(t *testing.T) {
	t.Parallel()
	const live = `"status": "active", "published_at": "2021-12-31T19:00:00-05:00"`
	for _, tc := range []struct {
		name, body string
		want       bool
	}{
		{"in stock", `{"id": 1, ` + live + `, "variants": [{"inventory_policy": "deny", "inventory_quantity": 3}]}`, true},
		{"one variant in stock", `{"id": 1, ` + live + `, "variants": [{"inventory_quantity": 0}, {"inventory_quantity": 1}]}`, true},
		{"sold out", `{"id": 1, ` + live + `, "variants": [{"inventory_policy": "deny", "inventory_quantity": 0}, {"inventory_quantity": -2}]}`, false},
		{"sold out but sells on", `{"id": 1, ` + live + `, "variants": [{"inventory_policy": "continue", "inventory_quantity": 0}]}`, true},
		{"policy upper case", `{"id": 1, ` + live + `, "variants": [{"inventory_policy": "CONTINUE", "inventory_quantity": 0}]}`, true},
		{"stock not tracked", `{"id": 1, ` + live + `, "variants": [{"inventory_management": null, "inventory_quantity": 0}]}`, true},
		{"stock tracked", `{"id": 1, ` + live + `, "variants": [{"inventory_management": "shopify", "inventory_quantity": 0}]}`, false},
		{"management of another type counts as absent", `{"id": 1, ` + live + `, "variants": [{"inventory_management": 7, "inventory_quantity": 0}]}`, false},
		{"quantity not sent", `{"id": 1, ` + live + `, "variants": [{"price": "5.00"}]}`, true},
		{"no variants", `{"id": 1, ` + live + `, "variants": []}`, false},
		{"variants not sent", `{"id": 1, ` + live + `}`, false},
		{"draft", `{"id": 1, "status": "draft", "published_at": "2021-12-31T19:00:00-05:00", "variants": [{"inventory_quantity": 5}]}`, false},
		{"archived", `{"id": 1, "status": "archived", "published_at": "2021-12-31T19:00:00-05:00", "variants": [{"inventory_quantity": 5}]}`, false},
		{"status upper case", `{"id": 1, "status": "ACTIVE", "published_at": "2021-12-31T19:00:00-05:00", "variants": [{"inventory_quantity": 5}]}`, true},
		{"no status (old API versions)", `{"id": 1, "published_at": "2021-12-31T19:00:00-05:00", "variants": [{"inventory_quantity": 5}]}`, true},
		{"unpublished", `{"id": 1, "status": "active", "published_at": null, "variants": [{"inventory_quantity": 5}]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := setup(t).single(t, topicProductsUpdate, tc.body)
			require.Equal(t, tc.want, ev.Data.(*event.Product).Available)
		})
	}
}

func TestProductPrice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, variants string
		want           event.Decimal
	}{
		{"lowest wins", `[{"price": "24.00"}, {"price": "19.5"}, {"price": "19.99"}]`, "19.5"},
		{"compared as numbers, not text", `[{"price": "9.99"}, {"price": "10.00"}]`, "9.99"},
		{"first of equal prices keeps its text", `[{"price": "20"}, {"price": "20.00"}]`, "20"},
		{"JSON number kept as text", `[{"price": 12.50}]`, "12.50"},
		{"not decimals skipped", `[{"price": "free"}, {"price": "1e3"}, {"price": "0x10"}, {"price": "7.00"}]`, "7.00"},
		{"null price skipped", `[{"price": null}, {"price": "3.00"}]`, "3.00"},
		{"nothing usable", `[{"price": "n/a"}, {}]`, ""},
		{"no variants", `[]`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := setup(t).single(t, topicProductsUpdate, `{"id": 1, "variants": `+tc.variants+`}`)
			require.Equal(t, tc.want, ev.Data.(*event.Product).Price)
		})
	}
}

func TestProductImageAndURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, image, url string
	}{
		{
			"image object", `{"id": 1, "handle": "mug", "image": {"src": "https://cdn.shopify.com/a.png"}, "images": [{"src": "https://cdn.shopify.com/b.png"}]}`,
			"https://cdn.shopify.com/a.png", "https://demo.myshopify.com/products/mug",
		},
		{
			"first of images", `{"id": 1, "handle": "mug", "image": null, "images": [{"src": "https://cdn.shopify.com/b.png"}, {"src": "https://cdn.shopify.com/c.png"}]}`,
			"https://cdn.shopify.com/b.png", "https://demo.myshopify.com/products/mug",
		},
		{"images of the wrong shape ignored", `{"id": 1, "images": "https://cdn.shopify.com/b.png"}`, "", ""},
		{"handle escaped", `{"id": 1, "handle": "mug/../admin?x"}`, "", "https://demo.myshopify.com/products/mug%2F..%2Fadmin%3Fx"},
		{"no handle, no URL", `{"id": 1, "title": "Mug"}`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := setup(t).single(t, topicProductsUpdate, tc.body).Data.(*event.Product)
			require.Equal(t, tc.image, p.ImageURL)
			require.Equal(t, tc.url, p.URL)
		})
	}
	t.Run("shop domain with scheme", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.shop.Domain = "https://Demo.myshopify.com/"
		p := b.single(t, topicProductsUpdate, `{"id": 1, "handle": "mug"}`).Data.(*event.Product)
		require.Equal(t, "https://demo.myshopify.com/products/mug", p.URL)
	})
	t.Run("shop without domain", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.shop.Domain = ""
		p := b.single(t, topicProductsUpdate, `{"id": 1, "handle": "mug"}`).Data.(*event.Product)
		require.Empty(t, p.URL)
	})
}

// TestProductWithoutTimes: no updated_at or created_at, so the trigger time
// is both occurred_at and the version.
func TestProductWithoutTimes(t *testing.T) {
	t.Parallel()
	ev := setup(t).single(t, topicProductsUpdate, `{"id": 18446744073709551615, "title": "Big"}`)
	at := time.Date(2026, 7, 1, 11, 59, 58, 123456789, time.UTC)
	require.Equal(t, at, ev.OccurredAt)
	require.Equal(t, "product.updated:demo:18446744073709551615@2026-07-01T11:59:58.123456789Z", ev.Key)
	p := ev.Data.(*event.Product)
	require.Equal(t, "18446744073709551615", p.ID)
	require.True(t, p.UpdatedAt.IsZero())
	require.False(t, p.Available)
}

func TestProductDelete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ev := b.single(t, topicProductsDelete, string(sample(t, "products_delete")))
	require.Equal(t, event.ProductDeleted, ev.Type)
	require.Equal(t, &event.ProductRef{ID: "788032119674292922"}, ev.Data)
	require.Equal(t, "product.deleted:demo:788032119674292922", ev.Key, "deleted once: no version")
	require.Equal(t, time.Date(2026, 7, 1, 11, 59, 58, 123456789, time.UTC), ev.OccurredAt)
	require.Nil(t, ev.Customer)
	again := b.single(t, topicProductsDelete, `{"id": "788032119674292922"}`)
	require.Equal(t, ev.Key, again.Key, "a string id is the same product")
}

func TestProductMalformed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, topic, body string }{
		{"product without id", topicProductsUpdate, `{"title": "Mug"}`},
		{"product with null id", topicProductsCreate, `{"id": null, "title": "Mug"}`},
		{"deleted product without id", topicProductsDelete, `{}`},
		{"object id", topicProductsDelete, `{"id": {"id": 1}}`},
		{"array body", topicProductsUpdate, `[{"id": 1}]`},
		{"variants not an array", topicProductsUpdate, `{"id": 1, "variants": {"price": "1.00"}}`},
		{"fractional quantity", topicProductsUpdate, `{"id": 1, "variants": [{"inventory_quantity": 1.5}]}`},
		{"title not a string", topicProductsUpdate, `{"id": 1, "title": 7}`},
		{"bad updated_at", topicProductsUpdate, `{"id": 1, "updated_at": "last week"}`},
		{"bad published_at", topicProductsCreate, `{"id": 1, "published_at": 1640995200}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			res, err := b.adapter.Normalize(b.shop, b.request(tc.topic, []byte(tc.body)))
			require.ErrorIs(t, err, ingest.ErrMalformed)
			require.Nil(t, res)
			require.NotContains(t, err.Error(), "Mug")
		})
	}
}

func TestIsDecimal(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"19.99": true, "20": true, "0": true, "-1.5": true, "0.000": true,
		"": false, "-": false, ".5": false, "5.": false, "1.2.3": false, "1e3": false,
		"0x10": false, "1/2": false, " 1": false, "+1": false, "12345678901234567890123456789012345678901": false,
	} {
		require.Equal(t, want, isDecimal(s), "%q", s)
	}
}
