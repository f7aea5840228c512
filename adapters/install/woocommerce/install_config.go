package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// Saver stores a shop created or renewed by an install. Save creates the
// record or replaces the fields an install owns (ID, Platform, Domain,
// APIToken, WebhookSecret, Timezone, PublicKey), keeping the rest of an
// existing record. It must be safe for concurrent use and keep credentials
// out of logs.
type Saver interface {
	Save(ctx context.Context, s *shop.Shop) error
}

// States keeps single-use values for a while. Put stores value under key
// for ttl; Take returns the value and deletes it in one atomic step (so two
// concurrent Takes never both get it), and nil, nil when there is none (never
// put, taken already, or expired). Implementations are safe for concurrent
// use; RedisStates is the one for production.
type States interface {
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Take(ctx context.Context, key string) ([]byte, error)
}

// Defaults of Config.
const (
	DefaultAppName         = "Boomerang"
	DefaultStateTTL        = 30 * time.Minute
	DefaultCallbackTimeout = 45 * time.Second
	DefaultMaxBodyBytes    = 64 << 10
	// minSecretKey is the shortest SecretKey accepted.
	minSecretKey = 16
)

// Config configures the WooCommerce key-grant install.
type Config struct {
	// PublicURL is Boomerang's address as stores and browsers reach it
	// (BOOMERANG_PUBLIC_URL): callback_url, return_url and the webhooks'
	// delivery URL are built on it. WooCommerce requires an https
	// callback_url. Required, absolute http(s).
	PublicURL string
	// SecretKey (BOOMERANG_SECRET_KEY) signs the one-time tokens and derives
	// each shop's storefront public key. Required, at least 16 bytes.
	SecretKey []byte
	// States keeps the one-time tokens and the install results. Required.
	States States
	// Saver stores the installed shop. Required.
	Saver Saver
	// AppName is the app_name the merchant sees on the grant screen.
	// Default DefaultAppName.
	AppName string
	// StateTTL is how long an install may take from the redirect to the
	// callback. Default DefaultStateTTL.
	StateTTL time.Duration
	// CallbackTimeout bounds the work done while WooCommerce waits for the
	// callback's answer (it gives up after 60 s). Default
	// DefaultCallbackTimeout.
	CallbackTimeout time.Duration
	// MaxBodyBytes bounds the callback's body. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// AllowPrivateHosts lets store URLs name loopback, private and
	// link-local addresses (tests, a store on the same network). Default
	// false: such URLs are refused, and the default HTTP client refuses to
	// connect to such addresses whatever a name resolves to.
	AllowPrivateHosts bool
	// HTTPClient calls the stores. Default: a client with a 10 s timeout
	// whose dialer enforces AllowPrivateHosts. Credentialed calls use a copy
	// that never follows redirects.
	HTTPClient *http.Client
	// Now is the clock (OAuth timestamps). Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

func (c *Config) fill() error {
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return errors.New("woocommerce install: PublicURL must be an absolute http(s) URL without credentials, query or fragment")
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if len(c.SecretKey) < minSecretKey {
		return fmt.Errorf("woocommerce install: SecretKey must have at least %d bytes", minSecretKey)
	}
	if c.States == nil {
		return errors.New("woocommerce install: States is required")
	}
	if c.Saver == nil {
		return errors.New("woocommerce install: Saver is required")
	}
	if c.AppName == "" {
		c.AppName = DefaultAppName
	}
	if c.StateTTL < 0 || c.CallbackTimeout < 0 || c.MaxBodyBytes < 0 {
		return errors.New("woocommerce install: StateTTL, CallbackTimeout and MaxBodyBytes cannot be negative")
	}
	if c.StateTTL == 0 {
		c.StateTTL = DefaultStateTTL
	}
	if c.CallbackTimeout == 0 {
		c.CallbackTimeout = DefaultCallbackTimeout
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.HTTPClient == nil {
		c.HTTPClient = guardedClient(c.AllowPrivateHosts)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	c.Logger = c.Logger.Named("install.woocommerce")
	return nil
}

// guardedClient is the default client: 10 s timeout, no proxy, and unless
// allowPrivate a dialer that refuses non-public addresses, so a store URL
// cannot point Boomerang at its own network.
func guardedClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		d.Control = refusePrivate
	}
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: 5 * time.Second, MaxIdleConnsPerHost: 2},
	}
}

// refusePrivate is a dialer Control refusing loopback, private, link-local,
// multicast and unspecified addresses.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	if !publicAddr(ip) {
		return fmt.Errorf("refusing to connect to non-public address %s", ip)
	}
	return nil
}

// publicAddr reports whether ip is a public unicast address.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() &&
		!ip.IsLinkLocalMulticast() && !ip.IsInterfaceLocalMulticast() && !ip.IsMulticast() && !ip.IsUnspecified() &&
		!cgnat.Contains(ip)
}

// cgnat is the shared address space (RFC 6598), not reachable publicly.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")
