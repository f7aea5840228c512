package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
)

// Check reports whether a dependency is ready; nil means ready.
type Check func(ctx context.Context) error

// Config configures a Server.
type Config struct {
	// Addr is the listen address. Default 127.0.0.1:8080.
	Addr string
	// Gatherer serves /metrics. Default prometheus.DefaultGatherer.
	Gatherer prometheus.Gatherer
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
	// ReadTimeout bounds reading a request, body included. Default 30 s.
	ReadTimeout time.Duration
}

// Server is the HTTP server. Mux is open for routes until Start.
type Server struct {
	Mux *http.ServeMux

	cfg      Config
	mu       sync.Mutex
	checks   map[string]Check
	draining atomic.Bool
	srv      *http.Server
	ln       net.Listener
	done     chan struct{}
}

// New returns a Server with the probes mounted.
func New(cfg Config) *Server {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.Gatherer == nil {
		cfg.Gatherer = prometheus.DefaultGatherer
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 30 * time.Second
	}
	s := &Server{Mux: http.NewServeMux(), cfg: cfg, checks: map[string]Check{}}
	s.Mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	s.Mux.HandleFunc("GET /readyz", s.readyz)
	s.Mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	return s
}

// AddCheck registers a readiness check under name.
func (s *Server) AddCheck(name string, c Check) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks[name] = c
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("draining\n"))
		return
	}
	s.mu.Lock()
	names := make([]string, 0, len(s.checks))
	for n := range s.checks {
		names = append(names, n)
	}
	s.mu.Unlock()
	sort.Strings(names)
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var failed []string
	for _, n := range names {
		s.mu.Lock()
		c := s.checks[n]
		s.mu.Unlock()
		if err := c(ctx); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", n, err))
		}
	}
	if len(failed) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		for _, f := range failed {
			_, _ = w.Write([]byte(f + "\n"))
		}
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// Start listens and serves in the background. Addr() tells the bound
// address (useful with port 0).
func (s *Server) Start() error {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.Mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.ReadTimeout + 10*time.Second,
		IdleTimeout:       120 * time.Second,
	}
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logger.Error("http server stopped", zap.Error(err))
		}
	}()
	return nil
}

// Addr is the bound address after Start, else the configured one.
func (s *Server) Addr() string {
	if s.ln != nil {
		return s.ln.Addr().String()
	}
	return s.cfg.Addr
}

// Drain makes /readyz fail so load balancers stop sending traffic, while
// requests are still served.
func (s *Server) Drain() { s.draining.Store(true) }

// Shutdown drains, then stops accepting connections and waits for requests
// in flight until ctx ends. Safe before Start and twice.
func (s *Server) Shutdown(ctx context.Context) error {
	s.Drain()
	if s.srv == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}
