package bigcommerce

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // identity fallback mirroring BigCommerce's own SHA-1 hash, not a security use
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// payload is a webhook body. Fields Boomerang needs have strict types, so
// a body of the wrong shape fails to decode.
type payload struct {
	Scope     string          `json:"scope"`
	StoreID   flexID          `json:"store_id"`
	Producer  string          `json:"producer"`
	Hash      string          `json:"hash"`
	CreatedAt json.Number     `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// Normalize turns a verified delivery into its message: a Notification on
// fetch.bigcommerce.<shop> for the fetch worker, or, for
// store/app/uninstalled, the canonical shop.uninstalled event. A body that
// is not a JSON object with a string scope and an object data, or whose data
// lacks what its scope needs, is ErrMalformed; a scope Boomerang does not use
// is ErrUnknownTopic.
func (*Adapter) Normalize(s *shop.Shop, req *ingest.Request) (*ingest.Result, error) {
	n, err := decodeNotification(s, req)
	if err != nil {
		return nil, err
	}
	res := &ingest.Result{Topic: n.Scope, DeliveryID: n.DeliveryID()}
	if n.Scope == ScopeAppUninstalled {
		res.Messages = []ingest.Message{ingest.EventMessage(uninstalled(s, n))}
		return res, nil
	}
	res.Messages = []ingest.Message{{Subject: n.Subject(), MsgID: n.MsgID(), Value: n}}
	return res, nil
}

// decodeNotification reads and checks a delivery's body.
func decodeNotification(s *shop.Shop, req *ingest.Request) (*Notification, error) {
	var p payload
	if err := json.Unmarshal(req.Body, &p); err != nil {
		return nil, fmt.Errorf("%w: body is not a BigCommerce webhook object", ingest.ErrMalformed)
	}
	if p.Scope == "" {
		return nil, fmt.Errorf("%w: scope is missing", ingest.ErrMalformed)
	}
	if d := bytes.TrimSpace(p.Data); len(d) == 0 || d[0] != '{' {
		return nil, fmt.Errorf("%w: data is not a JSON object", ingest.ErrMalformed)
	}
	if !Used(p.Scope) {
		return nil, fmt.Errorf("%w: %.64q", ingest.ErrUnknownTopic, p.Scope)
	}
	if _, err := parseHookData(p.Scope, p.Data); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ingest.ErrMalformed, p.Scope, err)
	}
	var created time.Time
	if p.CreatedAt != "" {
		sec, err := strconv.ParseInt(p.CreatedAt.String(), 10, 64)
		if err != nil || (sec != 0 && unixTime(sec).IsZero()) {
			return nil, fmt.Errorf("%w: created_at is not unix seconds", ingest.ErrMalformed)
		}
		created = unixTime(sec)
	}
	n := &Notification{
		Shop:       s.ID,
		Scope:      p.Scope,
		StoreID:    p.StoreID.String(),
		Producer:   p.Producer,
		Hash:       p.Hash,
		CreatedAt:  created,
		Data:       append(json.RawMessage(nil), bytes.TrimSpace(p.Data)...),
		WebhookID:  req.Header.Get(HeaderWebhookID),
		ReceivedAt: req.ReceivedAt.UTC(),
	}
	if n.Hash == "" {
		n.Hash = n.WebhookID
	}
	if n.Hash == "" {
		sum := sha1.Sum(req.Body) //nolint:gosec // see import
		n.Hash = hex.EncodeToString(sum[:])
	}
	return n, nil
}

// uninstalled builds shop.uninstalled from store/app/uninstalled.
func uninstalled(s *shop.Shop, n *Notification) *event.Event {
	hash, _ := storeHash(n.Producer)
	if hash == "" {
		hash = s.Domain
	}
	t := event.ShopUninstalled
	return &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(Name, s.ID, n.DeliveryID(), t),
		// The trigger time versions the key: a store can reinstall and
		// uninstall again, and each uninstall must act.
		Key:        event.SemanticKey(t, s.ID, hash, firstTime(n.CreatedAt, n.ReceivedAt)),
		Type:       t,
		Shop:       s.ID,
		Platform:   Name,
		OccurredAt: firstTime(n.CreatedAt, n.ReceivedAt),
		ReceivedAt: n.ReceivedAt,
		Data:       &event.ShopData{PlatformShopID: n.StoreID, Domain: hash},
		Source:     event.Source{Topic: n.Scope, DeliveryID: n.DeliveryID()},
	}
}
