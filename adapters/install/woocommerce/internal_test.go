package woocommerce

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestCleanStoreURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, err string }{
		{"shop.example", "https://shop.example", ""},
		{"  HTTPS://Shop.Example/  ", "https://shop.example", ""},
		{"http://shop.example:8080/store/", "http://shop.example:8080/store", ""},
		{"https://shop.example./", "https://shop.example", ""},
		{"https://[2001:db8::1]:8443/", "https://[2001:db8::1]:8443", ""},
		{"https://1.2.3.4", "https://1.2.3.4", ""},
		{"", "", "empty"},
		{"ftp://shop.example", "", "https://"},
		{"javascript:alert(1)", "", "not a URL"},
		{"https://u:p@shop.example", "", "user name"},
		{"https://shop.example/#frag", "", "fragment"},
		{"https://shop.example/?q=1", "", "query"},
		{"https://shop example", "", "spaces"},
		{"https://shop.example\\@evil.example", "", "backslashes"},
		{"https://shop.example:0", "", "port"},
		{"https://shop.example:99999", "", "port"},
		{"https://shop.example:", "", "empty port"},
		{"https://-shop.example", "", "host name"},
		{"https://shop..example", "", "host name"},
		{"https://shop.example/a/../wp-admin", "", ". or .."},
		{"https://shop.example/a/%2e%2e/b", "", ". or .."},
		{"https://localhost", "", "private"},
		{"https://127.0.0.1:8080", "", "private"},
		{"https://[::ffff:10.0.0.1]", "", "private"},
		{"https://100.64.1.1", "", "private"},
		{"https://[fe80::1%25eth0]", "", "zone"},
	}
	for _, tt := range tests {
		got, err := cleanStoreURL(tt.in, false)
		if tt.err != "" {
			require.ErrorIs(t, err, errStoreURL, tt.in)
			require.ErrorContains(t, err, tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
	got, err := cleanStoreURL("http://127.0.0.1:8080/", true)
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:8080", got)
}

// FuzzCleanStoreURL: a cleaned URL is absolute http(s) with a host and no
// credentials, query or fragment, cleans to itself, and names no private
// address.
func FuzzCleanStoreURL(f *testing.F) {
	for _, s := range []string{
		"shop.example", "https://shop.example/", "http://a.b:1/c/d/", "https://[::1]/", "https://u@h",
		"https://h/#", "https://h/?", "HTTP://X.Y", "https://h/%2e%2e", "https://h:65535", "https://xn--d1acj3b.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := cleanStoreURL(in, false)
		if err != nil {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(got, "?# \\") || strings.HasSuffix(got, "/") {
			t.Fatalf("cleanStoreURL(%q) = %q: not a clean store URL", in, got)
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !publicAddr(ip) {
			t.Fatalf("cleanStoreURL(%q) = %q names a private address", in, got)
		}
		again, err := cleanStoreURL(got, false)
		if err != nil || again != got {
			t.Fatalf("cleanStoreURL is not idempotent: %q → %q → %q (%v)", in, got, again, err)
		}
		if id := shopID(got); !strings.HasPrefix(id, ShopIDPrefix) || strings.Trim(id[len(ShopIDPrefix):], "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			t.Fatalf("shopID(%q) = %q", got, id)
		}
	})
}

func TestShopID(t *testing.T) {
	t.Parallel()
	require.Equal(t, "woo-shop-example", shopID("https://shop.example"))
	require.Equal(t, "woo-shop-example-8080", shopID("http://shop.example:8080/store"))
	require.Equal(t, "woo-2001-db8--1", shopID("https://[2001:db8::1]"))
}

func TestTokens(t *testing.T) {
	t.Parallel()
	token, nonce := newToken(testKey)
	got, ok := parseToken(testKey, token)
	require.True(t, ok)
	require.Equal(t, nonce, got)
	_, ok = parseToken([]byte("another key of 32 bytes, exactly"), token)
	require.False(t, ok, "a token of another key")
	other, _ := newToken(testKey)
	require.NotEqual(t, token, other)
	mixed := token[:33] + other[33:]
	_, ok = parseToken(testKey, mixed)
	require.False(t, ok, "a nonce with another token's mac")
}

func FuzzParseToken(f *testing.F) {
	token, _ := newToken(testKey)
	f.Add(token)
	f.Add(strings.Repeat("A", 32) + "." + strings.Repeat("A", 22))
	f.Add("")
	f.Add(token + "=")
	f.Fuzz(func(t *testing.T, in string) {
		nonce, ok := parseToken(testKey, in)
		if !ok {
			return
		}
		if in != nonce+"."+b64.EncodeToString(tokenMAC(testKey, nonce)) {
			t.Fatalf("parseToken accepted %q, which is not the token of its nonce", in)
		}
	})
}

func TestParseGrant(t *testing.T) {
	t.Parallel()
	g, err := parseGrant([]byte(`{"key_id":1,"user_id":123,"consumer_key":"ck_0123456789abcdef","consumer_secret":"cs_0123456789abcdef","key_permissions":"read_write"}`))
	require.NoError(t, err, "the docs' example shape, numeric user_id")
	require.Equal(t, "123", g.userID)
	require.Equal(t, "read_write", g.permissions)
	for _, bad := range []string{
		``, `[]`, `{"user_id":"x"}`, `{"user_id":null,"consumer_key":"ck_0123456789","consumer_secret":"cs_0123456789","key_permissions":"read"}`,
		`{"user_id":"x","consumer_key":"ck_0123456789","consumer_secret":"cs_0123456789"}`,
		`{"user_id":"x","consumer_key":"ck_01234567:9","consumer_secret":"cs_0123456789","key_permissions":"read"}`,
		`{"user_id":"x","consumer_key":"ck_0123456789","consumer_secret":"cs_0123456789","key_permissions":"read"} x`,
	} {
		_, err := parseGrant([]byte(bad))
		require.ErrorIs(t, err, errGrant, bad)
	}
}

func FuzzParseGrant(f *testing.F) {
	f.Add([]byte(`{"key_id":1,"user_id":"abc","consumer_key":"ck_0123456789abcdef","consumer_secret":"cs_0123456789abcdef","key_permissions":"read_write"}`))
	f.Add([]byte(`{"user_id":1e400}`))
	f.Add([]byte(`{"user_id":"\u0000"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		g, err := parseGrant(raw)
		if err != nil {
			return
		}
		if strings.Contains(g.key+g.secret, ":") || !consumerKeyRE.MatchString(g.key) || !consumerSecretRE.MatchString(g.secret) ||
			g.permissions == "" || g.userID == "" {
			t.Fatalf("parseGrant accepted an out-of-shape grant: %+v", g)
		}
	})
}

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"8.8.8.8": true, "2606:4700::1": true, "127.0.0.1": false, "10.1.2.3": false, "192.168.1.1": false,
		"169.254.169.254": false, "::1": false, "fd00::1": false, "0.0.0.0": false, "::ffff:127.0.0.1": false, "100.100.1.1": false,
	} {
		require.Equal(t, want, publicAddr(netip.MustParseAddr(s)), s)
	}
	require.Error(t, refusePrivate("tcp", "127.0.0.1:80", nil))
	require.NoError(t, refusePrivate("tcp", "8.8.8.8:443", nil))
}

func TestNewWebhookSecret(t *testing.T) {
	t.Parallel()
	a, b := newWebhookSecret(), newWebhookSecret()
	require.Regexp(t, `^[A-Za-z0-9]{40}$`, a)
	require.NotEqual(t, a, b)
}
