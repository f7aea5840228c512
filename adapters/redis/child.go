package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// ErrNoRedisServer means there is no redis-server binary to start.
var ErrNoRedisServer = errors.New("redis-server is not installed: install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to a running Redis 7")

// Child is a redis-server child process owned by `serve`.
type Child struct {
	cmd  *exec.Cmd
	addr string
	sock string
	done chan struct{}
}

// StartChild starts redis-server on a free loopback port with its data in
// dir (append-only file on, so a restart keeps timers and runs; no
// eviction, so memory pressure fails loudly instead of dropping state), and
// waits until it answers PING.
func StartChild(ctx context.Context, dir string) (*Child, error) {
	return startChild(ctx, dir, false)
}

// StartScratchChild starts a redis-server for throwaway state (replay): no
// persistence, and a Unix socket in dir besides the loopback port, which
// costs the client less per round trip. URL names the socket.
func StartScratchChild(ctx context.Context, dir string) (*Child, error) {
	return startChild(ctx, dir, true)
}

func startChild(ctx context.Context, dir string, scratch bool) (*Child, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNoRedisServer
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("creating redis data dir: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	port, err := freePort(ctx)
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	// The child outlives ctx's cancellation (serve cancels on SIGTERM, then
	// drains): Stop ends it, after the roles that use it.
	args := []string{
		"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", abs,
		"--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
		"--maxmemory-policy", "noeviction", "--daemonize", "no", "--logfile", filepath.Join(abs, "redis.log"),
	}
	sock := ""
	if scratch {
		sock = filepath.Join(abs, "redis.sock")
		args = append(args, "--appendonly", "no", "--unixsocket", sock, "--unixsocketperm", "700")
	}
	cmd := exec.CommandContext(context.WithoutCancel(ctx), bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting redis-server: %w", err)
	}
	c := &Child{cmd: cmd, addr: addr, sock: sock, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(c.done) }()
	client := goredis.NewClient(&goredis.Options{Addr: addr})
	defer client.Close()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if client.Ping(ctx).Err() == nil {
			return c, nil
		}
		select {
		case <-c.done:
			return nil, fmt.Errorf("redis-server exited at start; see %s", filepath.Join(abs, "redis.log"))
		case <-deadline.C:
			c.Stop()
			return nil, errors.New("redis-server did not answer within 10s")
		case <-ctx.Done():
			c.Stop()
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// URL is the child's redis:// URL (unix:// for a scratch child).
func (c *Child) URL() string {
	if c.sock != "" {
		return "unix://" + c.sock
	}
	return "redis://" + c.addr + "/0"
}

// Stop asks redis-server to exit (it writes its append-only file first) and
// waits up to 10 s. Safe twice.
func (c *Child) Stop() {
	if c == nil || c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
