package event

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// SchemaVersion is the version of the envelope written by this package.
// It changes only when a field changes meaning or disappears.
const SchemaVersion = 1

// Platform names as they appear in events, shop records and URLs.
const (
	PlatformShopify     = "shopify"
	PlatformWooCommerce = "woocommerce"
	PlatformBigCommerce = "bigcommerce"
	// PlatformBoomerang marks events Boomerang produces itself (timers,
	// message outcomes, storefront tracking, surveys).
	PlatformBoomerang = "boomerang"
)

// Event is the canonical envelope. Data holds a pointer to the typed struct
// registered for Type (see Types); an event of a type this build does not know
// keeps its data as json.RawMessage so nothing is lost in transit.
type Event struct {
	// SchemaVersion is the envelope version (SchemaVersion when written here).
	SchemaVersion int `json:"schema_version"`
	// ID is deterministic from the platform's delivery identity: a
	// re-delivery of the same webhook yields the same ID.
	ID string `json:"id"`
	// Key is the semantic idempotency key: type, shop, resource id and
	// resource version. Two deliveries of one change share it even when
	// their delivery identities differ.
	Key string `json:"key"`
	// Type is the event type, such as "order.placed".
	Type Type `json:"type"`
	// Shop is Boomerang's id for the shop (the shops file's id).
	Shop string `json:"shop"`
	// Platform is shopify, woocommerce, bigcommerce or boomerang.
	Platform string `json:"platform"`
	// OccurredAt is the resource's own change time (updated_at, else
	// created_at), else the platform's trigger time, else ReceivedAt.
	OccurredAt time.Time `json:"occurred_at"`
	// ReceivedAt is when Boomerang received the delivery.
	ReceivedAt time.Time `json:"received_at"`
	// Customer identifies who the event is about, when anyone.
	Customer *Customer `json:"customer,omitempty"`
	// Data is the typed payload for Type.
	Data any `json:"data"`
	// Source records where the event came from.
	Source Source `json:"source"`
	// Historical marks an event imported from the store's past (the
	// history import at install): it builds the customer's profile,
	// segments, predictions and recommendations but starts, advances and
	// ends no flow run.
	Historical bool `json:"historical,omitempty"`
}

// Customer identifies a person across platforms and channels.
type Customer struct {
	// ID is the platform's customer id, empty for guests.
	ID        string `json:"id,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// Empty reports whether c carries no identity at all.
func (c *Customer) Empty() bool {
	return c == nil || (c.ID == "" && c.Email == "" && c.Phone == "")
}

// Source records the delivery an event came from.
type Source struct {
	// Topic is the platform's topic or scope, such as "orders/create".
	Topic string `json:"topic,omitempty"`
	// DeliveryID is the platform's delivery identity used for dedup.
	DeliveryID string `json:"delivery_id,omitempty"`
	// APIVersion is the platform API version the payload was serialised for.
	APIVersion string `json:"api_version,omitempty"`
}

// Subject is the JetStream subject the event is published on:
// events.<shop>.<type>. Shop ids are restricted to subject-safe characters by
// ValidShopID; the type's dots make its segments separate tokens.
func (e *Event) Subject() string {
	return "events." + e.Shop + "." + string(e.Type)
}

// MsgID is the JetStream message id used for publish dedup: the event ID.
func (e *Event) MsgID() string { return e.ID }

// rawEvent mirrors Event with Data left raw, for decoding.
type rawEvent struct {
	SchemaVersion int             `json:"schema_version"`
	ID            string          `json:"id"`
	Key           string          `json:"key"`
	Type          Type            `json:"type"`
	Shop          string          `json:"shop"`
	Platform      string          `json:"platform"`
	OccurredAt    time.Time       `json:"occurred_at"`
	ReceivedAt    time.Time       `json:"received_at"`
	Customer      *Customer       `json:"customer,omitempty"`
	Data          json.RawMessage `json:"data"`
	Source        Source          `json:"source"`
	Historical    bool            `json:"historical,omitempty"`
}

// UnmarshalJSON decodes the envelope and then Data into the struct registered
// for the event's type. Unknown types keep Data as json.RawMessage.
func (e *Event) UnmarshalJSON(b []byte) error {
	var r rawEvent
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	*e = Event{
		SchemaVersion: r.SchemaVersion,
		ID:            r.ID,
		Key:           r.Key,
		Type:          r.Type,
		Shop:          r.Shop,
		Platform:      r.Platform,
		OccurredAt:    r.OccurredAt,
		ReceivedAt:    r.ReceivedAt,
		Customer:      r.Customer,
		Source:        r.Source,
		Historical:    r.Historical,
	}
	data := NewData(r.Type)
	if data == nil {
		if len(r.Data) > 0 {
			e.Data = r.Data
		}
		return nil
	}
	if len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, data); err != nil {
			return fmt.Errorf("decoding data of %s event: %w", r.Type, err)
		}
	}
	e.Data = data
	return nil
}

// Validate checks the envelope's required fields and that Data has the type
// registered for Type.
func (e *Event) Validate() error {
	var missing []string
	if e.ID == "" {
		missing = append(missing, "id")
	}
	if e.Key == "" {
		missing = append(missing, "key")
	}
	if e.Type == "" {
		missing = append(missing, "type")
	}
	if e.Shop == "" {
		missing = append(missing, "shop")
	}
	if e.Platform == "" {
		missing = append(missing, "platform")
	}
	if e.OccurredAt.IsZero() {
		missing = append(missing, "occurred_at")
	}
	if e.ReceivedAt.IsZero() {
		missing = append(missing, "received_at")
	}
	if len(missing) > 0 {
		return fmt.Errorf("event missing %s", strings.Join(missing, ", "))
	}
	if !ValidShopID(e.Shop) {
		return fmt.Errorf("event shop %q is not a valid shop id", e.Shop)
	}
	if want := NewData(e.Type); want != nil {
		if fmt.Sprintf("%T", want) != fmt.Sprintf("%T", e.Data) {
			return fmt.Errorf("%s event carries data of type %T, want %T", e.Type, e.Data, want)
		}
	}
	return nil
}

// ValidShopID reports whether id can name a shop: 1 to 64 characters of
// lowercase letters, digits, '-' and '_'. Shop ids appear in NATS subjects,
// Redis keys and URL paths, so the alphabet is kept small.
func ValidShopID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// DeliveryID builds the event id for the n-th event a delivery produced:
// a hex digest of platform, shop, the platform's delivery identity and the
// event's type. The same delivery always yields the same ids.
func DeliveryID(platform, shop, delivery string, t Type) string {
	h := sha256.New()
	for _, part := range []string{platform, shop, delivery, string(t)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// SemanticKey builds the idempotency key of a change: type, shop, resource id
// and, for resources that change more than once, the resource version (its
// updated_at). One-time transitions such as order.placed pass a zero version.
func SemanticKey(t Type, shop, resourceID string, version time.Time) string {
	k := string(t) + ":" + shop + ":" + resourceID
	if !version.IsZero() {
		k += "@" + version.UTC().Format(time.RFC3339Nano)
	}
	return k
}
