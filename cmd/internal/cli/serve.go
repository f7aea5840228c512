package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	goredis "github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/shopify"
	"github.com/boomerang-dev/boomerang/adapters/storefront"
	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce"
)

// shutdownTimeout bounds the drain on SIGTERM; Kubernetes'
// terminationGracePeriodSeconds must be longer.
const shutdownTimeout = 25 * time.Second

func newServe(stdio IO, role, short string) *cobra.Command {
	cfg := &Config{}
	cmd := &cobra.Command{
		Use:   role,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.resolve(cmd.Flags(), stdio.Getenv, role)
			return runRoles(cmd.Context(), cfg, role, stdio)
		},
	}
	cfg.bindFlags(cmd.Flags())
	return cmd
}

// platforms returns every platform adapter.
func platforms() []ingest.Platform {
	return []ingest.Platform{shopify.New(), woocommerce.New(), bigcommerce.New()}
}

// Roles.
const (
	roleServe   = "serve"
	roleIngest  = "ingest"
	roleProcess = "process"
	roleSend    = "send"
	rolePredict = "predict"
)

// runRoles runs serve (every role built so far, with embedded defaults) or
// one role, until ctx ends, then drains.
func runRoles(ctx context.Context, cfg *Config, role string, stdio IO) error {
	log, err := newLogger(cfg.LogLevel, cfg.LogFormat, stdio.Stderr)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	log = log.With(zap.String("role", role))
	ingesting := role == roleServe || role == roleIngest
	processes := role == roleServe || role == roleProcess
	sends := role == roleServe || role == roleSend
	predicts := role == roleServe || role == rolePredict

	maxBody, err := int64Setting("BOOMERANG_MAX_BODY_BYTES", cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	streamBytes, err := int64Setting("BOOMERANG_STREAM_MAX_BYTES", cfg.StreamMaxBytes)
	if err != nil {
		return err
	}
	replicas, err := int64Setting("BOOMERANG_STREAM_REPLICAS", cfg.StreamReplicas)
	if err != nil {
		return err
	}

	shops, demoSecret, err := loadShops(cfg, role, stdio.Getenv)
	if err != nil {
		return err
	}
	fileShops := map[string]bool{}
	for _, s := range shops.All() {
		fileShops[s.ID] = true
	}
	if processes {
		// Check the flows before starting anything, so mistakes show at once.
		if _, err := loadFlows(cfg.Flows); err != nil {
			return err
		}
	}

	var emb *jetstream.Embedded
	natsURL := cfg.NATSURL
	if natsURL == "" {
		if role != roleServe {
			return errors.New("NATS_URL is required for the " + role + " role (only serve embeds a JetStream server)")
		}
		dir := filepath.Join(cfg.DataDir, "nats")
		emb, err = jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: dir})
		if err != nil {
			return err
		}
		defer emb.Shutdown()
		natsURL = emb.URL()
		log.Info("embedded jetstream started", zap.String("url", natsURL), zap.String("store_dir", dir))
	}
	conn, err := jetstream.Connect(natsURL, "boomerang-"+role, log)
	if err != nil {
		return err
	}
	defer conn.Close()
	pub := jetstream.NewPublisher(conn.JS)

	var rdb goredis.UniversalClient
	var child *redis.Child
	if processes || sends || predicts || (ingesting && cfg.RedisURL != "") {
		redisURL := cfg.RedisURL
		if redisURL == "" {
			if role != roleServe {
				return errors.New("REDIS_URL is required for the " + role + " role (only serve starts a redis-server child)")
			}
			dir := filepath.Join(cfg.DataDir, "redis")
			child, err = redis.StartChild(ctx, dir)
			if err != nil {
				return err
			}
			defer child.Stop()
			redisURL = child.URL()
			log.Info("redis-server child started", zap.String("url", redisURL), zap.String("dir", dir))
		}
		client, err := newRedisClient(redisURL)
		if err != nil {
			return fmt.Errorf("REDIS_URL: %w", err)
		}
		defer client.Close()
		rdb = client
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv := web.New(web.Config{Addr: cfg.HTTPAddr, Gatherer: reg, Logger: log.Named("http")})
	srv.AddCheck("nats", func(context.Context) error {
		if !conn.Connected() {
			return errors.New("not connected")
		}
		return nil
	})

	// Shops created by app install are served by every role that has Redis
	// and the secret key (ingest only when given REDIS_URL and
	// BOOMERANG_SECRET_KEY).
	installed, err := loadInstalled(ctx, cfg, role, rdb, shops, log)
	if err != nil {
		return err
	}
	var workers []*jetstream.Worker
	if ingesting {
		handler, err := ingest.New(ingest.Config{
			Shops: shops, Publisher: pub, Platforms: platforms(),
			MaxBodyBytes: maxBody, Logger: log.Named("ingest"), Registerer: reg,
		})
		if err != nil {
			return err
		}
		handler.Mount(srv.Mux)
		if err := storefront.Mount(srv.Mux, storefront.Config{
			Shops: publicKeys(shops), Publisher: pub, Logger: log.Named("track"),
		}); err != nil {
			return err
		}
		fetcher, err := bigcommerce.NewFetcher(bigcommerce.FetcherConfig{APIURL: cfg.BigCommerceAPIURL})
		if err != nil {
			return err
		}
		fw, err := jetstream.NewWorker(conn.JS, jetstream.WorkerConfig{
			Stream: jetstream.StreamFetch, Durable: "bigcommerce-fetch", FilterSubject: bigcommerce.SubjectPrefix + "*",
			Handler: bigcommerceFetch(shops, fetcher, pub), Logger: log.Named("fetch"),
		})
		if err != nil {
			return err
		}
		workers = append(workers, fw)
	}
	var proc *processing
	var pred *predicting
	if predicts {
		if !processes {
			srv.AddCheck("redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() })
		}
		if pred, err = newPredicting(conn, rdb, shops, log.Named("predict")); err != nil {
			return err
		}
	}
	adminToken := ""
	if processes {
		srv.AddCheck("redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() })
		codeKey := cfg.SecretKey
		if role == roleServe {
			if codeKey, err = secretKey(cfg, role); err != nil {
				return err
			}
		}
		if proc, err = newProcessing(cfg, conn, rdb, shops, fileShops, codeKey, reg, log); err != nil {
			return err
		}
	}
	if sends {
		key, err := secretKey(cfg, role)
		if err != nil {
			return err
		}
		signer, err := web.NewSigner(key)
		if err != nil {
			return err
		}
		sw, tester, err := newSendWorker(cfg, conn, rdb, shops, signer, key, func() string { return publicURL(cfg, srv) }, log)
		if err != nil {
			return err
		}
		fw, err := newFeedbackWorker(conn, rdb, log)
		if err != nil {
			return err
		}
		workers = append(workers, sw, fw)
		if err := web.MountUnsubscribe(srv.Mux, web.UnsubscribeConfig{
			Signer: signer, Publisher: pub, Suppressions: redis.NewSuppressions(rdb, redis.Keys{}), Logger: log.Named("unsubscribe"),
		}); err != nil {
			return err
		}
		shopName := func(id string) string {
			if s, ok := shops.Get(id); ok {
				return senderName(s)
			}
			return ""
		}
		// App installs happen here: the send role holds the secret key. A
		// new install asks for its history import, which the process role
		// runs; the admin API asks for one on demand.
		timers, err := redis.NewTimers(redis.TimerConfig{Client: rdb, Keys: redis.Keys{}})
		if err != nil {
			return err
		}
		imports := importRequester{imports: redis.NewImports(rdb, redis.Keys{}), timers: timers, now: time.Now}
		if installed != nil {
			saver := shopSaver{store: installed.store, reg: shops, imports: &imports, log: log.Named("install")}
			if err := mountInstall(ctx, srv.Mux, cfg, rdb, installed.keyring, saver, key, publicURL(cfg, srv), log); err != nil {
				return err
			}
		}
		// The providers' callbacks come to the senders, which hold their
		// keys (deploy/: Service boomerang-send).
		if err := mountProviderWebhooks(srv.Mux, cfg, shops, pub, publicURL(cfg, srv), reg, log); err != nil {
			return err
		}
		if err := web.MountFeedback(srv.Mux, web.FeedbackConfig{
			Signer: signer, Publisher: pub, ShopName: shopName, Logger: log.Named("feedback"),
		}); err != nil {
			return err
		}
		if err := web.MountSurvey(srv.Mux, web.SurveyConfig{
			Signer: signer, Publisher: pub, ShopName: shopName, Logger: log.Named("survey"),
		}); err != nil {
			return err
		}
		if adminToken, err = resolveAdminToken(cfg, role); err != nil {
			return err
		}
		set, err := loadFlows(cfg.Flows)
		if err != nil {
			return err
		}
		web.MountAPI(srv.Mux, web.APIConfig{
			Token: adminToken, Outbox: redis.NewOutboxStore(rdb, redis.Keys{}), TestSend: http.HandlerFunc(tester.serve),
			Flows: flowsReport(set, shops, redis.NewFlowStats(rdb, redis.Keys{})),
			Shops: func() []string {
				var ids []string
				for _, s := range shops.All() {
					ids = append(ids, s.ID)
				}
				return ids
			},
		})
		mountExports(srv.Mux, rdb, adminToken, shops)
		web.MountPredictions(srv.Mux, web.PredictionsConfig{
			Token: adminToken, Known: func(id string) bool { _, ok := shops.Get(id); return ok },
			Refit: func(ctx context.Context, id string) error { return predictNow(ctx, pub, id, time.Now()) },
		})
		if installed != nil {
			web.MountShopSending(srv.Mux, web.SendingConfig{
				Token: adminToken, Update: shopSending{reg: shops, store: installed.store, fromFile: fileShops}.Update,
			})
		}
		web.MountImports(srv.Mux, web.ImportsConfig{
			Token: adminToken, Importer: importAPI{req: imports, shops: shops},
			Known: func(id string) bool { _, ok := shops.Get(id); return ok },
		})
	}

	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	setup := newSetup(runCtx, log, func(ctx context.Context) error {
		if err := jetstream.EnsureStreams(ctx, conn.JS, jetstream.StreamsConfig{MaxBytes: streamBytes, Replicas: int(replicas)}); err != nil {
			return err
		}
		for _, w := range workers {
			if err := w.Start(ctx); err != nil {
				return err
			}
		}
		if pred != nil {
			if err := pred.start(runCtx); err != nil {
				return err
			}
		}
		if proc != nil {
			return proc.start(runCtx, conn, log)
		}
		return nil
	})
	srv.AddCheck("streams", setup.check)
	if err := srv.Start(); err != nil {
		return err
	}
	log.Info("listening", zap.String("addr", srv.Addr()))
	if role == roleServe {
		printBanner(stdio.Stdout, srv.Addr(), emb, child, cfg, shops, demoSecret, adminToken)
	}

	<-ctx.Done()
	log.Info("shutting down: draining")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	srv.Drain()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", zap.Error(err))
	}
	setup.wait()
	for _, w := range workers {
		w.Stop(sctx)
	}
	proc.stop(sctx)
	pred.stop(sctx)
	stopRun()
	log.Info("stopped")
	return nil
}

// loadShops reads the shops file, or for serve without one makes the demo
// shop with a webhook secret derived from the secret key.
func loadShops(cfg *Config, role string, getenv func(string) string) (reg *shop.Registry, demoSecret string, err error) {
	if cfg.Shops != "" {
		reg, err = shop.LoadFile(cfg.Shops, getenv)
		return reg, "", err
	}
	if role != "serve" {
		return nil, "", errors.New("BOOMERANG_SHOPS is required for the " + role + " role")
	}
	key := cfg.SecretKey
	if key == "" {
		if key, err = loadOrCreateSecretKey(cfg.DataDir); err != nil {
			return nil, "", err
		}
	}
	demoSecret = derive(key, "demo-webhook-secret")
	reg, err = shop.NewRegistry(shop.Demo(demoSecret))
	return reg, demoSecret, err
}

func printBanner(w io.Writer, addr string, emb *jetstream.Embedded, child *redis.Child, cfg *Config,
	shops *shop.Registry, demoSecret, adminToken string,
) {
	fmt.Fprintf(w, "Boomerang %s is running: http://%s\n", Version, addr)
	if emb != nil {
		fmt.Fprintf(w, "  JetStream: embedded, data in %s\n", filepath.Join(cfg.DataDir, "nats"))
	}
	if child != nil {
		fmt.Fprintf(w, "  Redis: redis-server child, data in %s\n", filepath.Join(cfg.DataDir, "redis"))
	}
	for _, s := range shops.All() {
		fmt.Fprintf(w, "  Shop %q: %s %s, webhooks at http://%s/webhooks/%s\n", s.ID, s.Platform, s.Domain, addr, s.Platform)
	}
	if demoSecret != "" {
		fmt.Fprintf(w, "  Demo shop webhook secret: %s\n", demoSecret)
	}
	if adminToken != "" {
		fmt.Fprintf(w, "  Admin token: %s\n", adminToken)
		fmt.Fprintf(w, "  Outbox: curl -H 'Authorization: Bearer %s' http://%s/api/v1/outbox\n", adminToken, addr)
	}
	fmt.Fprintln(w, "  Send a sample checkout webhook: see README.md, \"Try it\".")
	fmt.Fprintln(w, "  Probes: /healthz /readyz /metrics. Stop with Ctrl-C.")
	if f, ok := w.(*os.File); ok {
		_ = f.Sync()
	}
}

// resolveAdminToken returns BOOMERANG_ADMIN_TOKEN, or a token derived from
// the secret key, stable across restarts.
func resolveAdminToken(cfg *Config, role string) (string, error) {
	if cfg.AdminToken != "" {
		return cfg.AdminToken, nil
	}
	key, err := secretKey(cfg, role)
	if err != nil {
		return "", err
	}
	return "bt_" + derive(key, "admin-token"), nil
}

// secretKey returns BOOMERANG_SECRET_KEY; serve generates one under the
// data dir, the other roles must be given it (replicas must share it).
func secretKey(cfg *Config, role string) (string, error) {
	if cfg.SecretKey != "" {
		return cfg.SecretKey, nil
	}
	if role != roleServe {
		return "", errors.New("BOOMERANG_SECRET_KEY is required for the " + role + " role (it signs customer links; every replica needs the same)")
	}
	return loadOrCreateSecretKey(cfg.DataDir)
}

// publicKeys finds the shop of a storefront snippet's public key.
func publicKeys(shops *shop.Registry) func(string) (string, bool) {
	return func(key string) (string, bool) {
		if key == "" {
			return "", false
		}
		for _, s := range shops.All() {
			if s.PublicKey == key {
				return s.ID, true
			}
		}
		return "", false
	}
}

// publicURL is BOOMERANG_PUBLIC_URL, else http:// and the bound address.
func publicURL(cfg *Config, srv *web.Server) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	return "http://" + srv.Addr()
}

// setup runs start-up work that needs NATS, retrying every 2 s until it
// succeeds, so a role started while NATS is down comes up once it is back.
type setup struct {
	done chan struct{}
	ok   chan struct{}
}

func newSetup(ctx context.Context, log *zap.Logger, fn func(context.Context) error) *setup {
	s := &setup{done: make(chan struct{}), ok: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for attempt := 1; ; attempt++ {
			actx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := fn(actx)
			cancel()
			if err == nil {
				close(s.ok)
				return
			}
			log.Warn("setup failed; retrying", zap.Int("attempt", attempt), zap.Error(err))
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *setup) check(context.Context) error {
	select {
	case <-s.ok:
		return nil
	default:
		return errors.New("streams not created yet")
	}
}

func (s *setup) wait() { <-s.done }
