package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/template"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/send"
)

// testSender sends any template, filled with sample data and the shop's
// brand, to an address the owner gives: POST /api/v1/test-send. It skips
// the customer checks (consent, smart sending): the owner asked for it.
type testSender struct {
	shops     *shop.Registry
	renderer  send.Renderer
	providers map[string]send.Provider
	recorder  send.Recorder
	now       func() time.Time
}

// testSendRequest is POST /api/v1/test-send's body.
type testSendRequest struct {
	Shop     string `json:"shop"`
	Template string `json:"template"`
	// To is the owner's address or number; default the shop's reply-to,
	// else its from address (email only).
	To string `json:"to"`
}

func (t *testSender) serve(w http.ResponseWriter, r *http.Request) {
	var req testSendRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&req); err != nil {
		writeAPIError(w, http.StatusBadRequest, "the body must be JSON: {\"shop\", \"template\", \"to\"}")
		return
	}
	status, out, err := t.send(r.Context(), req)
	if err != nil {
		writeAPIError(w, status, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(out)
}

func (t *testSender) send(ctx context.Context, req testSendRequest) (int, map[string]string, error) {
	s, ok := t.shops.Get(req.Shop)
	if !ok {
		return http.StatusNotFound, nil, fmt.Errorf("shop %q is not configured", req.Shop)
	}
	lib, err := template.Default()
	if err != nil {
		return http.StatusInternalServerError, nil, err
	}
	channel, ok := lib.Channel(req.Template)
	if !ok {
		return http.StatusBadRequest, nil, fmt.Errorf("template %q is not in the library", req.Template)
	}
	to := req.To
	if to == "" && channel == "email" {
		for _, a := range []string{s.Email.ReplyTo, s.Email.From} {
			if p, err := mail.ParseAddress(a); err == nil {
				to = p.Address
				break
			}
		}
	}
	if to == "" {
		return http.StatusBadRequest, nil, errors.New("to is required: the address or number to send the test to")
	}
	sample := template.Sample(req.Template)
	evJSON, err := json.Marshal(sample.Event)
	if err != nil {
		return http.StatusInternalServerError, nil, err
	}
	category := "transactional"
	if lib.Promotional(req.Template) || strings.Contains(req.Template, "abandon") || strings.Contains(req.Template, "win-back") {
		category = "marketing"
	}
	now := t.now().UTC()
	cmd := &processor.SendCommand{
		ID: "test:" + req.Template + ":" + now.Format("20060102T150405.000"), Shop: s.ID, Flow: "test-send",
		Run: "test", Step: req.Template, Customer: "test", Channel: channel, Template: req.Template,
		Category: category, To: to, DueAt: now, CreatedAt: now, Event: evJSON, Params: sample.Params,
	}
	if d := sample.Discount; d != nil {
		cmd.Discount = &processor.Discount{
			Code: d.Code, Step: "test", Percent: d.Percent, Amount: d.Amount, FreeShipping: d.FreeShipping, ExpiresAt: d.ExpiresAt,
		}
	}
	for _, p := range sample.Products {
		cmd.Products = append(cmd.Products, processor.Product{ID: p.ID, Title: p.Title, URL: p.URL, ImageURL: p.ImageURL})
	}
	rendered, err := t.renderer.Render(ctx, cmd, &processor.Profile{FirstName: sample.Customer.FirstName})
	if err != nil {
		return http.StatusUnprocessableEntity, nil, fmt.Errorf("rendering %s: %w", req.Template, err)
	}
	rendered.Subject = "[Test] " + rendered.Subject
	rec := &send.Record{Cmd: cmd, Status: send.StatusOutbox, Reason: "test send", Rendered: rendered, At: now}
	if p := t.providers[channel]; p != nil {
		id, err := p.Deliver(ctx, &send.Delivery{Cmd: cmd, Rendered: rendered})
		if err != nil {
			return http.StatusBadGateway, nil, fmt.Errorf("the provider refused the test: %w", err)
		}
		rec.Status, rec.ProviderID = send.StatusSent, id
	}
	if err := t.recorder.Record(ctx, rec); err != nil {
		return http.StatusServiceUnavailable, nil, err
	}
	return http.StatusOK, map[string]string{"id": cmd.ID, "status": rec.Status, "to": to, "subject": rendered.Subject}, nil
}

func writeAPIError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
