package jetstreamtest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	bjs "github.com/boomerang-dev/boomerang/adapters/jetstream"
)

// Server is a running embedded server with a connection to it.
type Server struct {
	Embedded *bjs.Embedded
	Conn     *bjs.Conn
	StoreDir string
}

// Start starts a server, connects, and creates Boomerang's streams.
func Start(tb testing.TB) *Server {
	tb.Helper()
	dir := tb.TempDir()
	emb, err := bjs.StartEmbedded(bjs.EmbeddedConfig{StoreDir: dir})
	if err != nil {
		tb.Fatalf("starting embedded jetstream: %v", err)
	}
	tb.Cleanup(emb.Shutdown)
	conn, err := bjs.Connect(emb.URL(), tb.Name(), nil)
	if err != nil {
		tb.Fatalf("connecting: %v", err)
	}
	tb.Cleanup(func() { conn.NC.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := bjs.EnsureStreams(ctx, conn.JS, bjs.StreamsConfig{MaxBytes: 64 << 20}); err != nil {
		tb.Fatalf("creating streams: %v", err)
	}
	return &Server{Embedded: emb, Conn: conn, StoreDir: dir}
}

// Messages returns every message stored on stream whose subject matches
// filter, in stream order.
func (s *Server) Messages(tb testing.TB, stream, filter string) []jetstream.RawStreamMsg {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := s.Conn.JS.Stream(ctx, stream)
	if err != nil {
		tb.Fatalf("stream %s: %v", stream, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		tb.Fatalf("stream info: %v", err)
	}
	var out []jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			continue // deleted
		}
		if filter == "" || subjectMatches(filter, m.Subject) {
			out = append(out, *m)
		}
	}
	return out
}

// subjectMatches reports whether subject matches a NATS filter with * and >.
func subjectMatches(filter, subject string) bool {
	f, s := split(filter), split(subject)
	for i, tok := range f {
		if tok == ">" {
			return len(s) > i
		}
		if i >= len(s) || (tok != "*" && tok != s[i]) {
			return false
		}
	}
	return len(f) == len(s)
}

func split(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
