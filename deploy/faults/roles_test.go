//go:build faults && linux

package faults_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	errBuild  error
)

// binary builds the boomerang command once per test process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "boomerang-faults-") //nolint:usetesting // shared by the package's tests; TestMain removes it
		if err != nil {
			errBuild = err
			return
		}
		binDir, binPath = dir, filepath.Join(dir, "boomerang")
		out, err := exec.CommandContext(context.Background(), "go", "build", "-o", binPath,
			"github.com/boomerang-dev/boomerang/cmd/boomerang").CombinedOutput()
		if err != nil {
			errBuild = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	require.NoError(t, errBuild)
	return binPath
}

// role is one boomerang role running as its own OS process, on a fixed
// HTTP port so a restart serves where it did.
type role struct {
	t    *testing.T
	name string // "process-1"
	cmd  string // the subcommand: ingest, process, send
	env  []string
	port int
	log  string

	mu     sync.Mutex
	proc   *exec.Cmd
	done   chan struct{}
	exit   error
	exitAt time.Time
}

func newRole(t *testing.T, name, cmd string, env []string, logDir string) *role {
	t.Helper()
	port := freePorts(t, 1)[0]
	r := &role{
		t: t, name: name, cmd: cmd, port: port, log: filepath.Join(logDir, name+".log"),
		env: append(append([]string{}, env...), "BOOMERANG_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port)),
	}
	t.Cleanup(func() { r.kill() })
	return r
}

// URL is the role's HTTP base.
func (r *role) URL() string { return "http://127.0.0.1:" + strconv.Itoa(r.port) }

// Start runs the role; its log goes to its file (appended across
// restarts).
func (r *role) Start() {
	r.t.Helper()
	f, err := os.OpenFile(r.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	require.NoError(r.t, err)
	fmt.Fprintf(f, "=== start %s at %s\n", r.name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.CommandContext(context.Background(), binary(r.t), r.cmd)
	cmd.Env = r.env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(r.t, cmd.Start())
	done := make(chan struct{})
	r.mu.Lock()
	r.proc, r.done, r.exit = cmd, done, nil
	r.mu.Unlock()
	go func() {
		err := cmd.Wait()
		_ = f.Close()
		r.mu.Lock()
		r.exit, r.exitAt = err, time.Now()
		r.mu.Unlock()
		close(done)
	}()
}

// Ready reports whether /readyz answers 200.
func (r *role) Ready() bool {
	code, _ := probe(r.URL() + "/readyz")
	return code == http.StatusOK
}

// WaitReady waits until /readyz answers 200.
func (r *role) WaitReady() {
	r.t.Helper()
	require.Eventually(r.t, r.Ready, 60*time.Second, 50*time.Millisecond, "%s ready; log:\n%s", r.name, r.tail())
}

// Kill9 SIGKILLs the role and waits for it to go.
func (r *role) Kill9() {
	r.t.Helper()
	r.mu.Lock()
	p, done := r.proc, r.done
	r.mu.Unlock()
	require.NoError(r.t, p.Process.Signal(syscall.SIGKILL))
	<-done
}

// Term sends SIGTERM and returns a channel closed when the process exits.
func (r *role) Term() <-chan struct{} {
	r.t.Helper()
	r.mu.Lock()
	p, done := r.proc, r.done
	r.mu.Unlock()
	require.NoError(r.t, p.Process.Signal(syscall.SIGTERM))
	return done
}

// Exit is when the last run ended and its exit error (nil for status 0).
func (r *role) Exit() (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.exitAt, r.exit
}

func (r *role) kill() {
	r.mu.Lock()
	p, done := r.proc, r.done
	r.mu.Unlock()
	if p == nil {
		return
	}
	select {
	case <-done:
	default:
		_ = p.Process.Kill()
		<-done
	}
}

// tail returns the end of the role's log.
func (r *role) tail() string {
	b, _ := os.ReadFile(r.log)
	if len(b) > 6000 {
		b = b[len(b)-6000:]
	}
	return string(b)
}

// logLines counts the role's log lines holding s.
func (r *role) logLines(s string) int {
	f, err := os.Open(r.log)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), s) {
			n++
		}
	}
	return n
}

// probe GETs url on a fresh connection: the status code, or 0 and the error
// when nothing answered (connection refused after the listener closed).
func probe(url string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	tr := &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
