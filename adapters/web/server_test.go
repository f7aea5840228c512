package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/web"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestProbes(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "boomerang_probe_test_total", Help: "x"})
	reg.MustRegister(c)
	c.Inc()
	s := web.New(web.Config{Addr: "127.0.0.1:0", Gatherer: reg})
	var depErr atomic.Pointer[error]
	s.AddCheck("nats", func(context.Context) error {
		if e := depErr.Load(); e != nil {
			return *e
		}
		return nil
	})
	require.NoError(t, s.Start())
	base := "http://" + s.Addr()

	code, _ := get(t, base+"/healthz")
	require.Equal(t, http.StatusOK, code)
	code, _ = get(t, base+"/readyz")
	require.Equal(t, http.StatusOK, code)
	code, body := get(t, base+"/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "boomerang_probe_test_total 1")

	disconnected := errors.New("disconnected")
	depErr.Store(&disconnected)
	code, body = get(t, base+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Contains(t, body, "nats: disconnected")

	depErr.Store(nil)
	s.Drain()
	code, body = get(t, base+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Contains(t, body, "draining")
	code, _ = get(t, base+"/healthz")
	require.Equal(t, http.StatusOK, code, "a draining server is still alive")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, s.Shutdown(ctx))
	require.NoError(t, s.Shutdown(ctx), "double shutdown")
}

func TestShutdownBeforeStart(t *testing.T) {
	t.Parallel()
	require.NoError(t, web.New(web.Config{}).Shutdown(context.Background()))
}
