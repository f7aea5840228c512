package discounttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// DefaultShopifyAPIVersion is the Admin API version the Shopify fake serves.
const DefaultShopifyAPIVersion = "2026-07"

// shopifyProductGID is a product GID as Shopify writes it.
var shopifyProductGID = regexp.MustCompile(`^gid://shopify/Product/([1-9][0-9]*)$`)

// Shopify is a fake Shopify GraphQL Admin API for one shop.
type Shopify struct {
	*Store
	// Server is the running server; BaseURL is its URL (the shop's admin
	// base).
	Server  *httptest.Server
	BaseURL string
	// AccessToken is the token requests must carry in
	// X-Shopify-Access-Token; APIVersion the version in the path.
	AccessToken string
	APIVersion  string
}

var _ Fake = (*Shopify)(nil)

// NewShopify starts a fake Shopify shop, closed when tb ends.
func NewShopify(tb testing.TB) *Shopify {
	tb.Helper()
	s := &Shopify{Store: newStore(), AccessToken: "shpat_test_token_0123456789", APIVersion: DefaultShopifyAPIVersion}
	s.Server = httptest.NewServer(s.serve(s.handle, s.isCreate))
	tb.Cleanup(s.Server.Close)
	s.BaseURL = s.Server.URL
	return s
}

// graphqlRequest is a GraphQL POST body.
type graphqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
}

func (s *Shopify) isCreate(_ *http.Request, body []byte) bool {
	return bytes.Contains(body, []byte("mutation"))
}

// The Admin API's answers.
const (
	shopifyUnauthorized = `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`
	shopifyCost         = `{"requestedQueryCost":10,"actualQueryCost":10,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1990,"restoreRate":100.0}}`
)

func (s *Shopify) handle(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.URL.Path != "/admin/api/"+s.APIVersion+"/graphql.json" {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": "Not Found"})
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"errors": "Method Not Allowed"})
		return
	}
	if r.Header.Get("X-Shopify-Access-Token") != s.AccessToken {
		write(w, s.Unauthorized())
		return
	}
	var req graphqlRequest
	if err := json.Unmarshal(body, &req); err != nil || req.Query == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]any{"query": "Required parameter missing or invalid"}})
		return
	}
	switch {
	case strings.Contains(req.Query, "codeDiscountNodeByCode("):
		s.lookup(w, req.Variables)
	case strings.Contains(req.Query, "discountCodeBasicCreate("):
		s.create(w, req.Variables, "discountCodeBasicCreate", "basicCodeDiscount")
	case strings.Contains(req.Query, "discountCodeFreeShippingCreate("):
		s.create(w, req.Variables, "discountCodeFreeShippingCreate", "freeShippingCodeDiscount")
	default:
		s.data(w, nil, []map[string]any{{"message": "Field is not supported by this fake", "extensions": map[string]any{"code": "undefinedField"}}})
	}
}

// data answers 200 with data (or errors) and the cost extension.
func (s *Shopify) data(w http.ResponseWriter, data any, errs []map[string]any) {
	out := map[string]any{"extensions": map[string]any{"cost": json.RawMessage(shopifyCost)}}
	if errs != nil {
		out["errors"] = errs
	} else {
		out["data"] = data
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Shopify) lookup(w http.ResponseWriter, vars map[string]any) {
	code, ok := vars["code"].(string)
	if !ok {
		s.data(w, nil, []map[string]any{{"message": "Variable $code of type String! was provided invalid value", "extensions": map[string]any{"code": "INVALID_VARIABLE"}}})
		return
	}
	d, found := s.find(code)
	if !found {
		s.data(w, map[string]any{"codeDiscountNodeByCode": nil}, nil)
		return
	}
	s.data(w, map[string]any{"codeDiscountNodeByCode": map[string]any{"id": "gid://shopify/DiscountCodeNode/" + d.ID}}, nil)
}

// userError is one DiscountUserError.
func userError(field []string, code, message string) map[string]any {
	return map[string]any{"field": field, "code": code, "message": message}
}

func (s *Shopify) create(w http.ResponseWriter, vars map[string]any, payload, arg string) {
	in, ok := vars[arg].(map[string]any)
	if !ok {
		s.data(w, nil, []map[string]any{{"message": "Variable $" + arg + " of type input was provided invalid value", "extensions": map[string]any{"code": "INVALID_VARIABLE"}}})
		return
	}
	raw, _ := json.Marshal(in)
	d, errs := shopifyDiscount(in, arg, payload == "discountCodeFreeShippingCreate")
	d.Raw = raw
	answer := func(node any, errs []map[string]any) {
		if errs == nil {
			errs = []map[string]any{}
		}
		s.data(w, map[string]any{payload: map[string]any{"codeDiscountNode": node, "userErrors": errs}}, nil)
	}
	if len(errs) > 0 {
		answer(nil, errs)
		return
	}
	stored, ok := s.insert(d)
	if !ok {
		answer(nil, []map[string]any{userError([]string{arg, "code"}, "TAKEN", "Code must be unique. Please try a different code.")})
		return
	}
	answer(map[string]any{"id": "gid://shopify/DiscountCodeNode/" + stored.ID}, nil)
}

// shopifyDiscount reads a DiscountCodeBasicInput or
// DiscountCodeFreeShippingInput the way the Admin API validates it.
func shopifyDiscount(in map[string]any, arg string, freeShipping bool) (Discount, []map[string]any) {
	var errs []map[string]any
	bad := func(field, code, msg string) {
		errs = append(errs, userError([]string{arg, field}, code, msg))
	}
	d := Discount{FreeShipping: freeShipping}
	d.Code, _ = in["code"].(string)
	if strings.TrimSpace(d.Code) == "" {
		bad("code", "BLANK", "Code can't be blank")
	}
	d.Title, _ = in["title"].(string)
	if strings.TrimSpace(d.Title) == "" {
		bad("title", "BLANK", "Title can't be blank")
	}
	starts, _ := in["startsAt"].(string)
	var err error
	if d.StartsAt, err = time.Parse(time.RFC3339, starts); err != nil {
		bad("startsAt", "INVALID", "Starts at is invalid")
	}
	if ends, ok := in["endsAt"].(string); ok {
		if d.ExpiresAt, err = time.Parse(time.RFC3339, ends); err != nil {
			bad("endsAt", "INVALID", "Ends at is invalid")
		} else if !d.ExpiresAt.After(d.StartsAt) {
			bad("endsAt", "END_DATE_BEFORE_START_DATE", "Ends at needs to be after starts_at")
		}
	}
	ctx, _ := in["context"].(map[string]any)
	sel, _ := in["customerSelection"].(map[string]any)
	switch {
	case ctx != nil && sel != nil:
		bad("context", "CONFLICT", "Only one of context and customerSelection can be given")
	case ctx != nil:
		if ctx["all"] != "ALL" {
			bad("context", "INVALID", "Context must select all buyers in this fake")
		}
	case sel != nil:
		if sel["all"] != true {
			bad("customerSelection", "INVALID", "Customer selection must be all in this fake")
		}
	default:
		bad("context", "BLANK", "Context can't be blank")
	}
	if limit, ok := in["usageLimit"].(float64); ok {
		if limit < 1 || limit != float64(int(limit)) {
			bad("usageLimit", "GREATER_THAN", "Usage limit must be greater than 0")
		}
		d.UsageLimit = int(limit)
	}
	if once, _ := in["appliesOncePerCustomer"].(bool); once {
		d.PerCustomerLimit = 1
	}
	if freeShipping {
		dest, _ := in["destination"].(map[string]any)
		if dest == nil || dest["all"] != true {
			bad("destination", "BLANK", "Destination can't be blank")
		}
		return d, errs
	}
	gets, _ := in["customerGets"].(map[string]any)
	if gets == nil {
		bad("customerGets", "BLANK", "Customer gets can't be blank")
		return d, errs
	}
	value, _ := gets["value"].(map[string]any)
	pct, hasPct := value["percentage"].(float64)
	amt, hasAmt := value["discountAmount"].(map[string]any)
	switch {
	case hasPct == hasAmt:
		errs = append(errs, userError([]string{arg, "customerGets", "value"}, "INVALID", "Value must be one of percentage or discountAmount"))
	case hasPct:
		if pct <= 0 || pct > 1 {
			errs = append(errs, userError([]string{arg, "customerGets", "value", "percentage"}, "VALUE_OUTSIDE_RANGE", "Value must be between 0.0 and 1.0"))
		}
		d.Percent = pct * 100
	default:
		d.Amount, _ = amt["amount"].(string)
		if _, err := strconv.ParseFloat(d.Amount, 64); err != nil || d.Amount == "" {
			errs = append(errs, userError([]string{arg, "customerGets", "value", "discountAmount", "amount"}, "INVALID", "Amount is invalid"))
		}
	}
	items, _ := gets["items"].(map[string]any)
	products, _ := items["products"].(map[string]any)
	switch {
	case items["all"] == true && products == nil:
	case products != nil && items["all"] == nil:
		ids, _ := products["productsToAdd"].([]any)
		if len(ids) == 0 {
			errs = append(errs, userError([]string{arg, "customerGets", "items"}, "BLANK", "Items can't be blank"))
		}
		for _, id := range ids {
			gid, _ := id.(string)
			if !shopifyProductGID.MatchString(gid) {
				errs = append(errs, userError([]string{arg, "customerGets", "items", "products", "productsToAdd"}, "INVALID", fmt.Sprintf("Invalid global id '%v'", id)))
				continue
			}
			d.ProductIDs = append(d.ProductIDs, gid)
		}
	default:
		errs = append(errs, userError([]string{arg, "customerGets", "items"}, "INVALID", "Items must be all or products"))
	}
	return d, errs
}

// RateLimited is a 429 with Retry-After, as the Admin API sends when a shop
// is over its request limit.
func (s *Shopify) RateLimited(wait time.Duration) Response {
	return Response{
		Status: http.StatusTooManyRequests,
		Header: http.Header{"Retry-After": {strconv.FormatFloat(wait.Seconds(), 'f', -1, 64)}},
		Body:   `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`,
	}
}

// Throttled is the GraphQL answer (200) when the query-cost bucket is empty:
// an error with extensions.code THROTTLED and the cost report. With
// requestedQueryCost 202, currentlyAvailable 2 and restoreRate 100 it asks
// for two seconds.
func (s *Shopify) Throttled() Response {
	return Response{
		Status: http.StatusOK,
		Body: `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],` +
			`"extensions":{"cost":{"requestedQueryCost":202,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":2,"restoreRate":100.0}}}}`,
	}
}

// ServerError is a 500.
func (s *Shopify) ServerError() Response {
	return Response{Status: http.StatusInternalServerError, Body: `{"errors":"Internal Server Error"}`}
}

// Unauthorized is the 401 for a bad token.
func (s *Shopify) Unauthorized() Response {
	return Response{Status: http.StatusUnauthorized, Body: shopifyUnauthorized}
}

// Malformed is a 200 that is not a GraphQL answer.
func (s *Shopify) Malformed() Response {
	return Response{Status: http.StatusOK, Body: `<html><body>Bad gateway</body></html>`, Header: http.Header{"Content-Type": {"text/html"}}}
}
