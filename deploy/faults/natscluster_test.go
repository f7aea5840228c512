//go:build faults && linux

package faults_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	bjs "github.com/boomerang-dev/boomerang/adapters/jetstream"
)

// natsCluster is a 3-node JetStream cluster of embedded servers, routed on
// loopback, each with its own store directory. A node can be shut down and
// started again on the same ports and store, as a restarted pod would be.
type natsCluster struct {
	t       *testing.T
	names   []string
	dirs    []string
	clients []int
	routes  []int
	servers []*server.Server
	// Conn is the test's own connection (every server in its URL list).
	Conn *bjs.Conn
}

func startNATSCluster(t *testing.T) *natsCluster {
	t.Helper()
	c := &natsCluster{t: t}
	ports := freePorts(t, 6)
	for i := range 3 {
		c.names = append(c.names, "n"+strconv.Itoa(i+1))
		c.dirs = append(c.dirs, filepath.Join(t.TempDir(), "js"))
		c.clients = append(c.clients, ports[i])
		c.routes = append(c.routes, ports[3+i])
	}
	c.servers = make([]*server.Server, 3)
	for i := range 3 {
		c.start(i)
	}
	t.Cleanup(c.shutdown)
	for i := range 3 {
		require.True(t, c.servers[i].ReadyForConnections(10*time.Second), "nats %s not ready", c.names[i])
	}
	conn, err := bjs.Connect(c.URL(), "faults-test", nil)
	require.NoError(t, err)
	c.Conn = conn
	t.Cleanup(func() { conn.NC.Close() })
	// JetStream answers once the meta group has a leader.
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := conn.JS.AccountInfo(ctx)
		return err == nil
	}, 30*time.Second, 100*time.Millisecond, "the JetStream cluster elects a meta leader")
	return c
}

// options are node i's settings: client and route ports on loopback, the
// cluster's routes, JetStream with its own store. sync_interval stays at
// the default: R3 is the durability (docs/faults.md).
func (c *natsCluster) options(i int) *server.Options {
	routes := make([]string, 0, 3)
	for _, p := range c.routes {
		routes = append(routes, "nats://127.0.0.1:"+strconv.Itoa(p))
	}
	return &server.Options{
		ServerName: c.names[i],
		Host:       "127.0.0.1",
		Port:       c.clients[i],
		JetStream:  true,
		StoreDir:   c.dirs[i],
		Cluster:    server.ClusterOpts{Name: "boomerang-faults", Host: "127.0.0.1", Port: c.routes[i]},
		Routes:     server.RoutesFromStr(strings.Join(routes, ",")),
		NoLog:      true,
		NoSigs:     true,
	}
}

func (c *natsCluster) start(i int) {
	c.t.Helper()
	srv, err := server.NewServer(c.options(i))
	require.NoError(c.t, err)
	srv.Start()
	c.servers[i] = srv
}

// URL lists every node, as the roles' NATS_URL does.
func (c *natsCluster) URL() string {
	urls := make([]string, 0, 3)
	for _, p := range c.clients {
		urls = append(urls, "nats://127.0.0.1:"+strconv.Itoa(p))
	}
	return strings.Join(urls, ",")
}

// StreamLeader returns the name of the node leading stream and the names of
// its replicas.
func (c *natsCluster) StreamLeader(stream string) (string, []string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.Conn.JS.Stream(ctx, stream)
	require.NoError(c.t, err)
	info, err := s.Info(ctx)
	require.NoError(c.t, err)
	require.NotNil(c.t, info.Cluster, "stream %s has no cluster info", stream)
	var peers []string
	for _, r := range info.Cluster.Replicas {
		peers = append(peers, r.Name)
	}
	return info.Cluster.Leader, peers
}

// StreamMsgs is how many messages stream holds.
func (c *natsCluster) StreamMsgs(stream string) uint64 {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.Conn.JS.Stream(ctx, stream)
	require.NoError(c.t, err)
	info, err := s.Info(ctx)
	require.NoError(c.t, err)
	return info.State.Msgs
}

// Kill shuts node name down (its clients reconnect elsewhere) and returns
// its index for Restart.
func (c *natsCluster) Kill(name string) int {
	c.t.Helper()
	for i, n := range c.names {
		if n == name {
			c.servers[i].Shutdown()
			c.servers[i].WaitForShutdown()
			return i
		}
	}
	c.t.Fatalf("no nats node %q", name)
	return -1
}

// Restart starts node i again on its ports and store, and waits until
// JetStream on it is healthy (it has caught up with its streams).
func (c *natsCluster) Restart(i int) {
	c.t.Helper()
	c.start(i)
	require.True(c.t, c.servers[i].ReadyForConnections(10*time.Second))
	require.Eventually(c.t, func() bool {
		return c.servers[i].Healthz(&server.HealthzOptions{}).Status == "ok"
	}, 60*time.Second, 100*time.Millisecond, "nats %s healthy again", c.names[i])
}

// Consumer returns a consumer's pending and ack-pending counts.
func (c *natsCluster) Consumer(stream, durable string) (*jetstream.ConsumerInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	cons, err := c.Conn.JS.Consumer(ctx, stream, durable)
	if err != nil {
		return nil, fmt.Errorf("consumer %s on %s: %w", durable, stream, err)
	}
	return cons.Info(ctx)
}

func (c *natsCluster) shutdown() {
	for _, s := range c.servers {
		if s != nil {
			s.Shutdown()
			s.WaitForShutdown()
		}
	}
}

// freePorts returns n distinct free loopback ports, each with port+10000
// free as well (a Redis Cluster node's bus port).
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var out []int
	var held []net.Listener
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	var lc net.ListenConfig
	for len(out) < n {
		l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
		require.NoError(t, err)
		held = append(held, l)
		p := l.Addr().(*net.TCPAddr).Port //nolint:forcetypeassert // a TCP listener
		if p+10000 > 65535 {
			continue
		}
		bus, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:"+strconv.Itoa(p+10000))
		if err != nil {
			continue
		}
		held = append(held, bus)
		out = append(out, p)
	}
	return out
}
