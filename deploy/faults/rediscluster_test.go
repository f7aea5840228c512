//go:build faults && linux

package faults_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// clusterNodeTimeout is the Redis Cluster's cluster-node-timeout: how long
// a master may be unreachable before its replica takes over.
const clusterNodeTimeout = 1500 * time.Millisecond

// redisCluster is a Redis Cluster of six redis-server processes on
// loopback: three masters, three replicas, AOF on, noeviction, as
// docs/faults.md asks of a production cluster.
type redisCluster struct {
	t     *testing.T
	ports []int
	dirs  []string
	procs []*exec.Cmd
}

// requireRedisTools fails the test, saying how to get them, when
// redis-server or redis-cli is missing.
func requireRedisTools(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is not on PATH: the fault tests run a Redis Cluster of redis-server processes created with redis-cli. "+
				"Install them (Debian/Ubuntu: sudo apt-get install -y redis-server redis-tools) or run `make test-faults`, which does", bin)
		}
	}
}

func startRedisCluster(t *testing.T) *redisCluster {
	t.Helper()
	requireRedisTools(t)
	c := &redisCluster{t: t, ports: freePorts(t, 6)}
	c.procs = make([]*exec.Cmd, 6)
	for i := range 6 {
		c.dirs = append(c.dirs, t.TempDir())
		c.start(i)
	}
	t.Cleanup(c.stop)
	for i := range 6 {
		c.waitPing(i)
	}
	args := []string{"--cluster", "create"}
	for _, p := range c.ports {
		args = append(args, "127.0.0.1:"+strconv.Itoa(p))
	}
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	out, err := exec.CommandContext(context.Background(), "redis-cli", args...).CombinedOutput()
	require.NoError(t, err, "redis-cli --cluster create: %s", out)
	c.waitHealthy()
	return c
}

// start runs node i: cluster mode, a short node timeout, AOF, noeviction.
// It dies with the test binary.
func (c *redisCluster) start(i int) {
	c.t.Helper()
	cmd := exec.CommandContext(context.Background(), "redis-server",
		"--port", strconv.Itoa(c.ports[i]), "--bind", "127.0.0.1", "--dir", c.dirs[i],
		"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
		"--cluster-node-timeout", strconv.FormatInt(clusterNodeTimeout.Milliseconds(), 10),
		"--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
		"--maxmemory-policy", "noeviction", "--logfile", filepath.Join(c.dirs[i], "redis.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(c.t, cmd.Start())
	c.procs[i] = cmd
}

func (c *redisCluster) node(i int) *goredis.Client {
	return goredis.NewClient(&goredis.Options{Addr: c.addr(i), MaxRetries: -1, DialTimeout: time.Second})
}

func (c *redisCluster) addr(i int) string { return "127.0.0.1:" + strconv.Itoa(c.ports[i]) }

func (c *redisCluster) waitPing(i int) {
	c.t.Helper()
	n := c.node(i)
	defer n.Close()
	require.Eventually(c.t, func() bool { return n.Ping(context.Background()).Err() == nil },
		10*time.Second, 20*time.Millisecond, "redis-server on %s answers", c.addr(i))
}

// waitHealthy waits until every running node sees the cluster as ok and
// every master has a replica attached.
func (c *redisCluster) waitHealthy() {
	c.t.Helper()
	require.Eventually(c.t, func() bool {
		masters := 0
		for i := range c.procs {
			if c.procs[i] == nil {
				continue
			}
			info, role, err := c.state(i)
			if err != nil || !strings.Contains(info, "cluster_state:ok") {
				return false
			}
			if role.master {
				if role.replicas < 1 {
					return false
				}
				masters++
			}
		}
		return masters == 3
	}, 60*time.Second, 100*time.Millisecond, "redis cluster healthy: three masters, each with a replica")
}

type nodeRole struct {
	master   bool
	replicas int
}

func (c *redisCluster) state(i int) (string, nodeRole, error) {
	n := c.node(i)
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	info, err := n.ClusterInfo(ctx).Result()
	if err != nil {
		return "", nodeRole{}, err
	}
	v, err := n.Do(ctx, "ROLE").Slice()
	if err != nil || len(v) == 0 {
		return "", nodeRole{}, fmt.Errorf("ROLE: %w", err)
	}
	r := nodeRole{master: fmt.Sprint(v[0]) == "master"}
	if r.master && len(v) >= 3 {
		if rs, ok := v[2].([]any); ok {
			r.replicas = len(rs)
		}
	}
	return info, r, nil
}

// URL is REDIS_URL for the roles: every node a seed.
func (c *redisCluster) URL() string {
	u := "redis+cluster://" + c.addr(0)
	for i := 1; i < len(c.ports); i++ {
		if i == 1 {
			u += "?"
		} else {
			u += "&"
		}
		u += "addr=" + c.addr(i)
	}
	return u
}

// Client is a cluster client set up as the roles' is
// (cmd/internal/cli/redisclient.go: the slot map read again every 2 s).
func (c *redisCluster) Client() *goredis.ClusterClient {
	c.t.Helper()
	addrs := make([]string, 0, len(c.ports))
	for i := range c.ports {
		addrs = append(addrs, c.addr(i))
	}
	cc := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs, ClusterStateReloadInterval: 2 * time.Second})
	c.t.Cleanup(func() { _ = cc.Close() })
	return cc
}

// MasterOf returns the index of the node that is master for key now.
func (c *redisCluster) MasterOf(key string) int {
	c.t.Helper()
	slot := int64(hashSlot(key))
	for i := range c.procs {
		if c.procs[i] == nil {
			continue
		}
		n := c.node(i)
		shards, err := n.ClusterShards(context.Background()).Result()
		_ = n.Close()
		if err != nil {
			continue
		}
		for _, sh := range shards {
			for _, r := range sh.Slots {
				if slot < r.Start || slot > r.End {
					continue
				}
				for _, nd := range sh.Nodes {
					if nd.Role == "master" && nd.Health == "online" {
						return c.indexOf(nd.IP + ":" + strconv.FormatInt(nd.Port, 10))
					}
				}
			}
		}
	}
	c.t.Fatalf("no master for slot %d", slot)
	return -1
}

// ReplicaOf returns the index of the replica attached to master i.
func (c *redisCluster) ReplicaOf(i int) int {
	c.t.Helper()
	n := c.node(i)
	defer n.Close()
	v, err := n.Do(context.Background(), "ROLE").Slice()
	require.NoError(c.t, err)
	require.GreaterOrEqual(c.t, len(v), 3)
	rs, ok := v[2].([]any)
	require.True(c.t, ok && len(rs) == 1, "master %s has one replica: %v", c.addr(i), v)
	r, ok := rs[0].([]any)
	require.True(c.t, ok && len(r) >= 2)
	return c.indexOf(fmt.Sprint(r[0]) + ":" + fmt.Sprint(r[1]))
}

func (c *redisCluster) indexOf(addr string) int {
	for i := range c.ports {
		if c.addr(i) == addr {
			return i
		}
	}
	c.t.Fatalf("no node at %s", addr)
	return -1
}

// Kill SIGKILLs node i.
func (c *redisCluster) Kill(i int) {
	c.t.Helper()
	require.NoError(c.t, c.procs[i].Process.Signal(syscall.SIGKILL))
	_ = c.procs[i].Wait()
	c.procs[i] = nil
}

// Stop and Cont freeze and thaw node i (SIGSTOP, SIGCONT): it stays
// connected and answers nothing.
func (c *redisCluster) Stop(i int) { require.NoError(c.t, c.procs[i].Process.Signal(syscall.SIGSTOP)) }

func (c *redisCluster) Cont(i int) { require.NoError(c.t, c.procs[i].Process.Signal(syscall.SIGCONT)) }

// WaitPromoted waits until node i is a master serving the cluster.
func (c *redisCluster) WaitPromoted(i int) time.Duration {
	c.t.Helper()
	start := time.Now()
	require.Eventually(c.t, func() bool {
		info, role, err := c.state(i)
		return err == nil && role.master && strings.Contains(info, "cluster_state:ok")
	}, 30*time.Second, 50*time.Millisecond, "redis node %s promoted", c.addr(i))
	return time.Since(start)
}

// Restart starts node i again on its port and directory (its nodes.conf
// and AOF): it rejoins the cluster, as a replica if it was replaced.
func (c *redisCluster) Restart(i int) {
	c.t.Helper()
	c.start(i)
	c.waitPing(i)
	c.waitHealthy()
}

// Log returns the tail of node i's log.
func (c *redisCluster) Log(i int) string {
	b, _ := os.ReadFile(filepath.Join(c.dirs[i], "redis.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (c *redisCluster) stop() {
	for i, p := range c.procs {
		if p != nil {
			_ = p.Process.Signal(syscall.SIGCONT)
			_ = p.Process.Kill()
			_ = p.Wait()
			c.procs[i] = nil
		}
	}
}

// hashSlot is a key's Redis Cluster slot (CRC16/XMODEM of the key or of
// its hash tag, mod 16384).
func hashSlot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	var crc uint16
	for _, b := range []byte(key) {
		crc ^= uint16(b) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc % 16384)
}
