package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/flows/event"
)

type published struct {
	mu  sync.Mutex
	ids map[string]*event.Event
}

func (p *published) Publish(_ context.Context, _, msgID string, data []byte) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.ids[msgID]; dup {
		return true, nil
	}
	var ev event.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return false, err
	}
	p.ids[msgID] = &ev
	return false, nil
}

type suppressed struct {
	mu   sync.Mutex
	list map[string]string
}

func (s *suppressed) Add(_ context.Context, shop, channel, address, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list[shop+"|"+channel+"|"+address] = reason
	return nil
}

func TestSignerRoundTripAndTamper(t *testing.T) {
	t.Parallel()
	s, err := web.NewSigner("k1")
	require.NoError(t, err)
	c := web.LinkClaims{Shop: "demo", Channel: "email", Address: "ann@example.com", Message: "run:reminder"}
	tok := s.Sign(c)
	got, err := s.Verify(tok)
	require.NoError(t, err)
	require.Equal(t, c, got)
	other, err := web.NewSigner("k2")
	require.NoError(t, err)
	_, err = other.Verify(tok)
	require.ErrorIs(t, err, web.ErrBadLink)
	_, err = s.Verify(strings.Replace(tok, "e", "f", 1))
	require.ErrorIs(t, err, web.ErrBadLink)
	_, err = s.Verify("")
	require.ErrorIs(t, err, web.ErrBadLink)
}

func FuzzVerifyLink(f *testing.F) {
	s, _ := web.NewSigner("k")
	f.Add(s.Sign(web.LinkClaims{Shop: "demo", Channel: "email", Address: "a@b.c"}))
	f.Add("x.y")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := s.Verify(tok)
		if err == nil && (c.Shop == "" || c.Address == "") {
			t.Fatal("verified a token without claims")
		}
	})
}

func TestOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	signer, err := web.NewSigner("secret")
	require.NoError(t, err)
	pub := &published{ids: map[string]*event.Event{}}
	sup := &suppressed{list: map[string]string{}}
	mux := http.NewServeMux()
	require.NoError(t, web.MountUnsubscribe(mux, web.UnsubscribeConfig{
		Signer: signer, Publisher: pub, Suppressions: sup,
		Now: func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) },
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tok := signer.Sign(web.LinkClaims{Shop: "demo", Channel: "email", Address: "ann@example.com", Message: "r:reminder", Run: "r"})
	u := srv.URL + "/unsubscribe?t=" + url.QueryEscape(tok)

	do := func(method, target string, body io.Reader) (int, string) {
		req, err := http.NewRequestWithContext(context.Background(), method, target, body)
		require.NoError(t, err)
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	code, body := do(http.MethodGet, u, nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "<button")
	require.Empty(t, sup.list, "GET only shows the page")

	// RFC 8058: the mail client POSTs List-Unsubscribe=One-Click.
	code, body = do(http.MethodPost, u, strings.NewReader("List-Unsubscribe=One-Click"))
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "You are unsubscribed")
	require.Equal(t, "unsubscribed", sup.list["demo|email|ann@example.com"])
	code, _ = do(http.MethodPost, u, strings.NewReader("List-Unsubscribe=One-Click"))
	require.Equal(t, http.StatusOK, code)
	require.Len(t, pub.ids, 2, "a second click changes nothing")
	var types []string
	for _, ev := range pub.ids {
		require.NoError(t, ev.Validate())
		types = append(types, string(ev.Type))
	}
	require.ElementsMatch(t, []string{"consent.updated", "message.unsubscribed"}, types)

	code, _ = do(http.MethodPost, srv.URL+"/unsubscribe?t=forged.token", nil)
	require.Equal(t, http.StatusBadRequest, code)
	code, _ = do(http.MethodGet, srv.URL+"/unsubscribe?t=<script>", nil)
	require.Equal(t, http.StatusBadRequest, code)
}
