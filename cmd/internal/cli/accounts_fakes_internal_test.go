package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
)

// answer is one scripted answer of a fake account: a status and headers.
type answer struct {
	status int
	header map[string]string
}

// hit is one request a fake account answered.
type hit struct {
	Account string
	Status  int
	// Message is Boomerang's message id (SendGrid's custom arg, Twilio's
	// status callback mid).
	Message string
	// Form is the Twilio request's form; Mail the SendGrid body.
	Form map[string]string
	Mail map[string]any
}

func (h hit) String() string { return fmt.Sprintf("%s %d %s", h.Account, h.Status, h.Message) }

// providerFake answers as SendGrid's Mail Send or Twilio's Messages API for
// several accounts at one host, told apart by their credentials as the
// real services do: a SendGrid API key, a Twilio account SID in the path
// with its token. Each account answers from its script, then 202 / 201.
type providerFake struct {
	t   *testing.T
	srv *httptest.Server

	// during, when set, is called with each request before it is
	// answered: while the sender waits for this answer.
	during func(hit)

	mu       sync.Mutex
	accounts map[string]*fakeAccount // by API key, or by SID
	hits     []hit                   // every account's, in order
	notify   chan hit
}

type fakeAccount struct {
	name   string
	token  string // Twilio only
	script []answer
}

func newProviderFake(t *testing.T) *providerFake {
	t.Helper()
	f := &providerFake{t: t, accounts: map[string]*fakeAccount{}, notify: make(chan hit, 64)}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// account adds an account: cred is the SendGrid key or the Twilio SID.
func (f *providerFake) account(name, cred, token string, script ...answer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accounts[cred] = &fakeAccount{name: name, token: token, script: script}
}

func (f *providerFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, acct, ok := f.read(r)
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	a := answer{status: http.StatusAccepted}
	if h.Form != nil {
		a.status = http.StatusCreated
	}
	if len(acct.script) > 0 {
		a, acct.script = acct.script[0], acct.script[1:]
	}
	h.Status = a.status
	f.hits = append(f.hits, h)
	during := f.during
	f.mu.Unlock()
	if during != nil {
		during(h)
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	switch {
	case a.status == http.StatusAccepted:
		w.Header().Set(sendgrid.HeaderMessageID, "sg-"+h.Message)
		w.WriteHeader(a.status)
	case a.status == http.StatusCreated:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = fmt.Fprintf(w, `{"sid":"SM%s","status":"queued"}`, strings.ReplaceAll(h.Message, ":", ""))
	case h.Form != nil:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = fmt.Fprintf(w, `{"code":%d,"message":"Too Many Requests","status":%d}`, 20000+a.status, a.status)
	default:
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(`{"errors":[{"field":null,"message":"too many requests"}]}`))
	}
	select { // a full channel already wakes the waiter
	case f.notify <- h:
	default:
	}
}

// read identifies the account and what was sent.
func (f *providerFake) read(r *http.Request) (hit, *fakeAccount, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path == "/v3/mail/send" {
		acct := f.accounts[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		var body map[string]any
		if acct == nil || json.NewDecoder(r.Body).Decode(&body) != nil {
			return hit{}, nil, false
		}
		msg := ""
		if ps, _ := body["personalizations"].([]any); len(ps) > 0 {
			args, _ := ps[0].(map[string]any)["custom_args"].(map[string]any)
			msg, _ = args[sendgrid.ArgMessageID].(string)
		}
		return hit{Account: acct.name, Message: msg, Mail: body}, acct, true
	}
	parts := strings.Split(r.URL.Path, "/") // /2010-04-01/Accounts/{sid}/Messages.json
	if len(parts) != 5 || parts[2] != "Accounts" || parts[4] != "Messages.json" {
		return hit{}, nil, false
	}
	acct := f.accounts[parts[3]]
	user, pass, ok := r.BasicAuth()
	if acct == nil || !ok || user != parts[3] || pass != acct.token || r.ParseForm() != nil {
		return hit{}, nil, false
	}
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostForm.Get(k)
	}
	msg := ""
	if cb, err := url.Parse(form["StatusCallback"]); err == nil {
		msg = cb.Query().Get("mid")
	}
	return hit{Account: acct.name, Message: msg, Form: form}, acct, true
}

// all returns every hit so far, in order.
func (f *providerFake) all() []hit {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]hit(nil), f.hits...)
}

// of returns one account's hits.
func (f *providerFake) of(account string) []hit {
	var out []hit
	for _, h := range f.all() {
		if h.Account == account {
			out = append(out, h)
		}
	}
	return out
}

// waitFor waits until cond holds for the hits so far, failing the test
// after a minute (a deadline for a stuck test, not a timing assertion).
func (f *providerFake) waitFor(what string, cond func([]hit) bool) {
	f.t.Helper()
	deadline := time.After(time.Minute)
	for !cond(f.all()) {
		select {
		case <-f.notify:
		case <-deadline:
			f.t.Fatalf("waiting for %s; hits so far: %v", what, f.all())
		}
	}
}

// has reports whether hits hold one by account with status for message.
func has(hits []hit, account string, status int, message string) bool {
	for _, h := range hits {
		if h.Account == account && h.Status == status && h.Message == message {
			return true
		}
	}
	return false
}
