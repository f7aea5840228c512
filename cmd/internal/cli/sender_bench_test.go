package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
	"github.com/boomerang-dev/boomerang/processor/send"
)

type instantProvider struct{}

func (instantProvider) Deliver(context.Context, *send.Delivery) (string, error) { return "p", nil }

type nopOutcomes struct{}

func (nopOutcomes) Outcome(context.Context, *send.Record) error { return nil }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSender measures the sender per message: profile read, checks,
// ledger claim and record, rendering the abandoned-checkout reminder with a
// signed unsubscribe link, the outbox record. "instant" has the provider
// answer at once (the sender's own overhead; target under 1 ms of CPU per
// message); "sendgrid" goes through the real SendGrid client to a local HTTP
// server that answers 202. It reports messages/s and CPU per message (this
// process: client, sender and, for "sendgrid", the fake server).
func BenchmarkSender(b *testing.B) {
	env := redistest.Start(b)
	keys := redis.Keys{Prefix: env.Prefix + "s"}
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: keys})
	if err != nil {
		b.Fatal(err)
	}
	demo := shop.Demo("secret")
	demo.SmartSending.Email = 0
	shops, err := shop.NewRegistry(demo)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := web.NewSigner("k")
	if err != nil {
		b.Fatal(err)
	}
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Message-Id", "sg")
		w.WriteHeader(http.StatusAccepted)
	}))
	defer fake.Close()
	sg, err := sendgrid.New(sendgrid.Config{APIKey: "SG.x", BaseURL: fake.URL})
	if err != nil {
		b.Fatal(err)
	}
	sample := processor.SendCommand{
		Shop: "demo", Flow: "abandoned-checkout", Customer: "e:ann@example.com", Channel: event.ChannelEmail,
		Template: "abandoned-checkout-reminder", Category: "marketing", To: "ann@example.com", Priority: 50,
		Event: []byte(`{"type":"checkout.updated","customer":{"email":"ann@example.com","first_name":"Ann"},` +
			`"data":{"token":"t","email":"ann@example.com","currency":"USD","total":"25.00","recovery_url":"https://demo.example/r",` +
			`"line_items":[{"title":"Mug","quantity":1,"price":"25.00","image_url":"https://demo.example/m.png"}]}}`),
	}
	prof := &processor.Profile{Consent: map[string]processor.ConsentRecord{event.ChannelEmail: {State: event.ConsentSubscribed}}}
	store := redisstore.New(redis.NewCustomerStore(env.Client, keys, timers))
	if err := store.Commit(context.Background(), &processor.Commit{
		Shop: "demo", Customer: "e:ann@example.com", EventKey: "seed", Profile: prof, Effects: &processor.Effects{},
	}); err != nil {
		b.Fatal(err)
	}
	for name, provider := range map[string]send.Provider{"instant": instantProvider{}, "sendgrid": sendgridProvider{client: sg, shops: shops}} {
		b.Run(name, func(b *testing.B) {
			s, err := send.NewSender(send.Config{
				Profiles: profilesSeam{store: store}, Ledger: redis.NewLedger(env.Client, keys, time.Hour),
				Suppressions: redis.NewSuppressions(env.Client, keys), Recents: redis.NewRecentSends(env.Client, keys),
				Renderer: renderer{shops: shops, signer: signer, publicURL: func() string { return "https://app.example" }, now: time.Now},
				Recorder: outboxRecorder{store: redis.NewOutboxStore(env.Client, keys)}, Outcomes: nopOutcomes{},
				Providers: map[string]send.Provider{event.ChannelEmail: provider}, Policy: sendPolicy(shops),
			})
			if err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			round := time.Now().UnixNano() // fresh ids: a claimed id would short-cut the send
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			for range 16 {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						c := sample
						c.ID = fmt.Sprintf("%s-%d-%d:reminder", name, round, i)
						c.Run = c.ID
						c.DueAt, c.CreatedAt = time.Now(), time.Now()
						if err := s.Handle(context.Background(), &c); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			elapsed, cpu := time.Since(start), cpuTime()-cpu0
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu_us/msg")
		})
	}
}
