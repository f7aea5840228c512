package jetstream_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
)

// BenchmarkPublishReplicated measures what ingest does per webhook — a
// synchronous publish of a 1.5 KB event with its message id, waiting for
// the PubAck — on the EVENTS stream of one embedded server (R1) and of a
// 3-node cluster of embedded servers routed on loopback (R3: the PubAck
// waits for a quorum), from 1, 4 and 16 concurrent publishers
// (docs/scaling.md). Loopback has no cross-zone round trip: a real R3
// cluster across zones pays one more per publish.
func BenchmarkPublishReplicated(b *testing.B) {
	for _, replicas := range []int{1, 3} {
		for _, pubs := range []int{1, 4, 16} {
			b.Run("R"+strconv.Itoa(replicas)+"/publishers="+strconv.Itoa(pubs), func(b *testing.B) {
				url := startCluster(b, replicas)
				benchPublish(b, url, replicas, pubs)
			})
		}
	}
}

func benchPublish(b *testing.B, url string, replicas, pubs int) {
	b.Helper()
	conn, err := jetstream.Connect(url, "bench", nil)
	require.NoError(b, err)
	defer conn.NC.Close()
	// A cluster answers once its meta group has a leader. 1 GiB a stream:
	// three servers on one disk each reserve every stream's MaxBytes.
	deadline := time.After(time.Minute)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := jetstream.EnsureStreams(ctx, conn.JS, jetstream.StreamsConfig{MaxBytes: 1 << 30, Replicas: replicas})
		cancel()
		if err == nil {
			break
		}
		select {
		case <-deadline:
			b.Fatalf("creating the streams: %v", err)
		case <-tick.C:
		}
	}
	body := []byte(strings.Repeat("x", 1500))
	pub := jetstream.NewPublisher(conn.JS)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for range pubs {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				id := run + "-" + strconv.FormatInt(i, 10)
				if _, err := pub.Publish(context.Background(), "events.demo.order.placed", id, body); err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "publishes/s")
	b.ReportMetric(float64(elapsed.Microseconds())*float64(pubs)/float64(b.N), "us/publish")
}

// startCluster starts n embedded JetStream servers (n > 1: a cluster routed
// on loopback) and returns a client URL listing all of them.
func startCluster(b *testing.B, n int) string {
	b.Helper()
	if n == 1 {
		emb, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: b.TempDir()})
		require.NoError(b, err)
		b.Cleanup(emb.Shutdown)
		return emb.URL()
	}
	ports := freeLoopbackPorts(b, 2*n)
	clients, routes := ports[:n], ports[n:]
	routeURLs := make([]string, n)
	clientURLs := make([]string, n)
	for i := range n {
		routeURLs[i] = "nats://127.0.0.1:" + strconv.Itoa(routes[i])
		clientURLs[i] = "nats://127.0.0.1:" + strconv.Itoa(clients[i])
	}
	for i := range n {
		srv, err := server.NewServer(&server.Options{
			ServerName: "n" + strconv.Itoa(i+1), Host: "127.0.0.1", Port: clients[i],
			JetStream: true, StoreDir: b.TempDir(),
			Cluster: server.ClusterOpts{Name: "bench", Host: "127.0.0.1", Port: routes[i]},
			Routes:  server.RoutesFromStr(strings.Join(routeURLs, ",")),
			NoLog:   true, NoSigs: true,
		})
		require.NoError(b, err)
		srv.Start()
		b.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
		require.True(b, srv.ReadyForConnections(10*time.Second))
	}
	return strings.Join(clientURLs, ",")
}

// freeLoopbackPorts returns n distinct free loopback ports (held open until
// all are chosen, so none repeats).
func freeLoopbackPorts(b *testing.B, n int) []int {
	b.Helper()
	var lc net.ListenConfig
	out := make([]int, 0, n)
	for range n {
		l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
		require.NoError(b, err)
		defer l.Close()
		addr, ok := l.Addr().(*net.TCPAddr)
		require.True(b, ok)
		out = append(out, addr.Port)
	}
	return out
}
