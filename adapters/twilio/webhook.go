package twilio

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// Form parameters of Twilio's webhooks.
const (
	formMessageSid    = "MessageSid"
	formSmsSid        = "SmsSid"
	formMessageStatus = "MessageStatus"
	formFrom          = "From"
	formTo            = "To"
	formBody          = "Body"
	formErrorCode     = "ErrorCode"
	formErrorMessage  = "ErrorMessage"
)

// Content types of the Webhook's answers.
const (
	contentTwiML = "text/xml; charset=utf-8"
	contentText  = "text/plain; charset=utf-8"
)

// Webhook receives Twilio's status callbacks and inbound messages at
// POST /webhooks/twilio and publishes the events they mean.
//
// It answers, in this order: 405 for a method other than POST; 413 when the
// body is over WebhookConfig.MaxBodyBytes; 401 when X-Twilio-Signature is
// missing or wrong; 400 when the form is malformed or lacks the message
// sid, From or To; 503 when an event could not be published (Twilio may
// retry); otherwise 200 with TwiML: the shop's help text for HELP, else an
// empty <Response/>. A request that means nothing to Boomerang (a status
// other than sent, delivered, undelivered or failed; a number or shop no
// shop owns) gets 200 and is logged.
type Webhook struct {
	cfg WebhookConfig
}

var _ http.Handler = (*Webhook)(nil)

// NewWebhook returns a Webhook, or an error when cfg is incomplete.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Webhook{cfg: cfg}, nil
}

// errMalformed marks a form the handler cannot use.
var errMalformed = errors.New("malformed twilio webhook")

// reply is what one request produced: the events to publish and the TwiML
// message to answer with ("" for none).
type reply struct {
	events  []*event.Event
	message string
}

// ServeHTTP implements http.Handler.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		text(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			text(w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		text(w, http.StatusBadRequest, "unreadable body")
		return
	}
	log := h.cfg.Logger
	// ParseQuery keeps what it could parse when it fails, so a forged
	// malformed body still gets 401, never a hint about its form.
	params, formErr := url.ParseQuery(string(body))
	fullURL := h.cfg.PublicURL + r.URL.RequestURI()
	if err := VerifySignature(h.cfg.AuthToken, fullURL, params, r.Header.Get(HeaderSignature)); err != nil {
		log.Info("twilio webhook signature rejected", zap.String("url", fullURL), zap.Error(err))
		text(w, http.StatusUnauthorized, "invalid signature")
		return
	}
	if formErr != nil {
		log.Warn("malformed twilio webhook form", zap.Error(formErr))
		text(w, http.StatusBadRequest, "malformed form")
		return
	}
	rp, err := h.interpret(r.URL.Query(), params)
	if err != nil {
		log.Warn("malformed twilio webhook", zap.Error(err))
		text(w, http.StatusBadRequest, "malformed form")
		return
	}
	if err := h.publish(r.Context(), rp.events); err != nil {
		log.Warn("publishing twilio webhook failed; answering 503", zap.Error(err))
		text(w, http.StatusServiceUnavailable, "temporarily unavailable")
		return
	}
	twiml(w, rp.message)
}

// interpret turns a verified form into a reply. query is the URL's query,
// where the client put Boomerang's ids.
func (h *Webhook) interpret(query, form url.Values) (*reply, error) {
	sid := form.Get(formMessageSid)
	if sid == "" {
		sid = form.Get(formSmsSid)
	}
	if sid == "" {
		return nil, fmt.Errorf("%w: no %s or %s", errMalformed, formMessageSid, formSmsSid)
	}
	status := strings.ToLower(strings.TrimSpace(form.Get(formMessageStatus)))
	if status != "" && status != "received" && status != "receiving" {
		return h.status(sid, status, query, form), nil
	}
	return h.inbound(sid, form)
}

// publish stores every event and waits for all PubAcks, even when the
// request's context ends first (Twilio has then given up on the answer,
// but a stored event is still worth having).
func (h *Webhook) publish(ctx context.Context, events []*event.Event) error {
	if len(events) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.PublishTimeout)
	defer cancel()
	for _, ev := range events {
		if err := ev.Validate(); err != nil {
			return fmt.Errorf("event %s: %w", ev.ID, err)
		}
		data, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encoding event %s: %w", ev.ID, err)
		}
		if _, err := h.cfg.Publisher.Publish(ctx, ev.Subject(), ev.ID, data); err != nil {
			return fmt.Errorf("publishing event %s: %w", ev.ID, err)
		}
	}
	return nil
}

// text writes a plain-text answer.
func text(w http.ResponseWriter, status int, msg string) {
	w.Header().Set(headerContentType, contentText)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

// twiml writes 200 with a TwiML response: message as a reply SMS, or an
// empty <Response/> when message is "".
func twiml(w http.ResponseWriter, message string) {
	w.Header().Set(headerContentType, contentTwiML)
	w.WriteHeader(http.StatusOK)
	if message == "" {
		_, _ = io.WriteString(w, "<Response/>")
		return
	}
	var b strings.Builder
	b.WriteString("<Response><Message>")
	_ = xml.EscapeText(&b, []byte(message))
	b.WriteString("</Message></Response>")
	_, _ = io.WriteString(w, b.String())
}
