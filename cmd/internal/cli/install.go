package cli

import (
	"context"
	"net/http"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/install/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
	"github.com/boomerang-dev/boomerang/adapters/install/woocommerce"
	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/vault"
)

// installedRefresh is how often a role reloads the shops app install
// created, so a shop installed through one replica is served by all.
const installedRefresh = 30 * time.Second

// installedShops loads the shops app install created into the registry,
// now and every installedRefresh until ctx ends. A shop of the shops file
// keeps its file record.
func installedShops(ctx context.Context, store *redis.ShopStore, reg *shop.Registry, fromFile map[string]bool, log *zap.Logger) error {
	load := func(ctx context.Context) error {
		all, err := store.All(ctx)
		if err != nil {
			return err
		}
		for _, s := range all {
			if !fromFile[s.ID] {
				reg.Put(s)
			}
		}
		return nil
	}
	if err := load(ctx); err != nil {
		return err
	}
	go func() {
		t := time.NewTicker(installedRefresh)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := load(ctx); err != nil {
					log.Warn("reloading installed shops", zap.Error(err))
				}
			}
		}
	}()
	return nil
}

// shopSaver saves an installed shop and serves it at once, then asks for
// the import of its history (two years up to now: later changes come
// through the webhooks just created).
type shopSaver struct {
	store   *redis.ShopStore
	reg     *shop.Registry
	imports *importRequester
	log     *zap.Logger
}

func (s shopSaver) Save(ctx context.Context, sh *shop.Shop) error {
	if old, ok := s.reg.Get(sh.ID); ok {
		keepSettings(sh, old)
	}
	if err := s.store.Save(ctx, sh); err != nil {
		return err
	}
	s.reg.Put(sh)
	if s.imports != nil && importable(sh) {
		if _, err := s.imports.Request(ctx, sh.ID, reconcile.HistoryWindow(s.imports.now())); err != nil {
			// The install stands; the owner can ask again (POST /api/v1/imports).
			s.log.Warn("asking for the history import of a new install", zap.String("shop", sh.ID), zap.Error(err))
		}
	}
	return nil
}

// keepSettings carries a reinstalled shop's owner settings over: an
// install knows the platform's side (domain, credentials, zone), not the
// flows, brand and sending choices made since.
func keepSettings(sh, old *shop.Shop) {
	if sh.Flows == nil {
		sh.Flows = old.Flows
	}
	if sh.Brand == (shop.Brand{}) {
		sh.Brand = old.Brand
	}
	if sh.SmartSending == (shop.SmartSending{}) {
		sh.SmartSending = old.SmartSending
	}
	if sh.SMS == (shop.SMSSender{}) {
		sh.SMS = old.SMS
	}
	if sh.Email.Address == "" {
		sh.Email.Address = old.Email.Address
	}
	if sh.Email.From == "" {
		sh.Email.From = old.Email.From
	}
	if sh.Email.ReplyTo == "" && sh.Email.SendGridAPIKey == "" && sh.Email.SendingDomain == "" {
		// The shop's own SendGrid account and identity, set through the
		// admin API (PUT /api/v1/shops/{shop}/sending).
		sh.Email.ReplyTo, sh.Email.SendGridAPIKey, sh.Email.SendingDomain = old.Email.ReplyTo, old.Email.SendGridAPIKey, old.Email.SendingDomain
		sh.Email.SendGridRate, sh.Email.SendGridWebhookKey = old.Email.SendGridRate, old.Email.SendGridWebhookKey
	}
	if sh.Attribution == (shop.Attribution{}) {
		sh.Attribution = old.Attribution
	}
	if sh.ReferralURL == "" {
		sh.ReferralURL = old.ReferralURL
	}
	if sh.FlowWebhookSecret == "" {
		sh.FlowWebhookSecret = old.FlowWebhookSecret
	}
}

// shopUninstaller marks an uninstalled shop and stops serving it: its
// webhooks get 404 and its messages are not sent. Stopping its runs and
// timers at once and the redact requests are the app-install issue's next
// step.
type shopUninstaller struct {
	store *redis.ShopStore
	reg   *shop.Registry
}

func (u shopUninstaller) Uninstall(ctx context.Context, shopID string) error {
	s, ok := u.reg.Get(shopID)
	if !ok {
		return nil
	}
	if err := u.store.MarkUninstalled(ctx, s); err != nil {
		return err
	}
	u.reg.Delete(shopID)
	return nil
}

// mountInstall mounts the app installs: Shopify with
// BOOMERANG_SHOPIFY_API_KEY and …_API_SECRET, BigCommerce with
// BOOMERANG_BIGCOMMERCE_CLIENT_ID and …_CLIENT_SECRET, WooCommerce always
// (its key grant needs no app credentials).
func mountInstall(ctx context.Context, mux *http.ServeMux, cfg *Config, rdb goredis.UniversalClient, keyring *vault.Keyring,
	saver shopSaver, secretKey, publicURL string, log *zap.Logger,
) error {
	if err := woocommerce.Mount(mux, woocommerce.Config{
		PublicURL: publicURL, SecretKey: []byte(secretKey), States: woocommerce.NewRedisStates(rdb, redis.DefaultPrefix),
		Saver: saver, Logger: log.Named("woocommerce-install"),
	}); err != nil {
		return err
	}
	if cfg.BigCommerceClientID != "" && cfg.BigCommerceClientSecret != "" {
		if err := bigcommerce.Mount(mux, bigcommerce.Config{
			ClientID: cfg.BigCommerceClientID, ClientSecret: cfg.BigCommerceClientSecret, PublicURL: publicURL,
			LoginURL: cfg.BigCommerceLoginURL, APIURL: cfg.BigCommerceAPIURL, Saver: saver,
			Uninstaller: shopUninstaller{store: saver.store, reg: saver.reg}, SecretKey: []byte(secretKey),
			Logger: log.Named("bigcommerce-install"),
		}); err != nil {
			return err
		}
	}
	if cfg.ShopifyAPIKey == "" || cfg.ShopifyAPISecret == "" {
		return nil
	}
	client, err := shopify.NewClient(shopify.ClientConfig{
		APIKey: cfg.ShopifyAPIKey, APISecret: cfg.ShopifyAPISecret, ShopURL: cfg.ShopifyURL, Logger: log.Named("shopify-install"),
	})
	if err != nil {
		return err
	}
	tokens, err := shopify.NewRedisTokenStore(rdb, redis.DefaultPrefix+":install", keyring)
	if err != nil {
		return err
	}
	if err := shopify.Mount(mux, shopify.Config{
		Client: client, PublicURL: publicURL, States: shopify.NewRedisStates(rdb, redis.DefaultPrefix+":install"),
		Tokens: tokens, Saver: saver, Logger: log.Named("shopify-install"),
	}); err != nil {
		return err
	}
	refresher, err := shopify.NewRefresher(shopify.RefresherConfig{
		Client: client, Tokens: tokens, Shops: saver.reg, Saver: saver, Logger: log.Named("shopify-refresh"),
	})
	if err != nil {
		return err
	}
	go refreshTokens(ctx, refresher, saver.reg, rdb, redis.DefaultPrefix, tokenCheckEvery, log.Named("shopify-refresh"))
	go repairWebhooks(ctx, client, saver.reg, rdb, redis.DefaultPrefix, strings.TrimRight(publicURL, "/")+shopify.WebhookPath, log.Named("shopify-webhooks"))
	return nil
}

// repairWebhooks lists and repairs every installed Shopify shop's webhook
// subscriptions once at start (a subscription Shopify removed after failed
// deliveries, or one pointing at an old address), one replica per shop an
// hour.
func repairWebhooks(ctx context.Context, c *shopify.Client, reg *shop.Registry, rdb goredis.UniversalClient, prefix, callback string,
	log *zap.Logger,
) {
	for _, s := range reg.All() {
		if ctx.Err() != nil {
			return
		}
		if s.Platform != "shopify" || !strings.HasPrefix(s.ID, "shp-") {
			continue
		}
		ok, err := rdb.SetNX(ctx, prefix+":install:webhooks-checked:"+s.ID, "1", time.Hour).Result()
		if err != nil || !ok {
			continue
		}
		report, err := c.EnsureWebhooks(ctx, s, callback)
		if err != nil {
			log.Warn("repairing webhook subscriptions", zap.String("shop", s.ID), zap.Error(err))
			continue
		}
		log.Info("webhook subscriptions checked", zap.String("shop", s.ID), zap.Any("report", report))
	}
}

// tokenCheckEvery is how often the send role looks for Shopify tokens near
// their expiry (they live an hour; Refresher refreshes in their last 10 %).
const tokenCheckEvery = 2 * time.Minute

// refreshTokens refreshes installed Shopify shops' expiring tokens before
// they expire, until ctx ends. A Redis lock per shop keeps two replicas
// from refreshing at once (a refresh revokes the previous refresh token).
func refreshTokens(ctx context.Context, r *shopify.Refresher, reg *shop.Registry, rdb goredis.UniversalClient,
	prefix string, every time.Duration, log *zap.Logger,
) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, s := range reg.All() {
			if s.Platform != "shopify" || !strings.HasPrefix(s.ID, "shp-") {
				continue // shops of the shops file carry their own tokens
			}
			lock := prefix + ":install:refresh-lock:" + s.ID
			ok, err := rdb.SetNX(ctx, lock, "1", time.Minute).Result()
			if err != nil || !ok {
				continue
			}
			if err := r.RefreshDue(ctx, s.ID); err != nil {
				log.Warn("refreshing a Shopify token", zap.String("shop", s.ID), zap.Error(err))
			}
			_ = rdb.Del(ctx, lock).Err()
		}
	}
}

// installedParts are the installed-shop store and its keyring.
type installedParts struct {
	store   *redis.ShopStore
	keyring *vault.Keyring
}

// loadInstalled serves the shops app install created, when the role has
// Redis and the secret key (serve generates one); nil otherwise.
func loadInstalled(ctx context.Context, cfg *Config, role string, rdb goredis.UniversalClient, reg *shop.Registry,
	log *zap.Logger,
) (*installedParts, error) {
	if rdb == nil {
		return nil, nil
	}
	key := cfg.SecretKey
	if key == "" && role == roleServe {
		var err error
		if key, err = secretKey(cfg, role); err != nil {
			return nil, err
		}
	}
	if key == "" {
		log.Warn("BOOMERANG_SECRET_KEY is unset: installed shops are not served by this role")
		return nil, nil
	}
	keyring, err := vault.NewKeyring(vault.Key{Secret: key})
	if err != nil {
		return nil, err
	}
	store := redis.NewShopStore(rdb, redis.Keys{}, keyring)
	fromFile := map[string]bool{}
	for _, s := range reg.All() {
		fromFile[s.ID] = true
	}
	if err := installedShops(ctx, store, reg, fromFile, log.Named("shops")); err != nil {
		return nil, err
	}
	return &installedParts{store: store, keyring: keyring}, nil
}
