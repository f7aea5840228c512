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
	// formMessagingService is the Messaging Service (MG…) of a message
	// sent or received through one.
	formMessagingService = "MessagingServiceSid"
)

// Content types of the Webhook's answers.
const (
	contentTwiML = "text/xml; charset=utf-8"
	contentText  = "text/plain; charset=utf-8"
)

// Webhook receives Twilio's status callbacks and inbound messages and
// publishes the events they mean. It serves two kinds of path:
//
//   - WebhookPath (/webhooks/twilio), the role's account: verified with
//     WebhookConfig.AuthToken; an inbound message belongs to the shop whose
//     number it was sent to, or else whose Messaging Service received it
//     (the MessagingServiceSid field), and a status callback to the shop on
//     its URL, else the one owning the sending number or service.
//   - ShopWebhookPath (/webhooks/twilio/{shop}), one shop: verified with
//     the shop's own account's token when it has one (a subaccount's
//     requests are signed with the subaccount's token), else with the
//     role's; whatever comes there belongs to that shop, and a status
//     callback whose URL names another shop is ignored.
//
// It answers, in this order: 405 for a method other than POST; 413 when the
// body is over WebhookConfig.MaxBodyBytes; 401 when X-Twilio-Signature is
// missing or wrong for the token the path calls for — a path naming no
// known shop is checked with the role's token, so that a forged request
// learns nothing, not even which shops exist; 404 for such a path once the
// signature holds; 400 when the form is malformed or lacks the message
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
	sh, known := h.pathShop(r.URL.Path)
	token := h.cfg.AuthToken
	if sh != nil && sh.AuthToken != "" {
		token = sh.AuthToken
	}
	if err := VerifySignature(token, fullURL, params, r.Header.Get(HeaderSignature)); err != nil {
		log.Info("twilio webhook signature rejected", zap.String("url", fullURL), zap.Error(err))
		text(w, http.StatusUnauthorized, "invalid signature")
		return
	}
	if !known {
		log.Warn("signed twilio webhook for a shop that is not configured", zap.String("url", fullURL))
		text(w, http.StatusNotFound, "unknown shop")
		return
	}
	if formErr != nil {
		log.Warn("malformed twilio webhook form", zap.Error(formErr))
		text(w, http.StatusBadRequest, "malformed form")
		return
	}
	rp, err := h.interpret(sh, r.URL.Query(), params)
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

// pathShop resolves a request path: on WebhookPath, no shop (nil) and
// known; on a shop's path, the shop and whether it is configured. An
// unknown shop comes back as nil, so that its request is verified with the
// role's token.
func (h *Webhook) pathShop(path string) (*Shop, bool) {
	id, perShop := pathShop(path)
	if !perShop {
		return nil, true
	}
	if !event.ValidShopID(id) {
		return nil, false
	}
	s, ok := h.cfg.Shops.Shop(id)
	if !ok {
		return nil, false
	}
	return &s, true
}

// interpret turns a verified form into a reply. sh is the shop of the
// path, nil on WebhookPath; query is the URL's query, where the client put
// Boomerang's ids.
func (h *Webhook) interpret(sh *Shop, query, form url.Values) (*reply, error) {
	sid := form.Get(formMessageSid)
	if sid == "" {
		sid = form.Get(formSmsSid)
	}
	if sid == "" {
		return nil, fmt.Errorf("%w: no %s or %s", errMalformed, formMessageSid, formSmsSid)
	}
	status := strings.ToLower(strings.TrimSpace(form.Get(formMessageStatus)))
	if status != "" && status != "received" && status != "receiving" {
		return h.status(sh, sid, status, query, form), nil
	}
	return h.inbound(sh, sid, form)
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
