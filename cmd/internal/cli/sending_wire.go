package cli

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/twilio"
	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/adapters/webhookout"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/flows/template"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
	"github.com/boomerang-dev/boomerang/processor/send"
)

// senderDurable is the senders' consumer on OUTBOX.
const senderDurable = "sender"

// renderer renders send commands with the template library, the shop's
// identity and a signed unsubscribe link.
type renderer struct {
	shops     *shop.Registry
	signer    *web.Signer
	publicURL func() string
	now       func() time.Time
	// madeUp reports whether a shop's discount codes exist nowhere (no
	// store API credentials, or a replay). Nil: none are.
	madeUp func(shop string) bool
}

func (r renderer) Render(_ context.Context, c *processor.SendCommand, p *processor.Profile) (*send.Rendered, error) {
	s, ok := r.shops.Get(c.Shop)
	if !ok {
		return nil, fmt.Errorf("shop %q is not configured", c.Shop)
	}
	name := senderName(s)
	d := &template.Data{
		Shop: template.Shop{
			Name: name, Domain: s.Domain, URL: "https://" + strings.TrimPrefix(s.Domain, "https://"),
			LogoURL: s.Brand.LogoURL, Color: s.Brand.Color, Address: s.Email.Address, Locale: s.Brand.Locale,
			Timezone: s.Timezone,
		},
		Run: template.Run{ID: c.Run, Flow: c.Flow, Step: c.Step},
		Now: r.now(),
	}
	if p != nil {
		d.Customer = template.Customer{FirstName: p.FirstName, LastName: p.LastName}
	}
	if c.Channel == event.ChannelSMS {
		d.Customer.Phone = c.To
		d.Shop.HelpText = s.SMS.HelpText // SMS wording ("Reply STOP"): never in email
	} else {
		d.Customer.Email = c.To
	}
	if len(c.Event) > 0 {
		_ = json.Unmarshal(c.Event, &d.Event)
	}
	d.Params = c.Params
	if s.ReferralURL != "" && c.Customer != "" {
		d.ReferralCode = referralCode(d.Customer.FirstName, c.Shop, c.Customer)
		d.ReferralURL = strings.ReplaceAll(s.ReferralURL, "{code}", url.QueryEscape(d.ReferralCode))
	}
	if dc := c.Discount; dc != nil {
		d.DiscountCode = dc.Code
		d.Discount = &template.Discount{
			Code: dc.Code, Percent: dc.Percent, Amount: dc.Amount, FreeShipping: dc.FreeShipping,
			ExpiresAt: dc.ExpiresAt, MadeUp: r.madeUp != nil && r.madeUp(c.Shop),
		}
	}
	for _, p := range c.Products {
		card := template.Product{ID: p.ID, Title: p.Title, URL: p.URL, ImageURL: p.ImageURL}
		if p.Price != "" {
			if m, err := template.Money(p.Price, p.Currency); err == nil {
				card.Price = m
			}
		}
		if card.URL == "" {
			card.URL = d.Shop.URL
		}
		d.Products = append(d.Products, card)
	}
	claims := web.LinkClaims{
		Shop: c.Shop, Channel: c.Channel, Address: c.To, Customer: c.Customer, Message: c.ID,
		Flow: c.Flow, Run: c.Run, Step: c.Step,
	}
	if c.To != "" {
		d.Links = links{base: r.publicURL(), signer: r.signer, claims: claims}
	}
	unsub := ""
	if c.Category == "marketing" {
		tok := r.signer.Sign(claims)
		unsub = strings.TrimRight(r.publicURL(), "/") + "/unsubscribe?t=" + url.QueryEscape(tok)
		d.UnsubscribeURL = unsub
	}
	var out *send.Rendered
	if isDynamicTemplate(c) {
		// A SendGrid dynamic template renders at SendGrid from the same
		// data our templates see.
		var data map[string]any
		b, err := json.Marshal(d)
		if err == nil {
			err = json.Unmarshal(b, &data)
		}
		if err != nil {
			return nil, fmt.Errorf("template data: %w", err)
		}
		out = &send.Rendered{TemplateID: c.Template, TemplateData: data}
	} else {
		m, err := template.Render(c.Template, c.Category, d)
		if err != nil {
			return nil, err
		}
		out = &send.Rendered{Subject: m.Subject, HTML: m.HTML, Text: m.Text, Body: m.Body}
	}
	if c.Channel == event.ChannelEmail && unsub != "" {
		out.Headers = map[string]string{
			"List-Unsubscribe":      "<" + unsub + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}
	}
	return out, nil
}

// referralCode is a customer's own referral code: up to six letters of the
// first name and four characters from a hash of the shop and customer, so
// it is the same in every message. Codes are meant to be shared, so they
// are not secret.
func referralCode(firstName, shopID, customer string) string {
	name := make([]rune, 0, 6)
	for _, r := range strings.ToUpper(firstName) {
		if r >= 'A' && r <= 'Z' && len(name) < 6 {
			name = append(name, r)
		}
	}
	if len(name) == 0 {
		name = []rune("FRIEND")
	}
	h := sha256.Sum256([]byte(shopID + "\x00" + customer))
	const alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
	tail := make([]byte, 4)
	for i := range tail {
		tail[i] = alphabet[int(h[i])%len(alphabet)]
	}
	return string(name) + "-" + string(tail)
}

// senderName is the name a shop sends under: its From name, else its id.
func senderName(s *shop.Shop) string {
	if a, err := mail.ParseAddress(s.Email.From); err == nil && a.Name != "" {
		return a.Name
	}
	return s.ID
}

// links makes a message's signed answer and survey links.
type links struct {
	base   string
	signer *web.Signer
	claims web.LinkClaims
}

func (l links) Answer(question, answer string) string {
	return web.FeedbackURL(l.base, l.signer, l.claims, question, answer)
}

func (l links) Survey(survey string) string {
	c := l.claims
	c.Survey = survey
	return web.SurveyURL(l.base, l.signer, c)
}

// isDynamicTemplate reports whether an email send names a SendGrid dynamic
// template ("d-" and its id) instead of one of ours.
func isDynamicTemplate(c *processor.SendCommand) bool {
	return c.Channel == event.ChannelEmail && strings.HasPrefix(c.Template, "d-")
}

// twilioProvider delivers SMS through one Twilio account (its client's)
// with the shop's number or Messaging Service. A 429 (error 20429) comes
// back as a *send.RateLimitError carrying Twilio's Retry-After, read from
// the answer's headers when the client's HTTP transport is an
// observingTransport.
type twilioProvider struct {
	client *twilio.Client
	shops  *shop.Registry
	// now reads Retry-After. Default time.Now.
	now func() time.Time
	// callback returns the status callback base of a shop's messages, ""
	// for the client's own (accountBook.statusCallback). Nil: the client's.
	callback func(*shop.Shop) string
}

func (p twilioProvider) Deliver(ctx context.Context, d *send.Delivery) (string, error) {
	s, ok := p.shops.Get(d.Cmd.Shop)
	if !ok {
		return "", fmt.Errorf("%w: shop %q is not configured", send.ErrPermanent, d.Cmd.Shop)
	}
	m := &twilio.SMS{
		MessageID: d.Cmd.ID, Shop: d.Cmd.Shop, Flow: d.Cmd.Flow, Run: d.Cmd.Run, Step: d.Cmd.Step,
		To: d.Cmd.To, Body: d.Rendered.Body,
	}
	switch {
	case s.SMS.MessagingServiceSID != "":
		m.MessagingServiceSID = s.SMS.MessagingServiceSID
	case strings.HasPrefix(s.SMS.From, "MG"):
		m.MessagingServiceSID = s.SMS.From
	default:
		m.From = s.SMS.From
	}
	if p.callback != nil {
		m.StatusCallbackBase = p.callback(s)
	}
	ctx, obs := observe(ctx)
	res, err := p.client.Send(ctx, m)
	if err == nil {
		return res.SID, nil
	}
	code := ""
	te, isAPIError := errors.AsType[*twilio.Error](err)
	if isAPIError && te.Code != 0 {
		code = strconv.Itoa(te.Code)
	}
	kind := send.ErrPermanent
	switch {
	case errors.Is(err, twilio.ErrAmbiguous):
		kind = send.ErrAmbiguous
	case errors.Is(err, twilio.ErrTemporary):
		kind = send.ErrTemporary
	case errors.Is(err, twilio.ErrUnsubscribed):
		kind = send.ErrUnsubscribed
	case errors.Is(err, twilio.ErrInvalidNumber):
		kind = send.ErrInvalidAddress
	}
	pe := &providerError{kind, code, err}
	if errors.Is(kind, send.ErrTemporary) && isAPIError && (te.Status == http.StatusTooManyRequests || te.Code == twilio.CodeTooManyRequests) {
		return "", &send.RateLimitError{Until: retryAt(obs.headers(), nowOr(p.now)()), Err: pe}
	}
	return "", pe
}

// senderMaxDeliver bounds the deliveries of one send command. Every hand
// back counts as one: a rate-limit reservation, a provider's 429 pause,
// quiet hours, a temporary failure (retried after 1 s, 5 s, 30 s, 2 min,
// then every 10 min). Twenty keeps a message through a couple of hours of
// provider outage on top of its throttling; marketing later than its
// flow's max_lateness is skipped as stale on its next delivery anyway.
const senderMaxDeliver = 20

// sendWiring is what the send worker is built from besides the role's
// configuration. newSendWorker uses the defaults; tests set their own key
// prefix, clocks, pool size and transport.
type sendWiring struct {
	// keys builds the Redis keys. Default: no prefix.
	keys redis.Keys
	// workers is how many commands are handled at once. Default 8.
	workers int
	// now is the sender's clock (quiet hours, staleness, records). Default
	// time.Now.
	now func() time.Time
	// limitsNow is the rate limiters' clock. Default time.Now.
	limitsNow func() time.Time
	// limiter configures every account's limiter (defaults in
	// send.LimiterConfig).
	limiter send.LimiterConfig
	// transport carries the requests to SendGrid and Twilio. Default
	// http.DefaultTransport.
	transport http.RoundTripper
}

// newSendWorker builds the sender and its OUTBOX worker. Without provider
// credentials a channel goes to the dev outbox: checked and rendered as a
// real send is, recorded, never sent.
func newSendWorker(cfg *Config, conn *jetstream.Conn, rdb goredis.UniversalClient, shops *shop.Registry,
	signer *web.Signer, secretKey string, publicURL func() string, log *zap.Logger,
) (*jetstream.Worker, *testSender, error) {
	return buildSendWorker(cfg, conn, rdb, shops, signer, secretKey, publicURL, log, sendWiring{})
}

// buildSendWorker is newSendWorker with its wiring spelled out. Each
// channel with an account (the role's, or any shop's own) gets a
// send.Router: it picks the shop's account (accountBook), keeps within the
// account's limits, and hands a message it cannot take now back to
// JetStream (docs/senders.md, "Per-shop accounts and rate limits").
func buildSendWorker(cfg *Config, conn *jetstream.Conn, rdb goredis.UniversalClient, shops *shop.Registry,
	signer *web.Signer, secretKey string, publicURL func() string, log *zap.Logger, w sendWiring,
) (*jetstream.Worker, *testSender, error) {
	if w.workers <= 0 {
		w.workers = 8
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.limitsNow == nil {
		w.limitsNow = time.Now
	}
	keys := w.keys
	pub := jetstream.NewPublisher(conn.JS)
	timers, err := redis.NewTimers(redis.TimerConfig{Client: rdb, Keys: keys})
	if err != nil {
		return nil, nil, err
	}
	book, err := newAccountBook(accountBookConfig{
		Shops:          shops,
		SendGridAPIKey: cfg.SendGridAPIKey, SendGridURL: cfg.SendGridURL,
		TwilioAccountSID: cfg.TwilioAccountSID, TwilioAuthToken: cfg.TwilioAuthToken, TwilioURL: cfg.TwilioURL,
		StatusCallback:     strings.TrimRight(publicURL(), "/") + twilio.WebhookPath,
		ShopStatusCallback: func(id string) string { return strings.TrimRight(publicURL(), "/") + twilio.ShopWebhookPath(id) },
		Transport:          w.transport, Limiter: w.limiter, Now: w.limitsNow, Logger: log.Named("accounts"),
	})
	if err != nil {
		return nil, nil, err
	}
	router, err := send.NewRouter(send.RouterConfig{Accounts: book, Now: w.limitsNow, Logger: log.Named("accounts")})
	if err != nil {
		return nil, nil, err
	}
	providers := map[string]send.Provider{}
	for _, ch := range []string{event.ChannelEmail, event.ChannelSMS} {
		if !book.configured(ch) {
			continue
		}
		providers[ch] = router
		if without := book.ownAccounts(ch, false); len(without) > 0 && !book.global(ch) {
			log.Warn("shops without an account of their own, and no global one: their messages fail instead of going to the dev outbox",
				zap.String("channel", ch), zap.Strings("shops", without))
		}
	}
	recorder := outboxRecorder{store: redis.NewOutboxStore(rdb, keys)}
	hooks := &flowHooks{
		client: webhookout.New(webhookout.Config{Logger: log.Named("flow-webhooks")}), shops: shops,
		secret: secretKey, recorder: recorder, now: w.now,
	}
	rend := renderer{shops: shops, signer: signer, publicURL: publicURL, now: w.now, madeUp: func(id string) bool {
		sh, ok := shops.Get(id)
		return !ok || sh.APIToken == ""
	}}
	tester := &testSender{shops: shops, renderer: rend, providers: providers, recorder: recorder, now: w.now}
	codes := &discounts{shops: shops, shopifyURL: cfg.ShopifyURL, bigcommerceURL: cfg.BigCommerceAPIURL, log: log.Named("discounts")}
	sender, err := send.NewSender(send.Config{
		Profiles:     profilesSeam{store: redisstore.New(redis.NewCustomerStore(rdb, keys, timers))},
		Ledger:       redis.NewLedger(rdb, keys, 0),
		Lookups:      lookupsSeam{redis.NewSendLookup(rdb, keys, 0)},
		Suppressions: redis.NewSuppressions(rdb, keys),
		Recents:      redis.NewRecentSends(rdb, keys),
		Renderer:     rend,
		Discounts:    codes,
		Recorder:     recorder,
		Outcomes:     outcomes{pub: pub},
		Providers:    providers,
		Policy:       sendPolicy(shops),
		Now:          w.now,
		Logger:       log.Named("sender"),
	})
	if err != nil {
		return nil, nil, err
	}
	worker, err := jetstream.NewWorker(conn.JS, jetstream.WorkerConfig{
		Stream: jetstream.StreamOutbox, Durable: senderDurable, FilterSubject: jetstream.SubjectsOutbox,
		Workers: w.workers, MaxDeliver: senderMaxDeliver, Logger: log.Named("sender"),
		Handler: func(ctx context.Context, _ string, data []byte) error {
			var c processor.SendCommand
			if err := json.Unmarshal(data, &c); err != nil {
				return fmt.Errorf("%w: decoding send command: %w", jetstream.ErrPermanent, err)
			}
			if c.Channel == "webhook" {
				return hooks.handle(ctx, &c)
			}
			return sender.Handle(ctx, &c)
		},
	})
	return worker, tester, err
}
