package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/twilio"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/flows/template"
	"github.com/boomerang-dev/boomerang/processor/send"
)

// providerHTTPTimeout bounds one request to SendGrid or Twilio (both
// adapters' own default).
const providerHTTPTimeout = 10 * time.Second

// accountBookConfig configures an accountBook.
type accountBookConfig struct {
	// Shops holds the shops' own accounts (email.sendgrid_api_key,
	// sms.twilio_account_sid and sms.twilio_auth_token). Required.
	Shops *shop.Registry
	// SendGridAPIKey is the role's account (SENDGRID_API_KEY), for shops
	// without their own; SendGridURL the API base for every key.
	SendGridAPIKey, SendGridURL string
	// TwilioAccountSID and TwilioAuthToken are the role's account, for
	// shops without their own; TwilioURL the API base for every account.
	TwilioAccountSID, TwilioAuthToken, TwilioURL string
	// StatusCallback is the Twilio status callback URL of the role's
	// account (the public URL's /webhooks/twilio).
	StatusCallback string
	// ShopStatusCallback is the status callback URL of a shop with its own
	// Twilio account (the public URL's /webhooks/twilio/{shop}): Twilio
	// signs those callbacks with the shop's token, which that path checks.
	// Nil: StatusCallback for every shop.
	ShopStatusCallback func(shopID string) string
	// Transport carries the providers' requests. Default
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Limiter configures every account's limiter.
	Limiter send.LimiterConfig
	// Now is the clock that reads the providers' reset headers; it must be
	// the Router's. Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// accountBook resolves which provider account each shop's messages go
// through (send.Accounts) and keeps one client and one limiter per account,
// built on first use and kept for the life of the role. A shop's own
// account (its SendGrid key; its Twilio account or subaccount, SID and
// token) wins over the role's. Accounts are found by a hash of their
// credentials: the map never holds a key as a key, and the short form of
// the hash names the account in logs and errors.
type accountBook struct {
	cfg accountBookConfig

	mu       sync.Mutex
	accounts map[string]*send.Account // by full credential hash
}

var _ send.Accounts = (*accountBook)(nil)

// newAccountBook fills cfg's defaults.
func newAccountBook(cfg accountBookConfig) (*accountBook, error) {
	if cfg.Shops == nil {
		return nil, errors.New("accounts: Shops is required")
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if _, err := send.NewLimiter(cfg.Limiter); err != nil {
		return nil, err
	}
	return &accountBook{cfg: cfg, accounts: map[string]*send.Account{}}, nil
}

// Route implements send.Accounts.
func (b *accountBook) Route(d *send.Delivery) (send.Route, error) {
	s, ok := b.cfg.Shops.Get(d.Cmd.Shop)
	if !ok {
		return send.Route{}, fmt.Errorf("%w: shop %q is not configured", send.ErrPermanent, d.Cmd.Shop)
	}
	switch d.Cmd.Channel {
	case event.ChannelEmail:
		return b.emailRoute(s)
	case event.ChannelSMS:
		return b.smsRoute(s, d.Rendered)
	}
	return send.Route{}, fmt.Errorf("%w: no provider for channel %q", send.ErrPermanent, d.Cmd.Channel)
}

// emailRoute is the shop's SendGrid account: its own key with its own rate,
// else the role's key at the default rate, one bucket per key.
func (b *accountBook) emailRoute(s *shop.Shop) (send.Route, error) {
	key, lim := b.cfg.SendGridAPIKey, send.Limit{Rate: defaultSendGridRate}
	if s.Email.SendGridAPIKey != "" {
		key = s.Email.SendGridAPIKey
		if s.Email.SendGridRate > 0 {
			lim.Rate = s.Email.SendGridRate
		}
	}
	if key == "" {
		return send.Route{}, fmt.Errorf("%w: shop %s has no SendGrid account (email.sendgrid_api_key, or SENDGRID_API_KEY for every shop)",
			send.ErrPermanent, s.ID)
	}
	acct, err := b.account(sendgrid.Provider, []string{b.cfg.SendGridURL, key}, func(log *zap.Logger, hc *http.Client) (send.Provider, error) {
		c, err := sendgrid.New(sendgrid.Config{
			APIKey: key, BaseURL: b.cfg.SendGridURL, HTTPClient: hc, MaxAttempts: 1, Logger: log,
		})
		if err != nil {
			return nil, err
		}
		return sendgridProvider{client: c, shops: b.cfg.Shops, now: b.cfg.Now}, nil
	})
	if err != nil {
		return send.Route{}, err
	}
	return send.Route{Account: acct, Limit: lim, Cost: 1}, nil
}

// smsRoute is the shop's Twilio account: its own SID and token, else the
// role's; the bucket is the shop's sender (Messaging Service or From
// number) at its throughput, and a message costs its segments.
func (b *accountBook) smsRoute(s *shop.Shop, r *send.Rendered) (send.Route, error) {
	sid, token := b.cfg.TwilioAccountSID, b.cfg.TwilioAuthToken
	if s.SMS.TwilioAccountSID != "" {
		sid, token = s.SMS.TwilioAccountSID, s.SMS.TwilioAuthToken
	}
	if sid == "" || token == "" {
		return send.Route{}, fmt.Errorf("%w: shop %s has no Twilio account (sms.twilio_account_sid and sms.twilio_auth_token, or TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN for every shop)",
			send.ErrPermanent, s.ID)
	}
	acct, err := b.account("twilio", []string{b.cfg.TwilioURL, sid, token}, func(log *zap.Logger, hc *http.Client) (send.Provider, error) {
		c, err := twilio.New(twilio.Config{
			AccountSID: sid, AuthToken: token, BaseURL: b.cfg.TwilioURL, HTTPClient: hc, MaxAttempts: 1,
			StatusCallback: b.cfg.StatusCallback, Logger: log,
		})
		if err != nil {
			return nil, err
		}
		return twilioProvider{client: c, shops: b.cfg.Shops, now: b.cfg.Now, callback: b.statusCallback}, nil
	})
	if err != nil {
		return send.Route{}, err
	}
	sender := s.SMS.MessagingServiceSID
	if sender == "" {
		sender = s.SMS.From
	}
	lim := send.Limit{Rate: defaultSMSThroughput}
	if s.SMS.Throughput > 0 {
		lim.Rate = s.SMS.Throughput
	}
	cost := 1
	if r != nil {
		_, cost = template.Segments(r.Body)
	}
	return send.Route{Account: acct, Sender: sender, Limit: lim, Cost: float64(max(cost, 1))}, nil
}

// statusCallback is the status callback base of s's messages: its own
// path when it has its own Twilio account, else "" (the client's, the
// role's path).
func (b *accountBook) statusCallback(s *shop.Shop) string {
	if s.SMS.TwilioAccountSID == "" || b.cfg.ShopStatusCallback == nil {
		return ""
	}
	return b.cfg.ShopStatusCallback(s.ID)
}

// account returns the account whose credentials are creds, building its
// client with build the first time. The client gets its own HTTP client
// (10 s timeout, our transport observed for reset headers) and makes one
// request per message: a 429 or an outage is handed back to JetStream,
// never waited out inside the worker.
func (b *accountBook) account(provider string, creds []string, build func(*zap.Logger, *http.Client) (send.Provider, error)) (*send.Account, error) {
	id := credentialHash(provider, creds)
	b.mu.Lock()
	defer b.mu.Unlock()
	if a, ok := b.accounts[id]; ok {
		return a, nil
	}
	key := provider + "-" + id[:12]
	log := b.cfg.Logger.Named(provider).With(zap.String("account", key))
	p, err := build(log, &http.Client{Timeout: providerHTTPTimeout, Transport: observingTransport{next: b.cfg.Transport}})
	if err != nil {
		// The message names the account, never its credentials; the
		// adapters' config errors do not quote them either.
		return nil, fmt.Errorf("%w: %s account %s: %w", send.ErrPermanent, provider, key, err)
	}
	lim, err := send.NewLimiter(b.cfg.Limiter)
	if err != nil {
		return nil, err
	}
	a := &send.Account{Key: key, Provider: p, Limiter: lim}
	b.accounts[id] = a
	log.Info("provider account ready")
	return a, nil
}

// credentialHash is the hex SHA-256 of a provider's name and credentials,
// each length-prefixed so that no two lists hash alike.
func credentialHash(provider string, creds []string) string {
	h := sha256.New()
	for _, c := range append([]string{provider}, creds...) {
		_, _ = fmt.Fprintf(h, "%d:%s;", len(c), c)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// configured reports whether channel has any account: the role's, or at
// least one shop's own. Without any, the channel goes to the dev outbox.
func (b *accountBook) configured(channel string) bool {
	return b.global(channel) || len(b.ownAccounts(channel, true)) > 0
}

// global reports whether the role has an account of its own for channel.
func (b *accountBook) global(channel string) bool {
	switch channel {
	case event.ChannelEmail:
		return b.cfg.SendGridAPIKey != ""
	case event.ChannelSMS:
		return b.cfg.TwilioAccountSID != "" && b.cfg.TwilioAuthToken != ""
	}
	return false
}

// ownAccounts lists the shops that have (have is true) or lack their own
// account for channel.
func (b *accountBook) ownAccounts(channel string, have bool) []string {
	var out []string
	for _, s := range b.cfg.Shops.All() {
		var own bool
		switch channel {
		case event.ChannelEmail:
			own = s.Email.SendGridAPIKey != ""
		case event.ChannelSMS:
			own = s.SMS.TwilioAccountSID != ""
		default:
			continue
		}
		if own == have {
			out = append(out, s.ID)
		}
	}
	return out
}
