package ingest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// testPlatform is a minimal platform for the handler's own tests: the shop
// in X-Test-Shop, the topic in X-Test-Topic, the delivery in X-Test-Delivery
// and base64 HMAC-SHA256 of the body in X-Test-Signature. Topic "thing/ping"
// is a ping, "thing/create" becomes customer.created, anything else is
// unknown.
type testPlatform struct{}

var _ ingest.Platform = testPlatform{}

func (testPlatform) Name() string { return "testplat" }

func (testPlatform) Identify(req *ingest.Request) (string, error) {
	if req.Header.Get("X-Test-Topic") == "thing/ping" {
		return "", ingest.ErrPing
	}
	d := req.Header.Get("X-Test-Shop")
	if d == "" {
		return "", ingest.ErrUnidentified
	}
	return d, nil
}

func (testPlatform) Verify(s *shop.Shop, req *ingest.Request) error {
	got, err := base64.StdEncoding.DecodeString(req.Header.Get("X-Test-Signature"))
	if err != nil || len(got) == 0 {
		return fmt.Errorf("%w: missing", ingest.ErrSignature)
	}
	for _, secret := range s.Secrets() {
		if hmac.Equal(got, sign(secret, req.Body)) {
			return nil
		}
	}
	return fmt.Errorf("%w: mismatch", ingest.ErrSignature)
}

func (testPlatform) Normalize(s *shop.Shop, req *ingest.Request) (*ingest.Result, error) {
	var body struct {
		ID json.Number `json:"id"`
	}
	if err := json.Unmarshal(req.Body, &body); err != nil {
		return nil, fmt.Errorf("%w: %w", ingest.ErrMalformed, err)
	}
	topic := req.Header.Get("X-Test-Topic")
	res := &ingest.Result{Topic: topic, DeliveryID: req.Header.Get("X-Test-Delivery")}
	if topic != "thing/create" {
		return res, ingest.ErrUnknownTopic
	}
	ev := &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID("testplat", s.ID, res.DeliveryID, event.CustomerCreated),
		Key:           event.SemanticKey(event.CustomerCreated, s.ID, body.ID.String(), time.Time{}),
		Type:          event.CustomerCreated,
		Shop:          s.ID,
		Platform:      "testplat",
		OccurredAt:    req.ReceivedAt,
		ReceivedAt:    req.ReceivedAt,
		Data:          &event.CustomerData{ID: body.ID.String()},
		Source:        event.Source{Topic: topic, DeliveryID: res.DeliveryID},
	}
	res.Messages = append(res.Messages, ingest.EventMessage(ev))
	return res, nil
}

func sign(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

func newTestShop(id string) *shop.Shop {
	return &shop.Shop{
		ID: id, Platform: "testplat", Domain: id + ".test",
		WebhookSecret: "current-" + id, PreviousWebhookSecret: "previous-" + id,
	}
}

func deliverTest(s *shop.Shop, topic string, body []byte, delivery, secret string, _ time.Time) *ingest.Request {
	h := http.Header{}
	h.Set("X-Test-Shop", s.Domain)
	h.Set("X-Test-Topic", topic)
	h.Set("X-Test-Delivery", delivery)
	h.Set("X-Test-Signature", base64.StdEncoding.EncodeToString(sign(secret, body)))
	return &ingest.Request{Header: h, Body: body}
}

func (testPlatform) DeliveryHeader() string { return "X-Test-Delivery" }
