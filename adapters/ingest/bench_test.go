package ingest_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/shopify"
)

// BenchmarkIngest measures the whole ingest path (read, verify the HMAC,
// normalise, sync-publish, answer) for a real Shopify orders/create body at
// 1, 4 and 16 concurrent senders, and in the same run two baselines at the
// same concurrency on the same embedded JetStream server:
//   - bare: an HTTP handler that only reads the body and sync-publishes it
//     (the floor for any webhook receiver; target ratio_bare >= 0.7);
//   - raw: sync publish from goroutines, no HTTP (ratio_raw reported).
//
// Each sub-benchmark sends b.N requests per variant, the variants taking
// turns in rounds of roundSize, and reports the rates, the ratios and
// ingest's p99 answer time.
func BenchmarkIngest(b *testing.B) {
	body, err := os.ReadFile("../shopify/testdata/webhooks/orders_create.json")
	if err != nil {
		b.Fatal(err)
	}
	emb, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer emb.Shutdown()
	conn, err := jetstream.Connect(emb.URL(), "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.NC.Close()
	ctx := context.Background()
	if err := jetstream.EnsureStreams(ctx, conn.JS, jetstream.StreamsConfig{MaxBytes: 16 << 30}); err != nil {
		b.Fatal(err)
	}
	pub := jetstream.NewPublisher(conn.JS)

	s := &shop.Shop{ID: "bench", Platform: "shopify", Domain: "bench.myshopify.com", WebhookSecret: "bench-secret"}
	reg, err := shop.NewRegistry(s)
	if err != nil {
		b.Fatal(err)
	}
	h, err := ingest.New(ingest.Config{Shops: reg, Publisher: pub, Platforms: []ingest.Platform{shopify.New()}})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux)
	mux.HandleFunc("POST /bare", func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, ingest.DefaultMaxBody))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if _, err := pub.Publish(r.Context(), "events.bench.bare", r.Header.Get("X-Shopify-Webhook-Id"), data); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	mac := hmac.New(sha256.New, []byte(s.WebhookSecret))
	mac.Write(body)
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	var seq atomic.Int64

	for _, c := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("senders=%d", c), func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c}}
			defer client.CloseIdleConnections()
			send := func(path string) func() error {
				return func() error {
					req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+path, bytes.NewReader(body))
					if err != nil {
						return err
					}
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Shopify-Topic", "orders/create")
					req.Header.Set("X-Shopify-Shop-Domain", s.Domain)
					req.Header.Set("X-Shopify-Hmac-Sha256", sig)
					req.Header.Set("X-Shopify-Webhook-Id", "w-"+strconv.FormatInt(seq.Add(1), 10))
					resp, err := client.Do(req)
					if err != nil {
						return err
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						return fmt.Errorf("status %d", resp.StatusCode)
					}
					return nil
				}
			}
			raw := func() error {
				_, err := pub.Publish(ctx, "events.bench.raw", "r-"+strconv.FormatInt(seq.Add(1), 10), body)
				return err
			}
			b.ResetTimer()
			// The variants alternate in rounds, so each sees the same stream
			// size, disk state and machine load.
			var rawT, bareT, ingestT time.Duration
			var lat []time.Duration
			for done := 0; done < b.N; {
				n := min(roundSize, b.N-done)
				rawT += drive(b, n, c, raw, nil)
				bareT += drive(b, n, c, send("/bare"), nil)
				ingestT += drive(b, n, c, send("/webhooks/shopify"), &lat)
				done += n
			}
			rawRate := float64(b.N) / rawT.Seconds()
			bareRate := float64(b.N) / bareT.Seconds()
			ingestRate := float64(b.N) / ingestT.Seconds()
			b.StopTimer()
			b.ReportMetric(ingestRate, "ingest/s")
			b.ReportMetric(bareRate, "bare/s")
			b.ReportMetric(rawRate, "raw/s")
			b.ReportMetric(ingestRate/bareRate, "ratio_bare")
			b.ReportMetric(ingestRate/rawRate, "ratio_raw")
			b.ReportMetric(float64(percentile(lat, 0.99))/float64(time.Millisecond), "p99_ms")
		})
	}
}

// roundSize is how many operations of one variant run before the next
// variant's turn.
const roundSize = 500

// drive runs op n times from c goroutines and returns the elapsed time;
// with lat non-nil it appends every call's latency.
func drive(b *testing.B, n, c int, op func() error, lat *[]time.Duration) time.Duration {
	b.Helper()
	var next atomic.Int64
	took := make([]time.Duration, n)
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range c {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t0 := time.Now()
				if err := op(); err != nil {
					failed.Store(err)
					return
				}
				took[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	if lat != nil {
		*lat = append(*lat, took...)
	}
	return elapsed
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}
