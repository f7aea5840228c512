package shopify_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
)

// FuzzVerifyQuery: any query string is read without panicking; a query
// signed with SignQuery verifies, and changing a signed value or the secret
// makes it fail.
func FuzzVerifyQuery(f *testing.F) {
	f.Add("code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173", "hush")
	f.Add("shop=a.myshopify.com&timestamp=1&host=YWRtaW4=&hmac=zz", "secret")
	f.Add("a=1&a=2&b=%20+&c=%26%3D&ids[]=1&ids[]=2&signature=x", "k")
	f.Add("hmac=&hmac=&=", "")
	f.Add("%zz", "k")
	f.Fuzz(func(t *testing.T, raw, secret string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		_ = shopify.VerifyQuery(secret, q)
		if secret == "" {
			q.Set("hmac", shopify.SignQuery(secret, q))
			if shopify.VerifyQuery(secret, q) {
				t.Fatal("an empty secret verified")
			}
			return
		}
		q.Del("signature")
		q.Set("hmac", shopify.SignQuery(secret, q))
		if !shopify.VerifyQuery(secret, q) {
			t.Fatalf("a signed query did not verify: %q", shopify.QueryMessage(q))
		}
		if shopify.VerifyQuery(secret+"x", q) {
			t.Fatal("verified under another secret")
		}
		for k, v := range q {
			if k == "hmac" || len(v) == 0 {
				continue
			}
			changed := url.Values{}
			for k2, v2 := range q {
				changed[k2] = append([]string(nil), v2...)
			}
			changed[k][0] += "x"
			if shopify.VerifyQuery(secret, changed) {
				t.Fatalf("changing %q kept the signature valid", k)
			}
			break
		}
	})
}

// FuzzValidShopDomain: an accepted domain is a plain myshopify host, safe to
// put in a URL's host, and its shop id is lower case.
func FuzzValidShopDomain(f *testing.F) {
	for _, s := range []string{"acme.myshopify.com", "A-b.myshopify.com", "-a.myshopify.com", "a.myshopify.com/x", "a..myshopify.com", "évil.myshopify.com", "a.myshopify.com\x00"} {
		f.Add(s)
	}
	client, err := shopify.NewClient(shopify.ClientConfig{APIKey: "k", APISecret: "s"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, domain string) {
		if !shopify.ValidShopDomain(domain) {
			return
		}
		if strings.ContainsAny(domain, "/:@?#%\\ \t\r\n\x00_") || !strings.HasSuffix(domain, ".myshopify.com") || strings.HasPrefix(domain, "-") {
			t.Fatalf("accepted %q", domain)
		}
		id := shopify.ShopID(domain)
		if !strings.HasPrefix(id, "shp-") || id != strings.ToLower(id) || strings.Contains(id, ".") {
			t.Fatalf("shop id %q of %q", id, domain)
		}
		base, err := client.BaseURL(domain, "")
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(base)
		if err != nil || u.Host != strings.ToLower(domain) || u.Path != "" {
			t.Fatalf("base %q of %q", base, domain)
		}
	})
}
