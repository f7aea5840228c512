package bigcommerce

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest/ingesttest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Paths of the fake API the docs' product webhook samples lead to.
const (
	product205 = "/v3/catalog/products/205"
	product167 = "/v3/catalog/products/167"
)

// productWithImagesAndVariants is the docs' product answer with the docs'
// image and variant list examples as its images and variants, as
// ?include=images,variants returns them.
func productWithImagesAndVariants(t *testing.T) []byte {
	t.Helper()
	var env map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(readFile(t, "api", "product_174.json"), &env))
	for key, file := range map[string]string{"images": "product_images.json", "variants": "product_variants.json"} {
		var list struct {
			Data json.RawMessage `json:"data"`
		}
		require.NoError(t, json.Unmarshal(readFile(t, "api", file), &list))
		env["data"][key] = list.Data
	}
	out, err := json.Marshal(env)
	require.NoError(t, err)
	return out
}

// TestResolveProductGolden resolves the docs' product webhook samples
// against an API answering with the docs' product examples and compares
// the events with testdata/resolve/*.golden.
func TestResolveProductGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, webhook string
		routes        map[string][]byte
		paths         []string
	}{
		{
			name: "store_product_created", webhook: "store_product_created",
			routes: map[string][]byte{product205: readFile(t, "api", "product_174.json")},
			paths:  []string{product205 + "?include=images,variants"},
		},
		{
			name: "store_product_updated", webhook: "store_product_updated",
			routes: map[string][]byte{product205: productWithImagesAndVariants(t)},
			paths:  []string{product205 + "?include=images,variants"},
		},
		{
			name: "store_product_updated_product_gone", webhook: "store_product_updated",
			paths: []string{product205 + "?include=images,variants"},
		},
		{
			name: "store_product_inventory_updated", webhook: "store_product_inventory_updated",
			routes: map[string][]byte{product167: readFile(t, "api", "product_174.json")},
			paths:  []string{product167 + "?include=images,variants"},
		},
		{
			name: "store_product_deleted", webhook: "store_product_deleted",
			paths: []string{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			for p, body := range tc.routes {
				b.api.on(p, json200(body))
			}
			evs, err := b.resolve(t, readFile(t, "webhooks", tc.webhook+".json"))
			require.NoError(t, err)
			ingesttest.Golden(t, filepath.Join("testdata", "resolve", tc.name+".golden"), eventLines(t, evs))
			require.Equal(t, tc.paths, b.api.paths())
			for _, r := range b.api.calls {
				require.Equal(t, "api-token", r.Header.Get(HeaderAuthToken))
				require.Equal(t, http.MethodGet, r.Method)
			}
		})
	}
}

// TestResolveProductFields checks the docs' product, with and without its
// images and variants, field by field.
func TestResolveProductFields(t *testing.T) {
	t.Parallel()
	modified := time.Date(2018, 9, 5, 20, 42, 7, 0, time.UTC)
	t.Run("bare", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.api.on(product205, json200(readFile(t, "api", "product_174.json")))
		evs, err := b.resolve(t, readFile(t, "webhooks", "store_product_created.json"))
		require.NoError(t, err)
		require.Len(t, evs, 1)
		ev := evs[0]
		require.Equal(t, event.ProductUpdated, ev.Type)
		require.Equal(t, &event.Product{
			ID: "174", Title: "1L Le Parfait Jar", Price: "7.95", Available: true, UpdatedAt: modified,
		}, ev.Data, "the API's id; no image; no URL without the storefront's domain; no currency")
		require.Equal(t, "product.updated:demo:174@2018-09-05T20:42:07Z", ev.Key)
		require.Equal(t, modified, ev.OccurredAt)
		require.Nil(t, ev.Customer)
		require.Equal(t, event.Source{Topic: ScopeProductCreated, DeliveryID: "store/product/created:a833a57fadd56a32dc752fb6ca0841dc9602a495:1561479233", APIVersion: "v3"}, ev.Source)
	})
	t.Run("with images and variants", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.api.on(product205, json200(productWithImagesAndVariants(t)))
		evs, err := b.resolve(t, readFile(t, "webhooks", "store_product_updated.json"))
		require.NoError(t, err)
		p := evs[0].Data.(*event.Product)
		require.Equal(t, "https://cdn8.bigcommerce.com/s-id30h7ohwf/products/158/images/382/foglinenbeigestripetowel1b_1024x1024__83011__60806.1534344511.560.850.jpg?c=2", p.ImageURL)
		require.True(t, p.Available, "inventory_tracking none: the variants' zero levels do not matter")
	})
}

// TestResolveProductDeleted: store/product/deleted needs no API, not even a
// store hash; its key is the one a 404 on another scope gives.
func TestResolveProductDeleted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.shop.Domain = ""
	n := notificationOf(t, b.shop, readFile(t, "webhooks", "store_product_deleted.json"))
	evs, err := b.fetcher.Resolve(t.Context(), b.shop, n)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	ev := evs[0]
	require.Equal(t, event.ProductDeleted, ev.Type)
	require.Equal(t, &event.ProductRef{ID: "205"}, ev.Data)
	require.Equal(t, "product.deleted:demo:205", ev.Key)
	require.Equal(t, time.Unix(1561479233, 0).UTC(), ev.OccurredAt)
	require.Empty(t, ev.Source.APIVersion)
	require.Empty(t, b.api.paths())

	gone := setup(t)
	evs, err = gone.resolve(t, readFile(t, "webhooks", "store_product_updated.json"))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, event.ProductDeleted, evs[0].Type)
	require.Equal(t, ev.Key, evs[0].Key)
	require.NotEqual(t, ev.ID, evs[0].ID, "another delivery, another event id")
}

func TestResolveProductAvailable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, product string
		want          bool
	}{
		{"not tracked", `"is_visible":true,"availability":"available","inventory_tracking":"none","inventory_level":0`, true},
		{"tracked, in stock", `"is_visible":true,"availability":"available","inventory_tracking":"product","inventory_level":3`, true},
		{"tracked, sold out", `"is_visible":true,"availability":"available","inventory_tracking":"product","inventory_level":0`, false},
		{"hidden", `"is_visible":false,"availability":"available","inventory_tracking":"none"`, false},
		{"visibility not sent", `"availability":"available","inventory_tracking":"none"`, false},
		{"purchase disabled", `"is_visible":true,"availability":"disabled","inventory_tracking":"none"`, false},
		{"preorder", `"is_visible":true,"availability":"preorder","inventory_tracking":"none"`, true},
		{"tracking not sent: the level decides", `"is_visible":true,"inventory_level":1`, true},
		{"by variant, one in stock", `"is_visible":true,"inventory_tracking":"variant","inventory_level":0,` +
			`"variants":[{"inventory_level":0},{"inventory_level":2}]`, true},
		{"by variant, the one in stock not purchasable", `"is_visible":true,"inventory_tracking":"variant","inventory_level":5,` +
			`"variants":[{"inventory_level":0},{"inventory_level":2,"purchasing_disabled":true}]`, false},
		{"by variant, no variants sent: the product's level", `"is_visible":true,"inventory_tracking":"variant","inventory_level":4`, true},
		{"by variant, none at all", `"is_visible":true,"inventory_tracking":"variant","inventory_level":0,"variants":[]`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.api.on(product205, json200([]byte(`{"data":{"id":205,"name":"Jar",`+tc.product+`},"meta":{}}`)))
			evs, err := b.resolve(t, readFile(t, "webhooks", "store_product_updated.json"))
			require.NoError(t, err)
			require.Equal(t, tc.want, evs[0].Data.(*event.Product).Available)
		})
	}
}

func TestResolveProductPriceAndImage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, product string
		price         event.Decimal
		image         string
	}{
		{"calculated price wins", `"price":10,"calculated_price":8.5`, "8.5", ""},
		{"price when no calculated price", `"price":"12.00"`, "12.00", ""},
		{"price hidden", `"price":10,"calculated_price":10,"is_price_hidden":true`, "", ""},
		{"thumbnail wins", `"images":[{"is_thumbnail":false,"url_standard":"https://cdn.example/a.jpg"},{"is_thumbnail":true,"url_standard":"https://cdn.example/b.jpg"}]`, "", "https://cdn.example/b.jpg"},
		{"first image without a thumbnail", `"images":[{"url_zoom":"https://cdn.example/a-zoom.jpg"},{"url_standard":"https://cdn.example/b.jpg"}]`, "", "https://cdn.example/a-zoom.jpg"},
		{"no images", `"images":[]`, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.api.on(product205, json200([]byte(`{"data":{"id":205,"name":"Jar",`+tc.product+`}}`)))
			evs, err := b.resolve(t, readFile(t, "webhooks", "store_product_updated.json"))
			require.NoError(t, err)
			p := evs[0].Data.(*event.Product)
			require.Equal(t, tc.price, p.Price)
			require.Equal(t, tc.image, p.ImageURL)
		})
	}
}

// TestResolveProductVersion: without date_modified the webhook's
// created_at versions the key, so two changes keep two keys.
func TestResolveProductVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.api.on(product205, json200([]byte(`{"data":{"name":"Jar"}}`)))
	evs, err := b.resolve(t, readFile(t, "webhooks", "store_product_updated.json"))
	require.NoError(t, err)
	require.Equal(t, "product.updated:demo:205@2019-06-25T16:13:53Z", evs[0].Key)
	require.Equal(t, "205", evs[0].Data.(*event.Product).ID, "the notification's id when the answer has none")
	require.True(t, evs[0].Data.(*event.Product).UpdatedAt.IsZero())
}

func TestResolveProductErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		reply     reply
		permanent bool
	}{
		{"401 token revoked", reply{status: http.StatusUnauthorized}, true},
		{"403 scope missing", reply{status: http.StatusForbidden}, true},
		{"500", reply{status: http.StatusInternalServerError}, false},
		{"no data", json200([]byte(`{"meta":{}}`)), true},
		{"not JSON", json200([]byte(`<html>`)), true},
		{"level not a number", json200([]byte(`{"data":{"id":205,"inventory_level":"many"}}`)), true},
		{"id a fraction", json200([]byte(`{"data":{"id":205.5}}`)), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.api.on(product205, tc.reply)
			evs, err := b.resolve(t, readFile(t, "webhooks", "store_product_created.json"))
			require.Error(t, err)
			require.Nil(t, evs)
			if tc.permanent {
				require.ErrorIs(t, err, ErrPermanent)
			} else {
				require.NotErrorIs(t, err, ErrPermanent)
			}
		})
	}
	t.Run("rate limited, then the product", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.api.on(product205,
			reply{status: http.StatusTooManyRequests, header: map[string]string{"X-Rate-Limit-Time-Reset-Ms": "1500"}},
			json200(readFile(t, "api", "product_174.json")))
		evs, err := b.resolve(t, readFile(t, "webhooks", "store_product_created.json"))
		require.NoError(t, err)
		require.Equal(t, event.ProductUpdated, evs[0].Type)
		require.Equal(t, []time.Duration{1500 * time.Millisecond}, b.slept())
	})
}

// TestNormalizeProductScopes: every product scope is a used scope whose
// thin form names the product; a product id must be numeric.
func TestNormalizeProductScopes(t *testing.T) {
	t.Parallel()
	for _, sc := range []string{ScopeProductCreated, ScopeProductUpdated, ScopeProductDeleted, ScopeProductInventoryUpdated} {
		require.Contains(t, Scopes(), sc)
		d, err := parseHookData(sc, json.RawMessage(`{"type":"product","id":"9007199254740993"}`))
		require.NoError(t, err)
		require.Equal(t, "9007199254740993", d.ID)
		_, err = parseHookData(sc, json.RawMessage(`{"type":"product","id":"../carts/1"}`))
		require.Error(t, err)
		_, err = parseHookData(sc, json.RawMessage(`{"type":"product"}`))
		require.Error(t, err)
	}
	require.False(t, Used("store/product/inventory/order/updated"), "fires on every order: not subscribed")
}

// FuzzDecodeProduct feeds any bytes to the product answer decoder and, when
// it accepts them, maps the product: never a panic, and the event always
// has an identity and encodes.
func FuzzDecodeProduct(f *testing.F) {
	for _, b := range seedFiles(f, "api/product_*.json") {
		f.Add(b)
	}
	f.Add([]byte(`{"data":{"id":1,"inventory_tracking":"VARIANT","variants":[{"inventory_level":-1}],"images":[{}]}}`))
	f.Add([]byte(`{"data":{"price":1e400,"calculated_price":null,"date_modified":"Fri, 31 Dec 9999 23:59:59 -2359"}}`))
	f.Add([]byte(`{"data":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n := &Notification{
			Shop: "demo", Scope: ScopeProductUpdated, Hash: "h", ReceivedAt: receivedAt,
			CreatedAt: receivedAt.Add(-time.Second), Data: json.RawMessage(`{"id":1}`),
		}
		b := &builder{shop: "demo", n: n}
		var env productEnvelope
		if json.Unmarshal(body, &env) != nil || env.Data == nil {
			return
		}
		if env.Data.ID == "" {
			env.Data.ID = "1"
		}
		for _, ev := range []*event.Event{b.productEvent(env.Data), b.productDeleted(env.Data.ID.String(), apiV3)} {
			require.NoError(t, ev.Validate())
			require.NotEmpty(t, ev.Key)
			require.Equal(t, receivedAt, ev.ReceivedAt)
			_, err := json.Marshal(ev)
			require.NoError(t, err)
		}
	})
}
