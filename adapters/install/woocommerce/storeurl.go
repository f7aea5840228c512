package woocommerce

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// errStoreURL explains a store URL that cannot be used; its message is
// safe to show the merchant.
var errStoreURL = errors.New("store URL")

// maxStoreURLLen bounds a store URL.
const maxStoreURLLen = 2048

func storeURLError(msg string) error { return fmt.Errorf("%w %s", errStoreURL, msg) }

// cleanStoreURL checks a store URL as a merchant types it and returns its
// canonical form: scheme and host in lower case, the port only when given,
// the path (a WordPress in a sub-directory) without a trailing slash, no
// query, fragment or credentials. A URL without a scheme is taken as https.
// Loopback, private and link-local IP literals and "localhost" are refused
// unless allowPrivate.
func cleanStoreURL(raw string, allowPrivate bool) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", storeURLError("is empty")
	}
	if len(s) > maxStoreURLLen {
		return "", storeURLError("is too long")
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '\\' {
			return "", storeURLError("has spaces, backslashes or control characters")
		}
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	if strings.ContainsAny(s, "#?") {
		return "", storeURLError("must not have a query or fragment (# or ?)")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", storeURLError("is not a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", storeURLError("must start with https:// or http://")
	}
	if u.User != nil || strings.Contains(u.Host, "@") {
		return "", storeURLError("must not hold a user name or password")
	}
	if u.Opaque != "" || u.Host == "" {
		return "", storeURLError("has no host")
	}
	host, port := u.Hostname(), u.Port()
	if strings.HasSuffix(u.Host, ":") {
		return "", storeURLError("has an empty port")
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", storeURLError("has an invalid port")
		}
	}
	host = strings.ToLower(host)
	ip, ipErr := netip.ParseAddr(host)
	switch {
	case ipErr == nil:
		if ip.Zone() != "" {
			return "", storeURLError("has an IPv6 zone")
		}
		if !allowPrivate && !publicAddr(ip) {
			return "", storeURLError("names a private or local address")
		}
	case !validHostname(host):
		return "", storeURLError("has an invalid host name")
	case !allowPrivate && (host == "localhost" || strings.HasSuffix(host, ".localhost")):
		return "", storeURLError("names a private or local address")
	}
	host = strings.TrimSuffix(host, ".")
	path := strings.TrimRight(u.EscapedPath(), "/")
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == "." || seg == ".." {
			return "", storeURLError("has . or .. in its path")
		}
	}
	hostPort := host
	if strings.Contains(host, ":") { // IPv6 literal
		hostPort = "[" + host + "]"
	}
	if port != "" {
		hostPort = net.JoinHostPort(host, port)
	}
	return scheme + "://" + hostPort + path, nil
}

// validHostname reports whether h is a DNS name: dot-separated labels of
// letters, digits and inner hyphens (underscores tolerated), at most 253
// bytes, with a trailing dot allowed.
func validHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := range len(label) {
			c := label[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}

// shopID is the id of the shop installed for a canonical store URL:
// "woo-" and the host (with its port) with every character other than
// letters, digits and hyphens turned into a hyphen.
func shopID(storeURL string) string {
	u, err := url.Parse(storeURL)
	if err != nil {
		return ShopIDPrefix + "invalid"
	}
	host := strings.TrimSuffix(strings.ToLower(u.Host), ".")
	b := []byte(host)
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			b[i] = '-'
		}
	}
	return ShopIDPrefix + strings.Trim(string(b), "-")
}
