package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// serverStartTimeout bounds the wait for a child redis-server to answer.
const serverStartTimeout = 10 * time.Second

// server is a redis-server child process.
type server struct {
	cmd *exec.Cmd
	url string
}

// startServer starts redis-server on a free loopback port with its files in
// dir and waits until it answers PING. When ownDir is set, dir is removed as
// soon as the server answers: without persistence the server never writes
// there again (its log goes on into the unlinked file), so nothing is left
// behind even when Stop is never called.
func startServer(dir string, ownDir bool) (*server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redistest: no redis-server binary on PATH and REDIS_URL is not set: " +
			"install Redis 7 (Debian/Ubuntu: sudo apt-get install -y redis-server) or run the tests with `make test`, " +
			"which starts one")
	}
	var lastErr error
	for range 5 { // a free port can be taken between probing and binding
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := launch(bin, dir, port)
		if err == nil {
			if ownDir {
				_ = os.RemoveAll(dir)
			}
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func launch(bin, dir string, port int) (*server, error) {
	// No persistence: the data lives as long as the test process. noeviction
	// as in production, so a full server errors instead of dropping timers.
	// Not bound to a context: the child outlives this call until stop.
	cmd := exec.CommandContext(context.Background(), bin, //nolint:gosec // redis-server from PATH, our own arguments
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction",
		"--logfile", filepath.Join(dir, "redis.log"))
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("redistest: starting redis-server: %w", err)
	}
	s := &server{cmd: cmd, url: "redis://127.0.0.1:" + strconv.Itoa(port) + "/0"}
	if err := s.waitReady(); err != nil {
		s.stop()
		log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
		return nil, fmt.Errorf("redistest: redis-server on port %d: %w; log:\n%s", port, err, log)
	}
	return s, nil
}

func (s *server) waitReady() error {
	opt, err := goredis.ParseURL(s.url)
	if err != nil {
		return err
	}
	opt.MaxRetries = -1
	c := goredis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), serverStartTimeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		err := c.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no answer to PING after %s: %w", serverStartTimeout, err)
		case <-tick.C:
		}
	}
}

// stop kills the server and waits for it.
func (s *server) stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("redistest: finding a free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("redistest: unexpected listener address %v", l.Addr())
	}
	return addr.Port, nil
}
