package woocommerce

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// normalizer turns one topic's decoded delivery into messages.
type normalizer func(d *delivery) (*ingest.Result, error)

// topics maps each WooCommerce topic Boomerang uses to its normalizer. Every
// other topic (order.deleted, order.restored, customer.deleted, action.*,
// product.published, plugins' own) is ErrUnknownTopic.
var topics = map[string]normalizer{
	"order.created":    normalizeOrderCreated,
	"order.updated":    normalizeOrderUpdated,
	"customer.created": normalizeCustomer(event.CustomerCreated),
	"customer.updated": normalizeCustomer(event.CustomerUpdated),
	"coupon.created":   normalizeCoupon,
	"coupon.updated":   normalizeCoupon,
	"coupon.restored":  normalizeCoupon,
	"coupon.deleted":   normalizeCouponDeleted,
	"product.created":  normalizeProduct,
	"product.updated":  normalizeProduct,
	"product.restored": normalizeProduct,
	"product.deleted":  normalizeProductDeleted,
}

// maxTopicLen bounds the topic quoted in errors.
const maxTopicLen = 64

// Normalize turns a verified delivery into canonical events. It checks, in
// order, that the body is a JSON value (else ErrMalformed), that the topic
// in X-WC-Webhook-Topic is one Boomerang uses (else ErrUnknownTopic), and
// that the body is the JSON object the topic promises (else ErrMalformed).
// A delivery that carries nothing to act on (a checkout draft with no email,
// a resource deleted before WooCommerce built the payload) gives a Result
// with no messages.
func (*Adapter) Normalize(s *shop.Shop, req *ingest.Request) (*ingest.Result, error) {
	if !json.Valid(req.Body) {
		return nil, fmt.Errorf("%w: body is not JSON", ingest.ErrMalformed)
	}
	topic := strings.ToLower(strings.TrimSpace(req.Header.Get(HeaderTopic)))
	norm, ok := topics[topic]
	if !ok {
		return nil, fmt.Errorf("%w: woocommerce topic %q", ingest.ErrUnknownTopic, truncate(topic, maxTopicLen))
	}
	if s == nil {
		return nil, errors.New("normalizing woocommerce delivery: no shop")
	}
	if first := firstByte(req.Body); first != '{' {
		return nil, fmt.Errorf("%w: %s body is not a JSON object", ingest.ErrMalformed, topic)
	}
	d := &delivery{shop: s, req: req, topic: topic, source: source(s, req)}
	if isRESTError(req.Body) {
		// WooCommerce builds the payload when the queued delivery runs; a
		// resource deleted by then yields the REST error instead.
		return &ingest.Result{Topic: topic, DeliveryID: d.identity("", time.Time{})}, nil
	}
	d.apiVersion = apiVersion(req.Body)
	return norm(d)
}

// delivery is one verified delivery being normalised.
type delivery struct {
	shop       *shop.Shop
	req        *ingest.Request
	topic      string
	source     string
	apiVersion string
}

// decode decodes the body into v, reporting a wrong shape as ErrMalformed
// without quoting the body.
func (d *delivery) decode(v any) error {
	if err := json.Unmarshal(d.req.Body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return fmt.Errorf("%w: %s field %s has the wrong JSON type", ingest.ErrMalformed, d.topic, typeErr.Field)
		}
		return fmt.Errorf("%w: %s body: %w", ingest.ErrMalformed, d.topic, sanitize(err))
	}
	return nil
}

// sanitize drops the detail of decoding errors that could quote the body.
func sanitize(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	if errors.As(err, &typeErr) || errors.As(err, &syntaxErr) {
		return errors.New("wrong JSON shape")
	}
	return err
}

// identity is the delivery's identity, WooCommerce having none: source,
// topic, resource id and modified time. When the resource has no
// date_modified_gmt the body's digest stands in for it, so a changed
// resource never shares an identity with its earlier state. *.deleted
// bodies ({"id": N}) pass the zero time and no digest is added.
func (d *delivery) identity(resourceID string, modified time.Time) string {
	parts := []string{d.source, d.topic, resourceID}
	switch {
	case !modified.IsZero():
		parts = append(parts, modified.UTC().Format(time.RFC3339Nano))
	case !strings.HasSuffix(d.topic, ".deleted"):
		sum := sha256.Sum256(d.req.Body)
		parts = append(parts, "sha256:"+hex.EncodeToString(sum[:12]))
	}
	return strings.Join(parts, "|")
}

// occurredAt is the resource's change time: modified, else created, else
// the time the delivery was received (WooCommerce sends no trigger time).
func (d *delivery) occurredAt(modified, created time.Time) time.Time {
	switch {
	case !modified.IsZero():
		return modified.UTC()
	case !created.IsZero():
		return created.UTC()
	default:
		return d.req.ReceivedAt.UTC()
	}
}

// newEvent builds one canonical event of the delivery identified as id.
func (d *delivery) newEvent(t event.Type, id, resourceID string, version, occurred time.Time, c *event.Customer, data any) *event.Event {
	return &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformWooCommerce, d.shop.ID, id, t),
		Key:           event.SemanticKey(t, d.shop.ID, resourceID, version),
		Type:          t,
		Shop:          d.shop.ID,
		Platform:      event.PlatformWooCommerce,
		OccurredAt:    occurred,
		ReceivedAt:    d.req.ReceivedAt.UTC(),
		Customer:      c,
		Data:          data,
		Source:        event.Source{Topic: d.topic, DeliveryID: id, APIVersion: d.apiVersion},
	}
}

// result wraps events as the delivery's Result.
func (d *delivery) result(id string, evs ...*event.Event) *ingest.Result {
	res := &ingest.Result{Topic: d.topic, DeliveryID: id, Messages: make([]ingest.Message, 0, len(evs))}
	for _, ev := range evs {
		res.Messages = append(res.Messages, ingest.EventMessage(ev))
	}
	return res
}

// source is the site as X-WC-Webhook-Source names it, normalised, or the
// shop's domain when the header is absent (a replayed delivery).
func source(s *shop.Shop, req *ingest.Request) string {
	if src := shop.NormalizeDomain(req.Header.Get(HeaderSource)); src != "" {
		return src
	}
	return shop.NormalizeDomain(s.Domain)
}

// isRESTError reports whether body is a WordPress REST error response
// rather than a resource: code and message, no id.
func isRESTError(body []byte) bool {
	var e restError
	if json.Unmarshal(body, &e) != nil {
		return false
	}
	return e.ID == nil && e.Code != nil && e.Message != nil
}

// apiVersion reads the REST version (such as "wc/v3") from the resource's
// _links.self href; "" when absent. The header set carries no version.
func apiVersion(body []byte) string {
	var l links
	if json.Unmarshal(body, &l) != nil || len(l.Links.Self) == 0 {
		return ""
	}
	href := l.Links.Self[0].Href
	i := strings.Index(href, "/wc/v")
	if i < 0 {
		return ""
	}
	v := href[i+1:]
	parts := strings.SplitN(v, "/", 3)
	if len(parts) < 2 || !isDigits(strings.TrimPrefix(parts[1], "v")) {
		return ""
	}
	return parts[0] + "/" + parts[1]
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// errMissingID reports a resource body without its id.
func errMissingID(d *delivery) error {
	return fmt.Errorf("%w: %s body has no id", ingest.ErrMalformed, d.topic)
}
