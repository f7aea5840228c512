//go:build faults && linux

package faults_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// shopify plays the platform: it posts signed webhooks to ingest and, as
// Shopify does, retries a delivery that was not answered 200 (same webhook
// id, so JetStream keeps one copy).
type shopify struct {
	url, domain, secret string
	client              *http.Client
	// Retries counts deliveries repeated after a 503 or no answer.
	Retries atomic.Int64
}

func newShopify(ingestURL, domain, secret string) *shopify {
	return &shopify{
		url: ingestURL + "/webhooks/shopify", domain: domain, secret: secret,
		client: &http.Client{Timeout: 5 * time.Second},
	}
}

// Post delivers one webhook until ingest answers 200, for at most two
// minutes (Shopify goes on for hours).
func (s *shopify) Post(ctx context.Context, topic, webhookID, body string) error {
	mac := hmac.New(sha256.New, []byte(s.secret))
	mac.Write([]byte(body))
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, err := s.once(ctx, topic, webhookID, sig, body)
		if code == http.StatusOK {
			return nil
		}
		if code != 0 && code != http.StatusServiceUnavailable {
			return fmt.Errorf("webhook %s answered %d", webhookID, code)
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("answered %d", code)
			}
			return fmt.Errorf("webhook %s not accepted in 2 minutes: %w", webhookID, err)
		}
		s.Retries.Add(1)
		t := time.NewTimer(200 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (s *shopify) once(ctx context.Context, topic, webhookID, sig, body string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewBufferString(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", topic)
	req.Header.Set("X-Shopify-Shop-Domain", s.domain)
	req.Header.Set("X-Shopify-Webhook-Id", webhookID)
	req.Header.Set("X-Shopify-Hmac-Sha256", sig)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// checkout is a checkouts/update body of one customer's cart, consented to
// marketing email.
func checkout(token, email string, at time.Time) string {
	ts := at.UTC().Format(time.RFC3339Nano)
	return fmt.Sprintf(`{"token":%q,"email":%q,"buyer_accepts_marketing":true,"currency":"USD","total_price":"25.00",`+
		`"line_items":[{"product_id":1,"variant_id":2,"title":"Mug","quantity":1,"price":"25.00"}],`+
		`"created_at":%q,"updated_at":%q,"completed_at":null}`, token, email, ts, ts)
}

// order is an orders/create body completing the checkout.
func order(id int64, token, email string, at time.Time) string {
	ts := at.UTC().Format(time.RFC3339Nano)
	return fmt.Sprintf(`{"id":%d,"email":%q,"checkout_token":%q,"currency":"USD","total_price":"25.00",`+
		`"line_items":[{"product_id":1,"variant_id":2,"title":"Mug","quantity":1,"price":"25.00"}],`+
		`"created_at":%q,"updated_at":%q}`, id, email, token, ts, ts)
}
