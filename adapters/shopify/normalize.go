package shopify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// Normalize turns a verified delivery into canonical events. It checks, in
// this order, that the body is JSON (else ingest.ErrMalformed), that the
// topic is one Boomerang uses (else ingest.ErrUnknownTopic), and that the
// JSON has the topic's shape (else ingest.ErrMalformed). A checkout without
// contact details, or a completed one, is a Result with no messages.
func (*Adapter) Normalize(s *shop.Shop, req *ingest.Request) (*ingest.Result, error) {
	topic := strings.ToLower(strings.TrimSpace(req.Header.Get(HeaderTopic)))
	fn, ok := topics[topic]
	if !ok {
		// Only here is the body validated on its own: a used topic's decode
		// validates it anyway, and scanning a large order twice costs a
		// quarter of the adapter's time.
		if !json.Valid(req.Body) {
			return nil, fmt.Errorf("%w: body is not JSON", ingest.ErrMalformed)
		}
		if topic == "" {
			return nil, fmt.Errorf("%w: missing %s header", ingest.ErrUnknownTopic, HeaderTopic)
		}
		return nil, fmt.Errorf("%w: shopify topic %q", ingest.ErrUnknownTopic, topic)
	}
	if s == nil {
		return nil, errors.New("normalizing shopify delivery: no shop")
	}
	d := newDelivery(s, topic, req)
	msgs, err := fn(d, req.Body)
	if err != nil {
		return nil, err
	}
	return &ingest.Result{Topic: topic, DeliveryID: d.id, Messages: msgs}, nil
}

// decode unmarshals a topic's body, which must be a JSON object, into v.
// Errors wrap ingest.ErrMalformed and never quote the body.
func decode(topic string, body []byte, v any) error {
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return fmt.Errorf("%w: %s payload is not a JSON object", ingest.ErrMalformed, topic)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %s payload: %s", ingest.ErrMalformed, topic, describe(err))
	}
	return nil
}

// describe explains a decoding error without repeating body data.
func describe(err error) string {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("field %q has the wrong JSON type", typeErr.Field)
	case errors.Is(err, errLiteral), errors.Is(err, errTimestamp), errors.Is(err, errTags):
		return err.Error()
	default:
		return "unexpected JSON shape"
	}
}

// missing is the error of a payload without the id that names its resource.
func missing(topic, field string) error {
	return fmt.Errorf("%w: %s payload has no %s", ingest.ErrMalformed, topic, field)
}
