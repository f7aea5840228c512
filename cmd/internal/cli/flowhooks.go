package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/webhookout"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/send"
)

// flowHooks delivers flows' webhook steps: a signed POST with retries
// (adapters/webhookout). Receivers deduplicate on the id (run and step),
// so a webhook is delivered at least once, unlike messages.
type flowHooks struct {
	client   *webhookout.Client
	shops    *shop.Registry
	secret   string // BOOMERANG_SECRET_KEY, for shops that set no flow_webhook_secret
	recorder send.Recorder
	now      func() time.Time
}

// retryLaterError asks the OUTBOX worker to redeliver after a delay.
type retryLaterError struct {
	err   error
	after time.Duration
}

func (e *retryLaterError) Error() string             { return e.err.Error() }
func (e *retryLaterError) Unwrap() error             { return e.err }
func (e *retryLaterError) RetryAfter() time.Duration { return e.after }

func (h *flowHooks) handle(ctx context.Context, c *processor.SendCommand) error {
	body := c.Body
	if len(body) == 0 {
		// No body fields: the run and its trigger event.
		var ev any
		_ = json.Unmarshal(c.Event, &ev)
		body = map[string]any{"shop": c.Shop, "flow": c.Flow, "run": c.Run, "step": c.Step, "customer": c.Customer, "event": ev}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return h.record(ctx, c, send.StatusFailed, "encoding the body: "+err.Error())
	}
	secret := derive(h.secret, "flow-webhooks:"+c.Shop)
	if s, ok := h.shops.Get(c.Shop); ok && s.FlowWebhookSecret != "" {
		secret = s.FlowWebhookSecret
	}
	err = h.client.Deliver(ctx, webhookout.Delivery{ID: c.ID, Shop: c.Shop, URL: c.URL, Body: b, Secret: secret})
	switch {
	case err == nil:
		return h.record(ctx, c, send.StatusSent, "")
	case errors.Is(err, webhookout.ErrTemporary):
		after, ok := webhookout.RetryAfter(err)
		if !ok || after < time.Minute {
			after = time.Minute
		}
		return &retryLaterError{err: err, after: after}
	default:
		return h.record(ctx, c, send.StatusFailed, err.Error())
	}
}

func (h *flowHooks) record(ctx context.Context, c *processor.SendCommand, status, reason string) error {
	if err := h.recorder.Record(ctx, &send.Record{Cmd: c, Status: status, Reason: reason, At: h.now().UTC()}); err != nil {
		return fmt.Errorf("recording webhook %s: %w", c.ID, err)
	}
	return nil
}
