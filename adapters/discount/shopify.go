package discount

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HeaderShopifyAccessToken carries the Admin API access token.
const HeaderShopifyAccessToken = "X-Shopify-Access-Token" //nolint:gosec // a header name, not a credential

// The GraphQL documents. Field names are Shopify's (Admin API 2026-07).
const (
	shopifyLookupQuery = `query discountByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) { id }
}`
	shopifyBasicCreate = `mutation discountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`
	shopifyFreeShippingCreate = `mutation discountCodeFreeShippingCreate($freeShippingCodeDiscount: DiscountCodeFreeShippingInput!) {
  discountCodeFreeShippingCreate(freeShippingCodeDiscount: $freeShippingCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`
)

// Shopify GraphQL codes Boomerang reacts to.
const (
	shopifyThrottled     = "THROTTLED"
	shopifyInternalError = "INTERNAL_SERVER_ERROR"
	shopifyTaken         = "TAKEN"
	shopifyProductGID    = "gid://shopify/Product/"
)

// Shopify makes discount codes on one Shopify shop through the GraphQL Admin
// API. It is safe for concurrent use.
type Shopify struct {
	cfg      ShopifyConfig
	client   client
	endpoint string
	path     string
}

// NewShopify returns a Shopify Maker, or an error when cfg is incomplete or
// invalid.
func NewShopify(cfg ShopifyConfig) (*Shopify, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	path := "/admin/api/" + cfg.APIVersion + "/graphql.json"
	return &Shopify{
		cfg:      cfg,
		client:   newClient(PlatformShopify, cfg.HTTPClient, cfg.Now),
		endpoint: cfg.BaseURL + path,
		path:     path,
	}, nil
}

// Ensure makes sure c exists on the shop: codeDiscountNodeByCode, then
// discountCodeBasicCreate (percentage or fixed amount) or
// discountCodeFreeShippingCreate when absent. A create refused with the
// user error TAKEN on the code counts as "already exists". See Maker.
func (s *Shopify) Ensure(ctx context.Context, c Code) (bool, error) {
	return ensure(ctx, s, s.client, s.cfg.Logger, c)
}

func (s *Shopify) lookup(ctx context.Context, c Code) (bool, error) {
	data, err := s.graphql(ctx, opLookup, c.Code, shopifyLookupQuery, map[string]any{"code": c.Code})
	if err != nil {
		return false, err
	}
	found, err := parseShopifyLookup(data)
	if err != nil {
		return false, s.client.fail(ErrPermanent, opLookup, c.Code, err)
	}
	return found, nil
}

func (s *Shopify) create(ctx context.Context, c Code) (bool, error) {
	mutation, field, input, err := shopifyInput(c, s.cfg.Now())
	if err != nil {
		return false, s.client.fail(ErrPermanent, opValidate, c.Code, err)
	}
	data, err := s.graphql(ctx, opCreate, c.Code, mutation, map[string]any{input.name: input.value})
	if err != nil {
		return false, err
	}
	res, err := parseShopifyCreate(data, field)
	if err != nil {
		return false, s.client.fail(ErrPermanent, opCreate, c.Code, err)
	}
	switch {
	case res.taken:
		return false, nil
	case len(res.messages) > 0:
		e := s.client.fail(ErrPermanent, opCreate, c.Code, nil)
		e.Messages = res.messages
		return false, e
	}
	return true, nil
}

// namedInput is a mutation's one variable.
type namedInput struct {
	name  string
	value map[string]any
}

// shopifyInput builds the mutation, its payload field and its input for c.
func shopifyInput(c Code, now time.Time) (mutation, field string, in namedInput, err error) {
	starts := c.StartsAt
	if starts.IsZero() {
		starts = now
	}
	v := map[string]any{
		"title":                  c.Title,
		"code":                   c.Code,
		"startsAt":               starts.UTC().Format(time.RFC3339),
		"context":                map[string]any{"all": "ALL"},
		"appliesOncePerCustomer": true,
		"usageLimit":             c.UsageLimit,
	}
	if !c.ExpiresAt.IsZero() {
		v["endsAt"] = c.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if c.FreeShipping {
		if len(c.ProductIDs) > 0 {
			return "", "", namedInput{}, fmt.Errorf("invalid code: Shopify free-shipping codes cannot be limited to products")
		}
		v["destination"] = map[string]any{"all": true}
		return shopifyFreeShippingCreate, "discountCodeFreeShippingCreate", namedInput{"freeShippingCodeDiscount", v}, nil
	}
	value := map[string]any{}
	if c.Percent != 0 {
		// Shopify wants a fraction: 10 % is 0.1.
		value["percentage"] = float64(c.Percent) / 100
	} else {
		value["discountAmount"] = map[string]any{"amount": c.Amount, "appliesOnEachItem": false}
	}
	items := map[string]any{"all": true}
	if len(c.ProductIDs) > 0 {
		gids := make([]string, 0, len(c.ProductIDs))
		for _, id := range c.ProductIDs {
			gid, err := shopifyProductID(id)
			if err != nil {
				return "", "", namedInput{}, err
			}
			gids = append(gids, gid)
		}
		items = map[string]any{"products": map[string]any{"productsToAdd": gids}}
	}
	v["customerGets"] = map[string]any{"value": value, "items": items}
	return shopifyBasicCreate, "discountCodeBasicCreate", namedInput{"basicCodeDiscount", v}, nil
}

// shopifyProductID turns a numeric product id into its GID; a GID passes.
func shopifyProductID(id string) (string, error) {
	id = strings.TrimSpace(id)
	num := strings.TrimPrefix(id, shopifyProductGID)
	if _, err := numericIDs([]string{num}); err != nil {
		return "", fmt.Errorf("invalid code: product id %q is neither a number nor a %s GID", id, shopifyProductGID)
	}
	return shopifyProductGID + num, nil
}

// graphql posts one document and returns the answer's data, or an *Error.
func (s *Shopify) graphql(ctx context.Context, op, code, query string, vars map[string]any) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, s.client.fail(ErrPermanent, op, code, fmt.Errorf("encoding request: %w", err))
	}
	req, err := newRequest(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, s.client.fail(ErrPermanent, op, code, fmt.Errorf("building request: %w", err))
	}
	req.Header.Set(HeaderShopifyAccessToken, s.cfg.AccessToken)
	a, err := s.client.do(req, op, code, "POST "+s.path)
	if err != nil {
		return nil, err
	}
	now := s.client.now()
	if a.status < 200 || a.status > 299 {
		wait, _ := retryAfter(a.header, now)
		return nil, s.client.statusError(a, op, code, shopifyMessages(a.body), wait)
	}
	res, err := parseShopifyResponse(a.body)
	if err != nil {
		e := s.client.fail(ErrPermanent, op, code, err)
		e.StatusCode = a.status
		return nil, e
	}
	if len(res.errors) > 0 {
		e := s.client.fail(ErrPermanent, op, code, nil)
		e.StatusCode = a.status
		e.Messages = res.errors
		if res.throttled || res.internal {
			e.Kind = ErrTemporary
		}
		if res.throttled {
			e.RetryAfter = res.throttleWait
			if wait, ok := retryAfter(a.header, now); ok && wait > e.RetryAfter {
				e.RetryAfter = wait
			}
		}
		return nil, e
	}
	return res.data, nil
}

// shopifyResponse is a parsed GraphQL answer.
type shopifyResponse struct {
	data json.RawMessage
	// errors are the top-level GraphQL errors, "CODE: message".
	errors       []string
	throttled    bool
	internal     bool
	throttleWait time.Duration
}

// shopifyWire is the GraphQL answer as Shopify sends it.
type shopifyWire struct {
	Data       json.RawMessage `json:"data"`
	Errors     json.RawMessage `json:"errors"`
	Extensions struct {
		Cost *shopifyCost `json:"cost"`
	} `json:"extensions"`
}

// shopifyCost is the query-cost report in extensions.cost.
type shopifyCost struct {
	RequestedQueryCost float64 `json:"requestedQueryCost"` //nolint:tagliatelle // Shopify's name
	ThrottleStatus     struct {
		CurrentlyAvailable float64 `json:"currentlyAvailable"` //nolint:tagliatelle // Shopify's name
		RestoreRate        float64 `json:"restoreRate"`        //nolint:tagliatelle // Shopify's name
	} `json:"throttleStatus"` //nolint:tagliatelle // Shopify's name
}

// shopifyGraphQLError is one entry of "errors".
type shopifyGraphQLError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// parseShopifyResponse reads a 2xx GraphQL answer. Errors wrap ErrMalformed.
func parseShopifyResponse(body []byte) (*shopifyResponse, error) {
	var w shopifyWire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, malformed("decoding GraphQL answer: %v", err)
	}
	res := &shopifyResponse{}
	if hasJSON(w.Errors) {
		var list []shopifyGraphQLError
		if err := json.Unmarshal(w.Errors, &list); err != nil {
			// Some failures carry errors as one string.
			var msg string
			if json.Unmarshal(w.Errors, &msg) != nil {
				return nil, malformed("GraphQL errors are neither a list nor a string")
			}
			list = []shopifyGraphQLError{{Message: msg}}
		}
		for _, e := range list {
			code := strings.ToUpper(strings.TrimSpace(e.Extensions.Code))
			msg := e.Message
			if code != "" {
				msg = code + ": " + msg
			}
			res.errors = addMessage(res.errors, msg)
			switch code {
			case shopifyThrottled:
				res.throttled = true
			case shopifyInternalError:
				res.internal = true
			}
		}
		if len(res.errors) == 0 && len(list) > 0 {
			res.errors = []string{"GraphQL error without a message"}
		}
		if res.throttled {
			res.throttleWait = throttleWait(w.Extensions.Cost)
		}
		if len(res.errors) > 0 {
			return res, nil
		}
	}
	if !hasJSON(w.Data) {
		return nil, malformed("GraphQL answer has neither data nor errors")
	}
	res.data = w.Data
	return res, nil
}

// throttleWait is how long until the cost bucket holds the requested cost
// again: (requested - available) / restore rate, at least a second.
func throttleWait(cost *shopifyCost) time.Duration {
	const floor = time.Second
	if cost == nil || cost.ThrottleStatus.RestoreRate <= 0 {
		return floor
	}
	need := cost.RequestedQueryCost - cost.ThrottleStatus.CurrentlyAvailable
	if need <= 0 || math.IsNaN(need) {
		return floor
	}
	secs := math.Ceil(need / cost.ThrottleStatus.RestoreRate)
	if math.IsNaN(secs) || math.IsInf(secs, 0) {
		return floor
	}
	return max(secondsToDuration(secs), floor)
}

// parseShopifyLookup reads codeDiscountNodeByCode's data.
func parseShopifyLookup(data json.RawMessage) (bool, error) {
	var d map[string]json.RawMessage
	if err := json.Unmarshal(data, &d); err != nil || d == nil {
		return false, malformed("GraphQL data is not an object")
	}
	raw, ok := d["codeDiscountNodeByCode"]
	if !ok {
		return false, malformed("GraphQL data lacks codeDiscountNodeByCode")
	}
	if !hasJSON(raw) {
		return false, nil
	}
	var node struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &node); err != nil || node.ID == "" {
		return false, malformed("codeDiscountNodeByCode is not a node with an id")
	}
	return true, nil
}

// shopifyCreateResult is a parsed create payload.
type shopifyCreateResult struct {
	id string
	// taken is set when a user error says the code is taken.
	taken bool
	// messages are the other user errors.
	messages []string
}

// shopifyCreatePayload is discountCode*CreatePayload.
type shopifyCreatePayload struct {
	CodeDiscountNode *struct {
		ID string `json:"id"`
	} `json:"codeDiscountNode"` //nolint:tagliatelle // Shopify's name
	UserErrors *[]struct {
		Field   []string `json:"field"`
		Code    string   `json:"code"`
		Message string   `json:"message"`
	} `json:"userErrors"` //nolint:tagliatelle // Shopify's name
}

// parseShopifyCreate reads a create mutation's data; field is the payload's
// name (discountCodeBasicCreate, discountCodeFreeShippingCreate).
func parseShopifyCreate(data json.RawMessage, field string) (*shopifyCreateResult, error) {
	var d map[string]json.RawMessage
	if err := json.Unmarshal(data, &d); err != nil || d == nil {
		return nil, malformed("GraphQL data is not an object")
	}
	raw, ok := d[field]
	if !ok || !hasJSON(raw) {
		return nil, malformed("GraphQL data lacks %s", field)
	}
	var p shopifyCreatePayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, malformed("decoding %s: %v", field, err)
	}
	if p.UserErrors == nil {
		return nil, malformed("%s lacks userErrors", field)
	}
	res := &shopifyCreateResult{}
	for _, ue := range *p.UserErrors {
		if strings.EqualFold(ue.Code, shopifyTaken) && (len(ue.Field) == 0 || ue.Field[len(ue.Field)-1] == "code") {
			res.taken = true
			continue
		}
		msg := ue.Message
		if len(ue.Field) > 0 {
			msg = strings.Join(ue.Field, ".") + ": " + msg
		}
		if ue.Code != "" {
			msg = ue.Code + " " + msg
		}
		res.messages = addMessage(res.messages, msg)
		if len(res.messages) == 0 {
			res.messages = []string{"user error without a message"}
		}
	}
	if res.taken || len(res.messages) > 0 {
		return res, nil
	}
	if p.CodeDiscountNode == nil || p.CodeDiscountNode.ID == "" {
		return nil, malformed("%s has neither a codeDiscountNode nor userErrors", field)
	}
	res.id = p.CodeDiscountNode.ID
	return res, nil
}

// shopifyMessages reads the messages of a non-2xx answer: {"errors": "…"},
// {"errors": [{"message": …}]} or {"errors": {"field": ["…"]}}; else the text.
func shopifyMessages(body []byte) []string {
	var w struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &w) != nil || !hasJSON(w.Errors) {
		return textMessage(body)
	}
	var msg string
	if json.Unmarshal(w.Errors, &msg) == nil {
		return addMessage(nil, msg)
	}
	var list []shopifyGraphQLError
	if json.Unmarshal(w.Errors, &list) == nil {
		var msgs []string
		for _, e := range list {
			msgs = addMessage(msgs, e.Message)
		}
		return msgs
	}
	var byField map[string][]string
	if json.Unmarshal(w.Errors, &byField) == nil {
		var msgs []string
		for _, f := range sortedKeys(byField) {
			for _, m := range byField[f] {
				msgs = addMessage(msgs, f+": "+m)
			}
		}
		return msgs
	}
	return textMessage(body)
}

// textMessage keeps a short non-JSON body as one message.
func textMessage(body []byte) []string {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return nil
	}
	if strings.HasPrefix(s, "<") {
		return []string{"non-JSON answer (" + strconv.Itoa(len(body)) + " bytes)"}
	}
	return addMessage(nil, s)
}

// hasJSON reports whether raw holds a value other than null.
func hasJSON(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}
