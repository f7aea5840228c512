//go:build faults && linux

package faults_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
)

// mail is one message SendGrid accepted, identified by the ids Boomerang
// puts in the personalization's custom args.
type mail struct {
	ID, Flow, Step, Customer, To string
	// Key is the API key that sent it: each sender process has its own.
	Key string
	// Received is when the request arrived; Answered when the 202 went.
	Received, Answered time.Time
}

// sendgridFake answers POST /v3/mail/send as SendGrid does (202 and an
// X-Message-Id) after a delay, so a sender always has requests in flight,
// and keeps every message it accepted. A message counts once its request
// is read, as SendGrid would deliver it even if the sender dies before the
// answer arrives.
type sendgridFake struct {
	delay time.Duration

	mu       sync.Mutex
	mail     []*mail
	inFlight map[string]int // by key
}

func newSendgridFake(delay time.Duration) *sendgridFake {
	return &sendgridFake{delay: delay, inFlight: map[string]int{}}
}

func (f *sendgridFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if r.URL.Path != "/v3/mail/send" || r.Method != http.MethodPost || !ok || !strings.HasPrefix(key, "SG.") {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var body struct {
		Personalizations []struct {
			To []struct {
				Email string `json:"email"`
			} `json:"to"`
			CustomArgs map[string]string `json:"custom_args"`
		} `json:"personalizations"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Personalizations) != 1 ||
		len(body.Personalizations[0].To) != 1 {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	p := body.Personalizations[0]
	m := &mail{
		ID: p.CustomArgs[sendgrid.ArgMessageID], Flow: p.CustomArgs[sendgrid.ArgFlow], Step: p.CustomArgs[sendgrid.ArgStep],
		Customer: p.CustomArgs[sendgrid.ArgCustomer], To: p.To[0].Email, Key: key, Received: time.Now(),
	}
	if m.ID == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.mail = append(f.mail, m)
	n := len(f.mail)
	f.inFlight[key]++
	f.mu.Unlock()

	t := time.NewTimer(f.delay)
	select {
	case <-t.C:
	case <-r.Context().Done(): // the sender went away: the message is accepted all the same
		t.Stop()
	}
	w.Header().Set(sendgrid.HeaderMessageID, fmt.Sprintf("sg-%d", n))
	w.WriteHeader(http.StatusAccepted)
	f.mu.Lock()
	m.Answered = time.Now()
	f.inFlight[key]--
	f.mu.Unlock()
}

// Mail returns a copy of what was accepted so far.
func (f *sendgridFake) Mail() []mail {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]mail, len(f.mail))
	for i, m := range f.mail {
		out[i] = *m
	}
	return out
}

// Count counts the accepted messages of flow.
func (f *sendgridFake) Count(flow string) int {
	n := 0
	for _, m := range f.Mail() {
		if m.Flow == flow {
			n++
		}
	}
	return n
}

// InFlight is how many requests of key are being answered now.
func (f *sendgridFake) InFlight(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inFlight[key]
}
