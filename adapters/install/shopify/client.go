package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// HTTP header names and values the Client sends or reads.
const (
	headerAccessToken = "X-Shopify-Access-Token" //nolint:gosec // a header name, not a credential
	headerContentType = "Content-Type"
	headerAccept      = "Accept"
	mediaJSON         = "application/json"
)

// tokenPath is the OAuth token endpoint on a shop's host.
const tokenPath = "/admin/oauth/access_token" //nolint:gosec // a path, not a credential

// maxAnswer bounds an answer read into memory.
const maxAnswer = 4 << 20

// Operation names in errors.
const (
	opExchange     = "exchange code"
	opRefresh      = "refresh token"
	opListHooks    = "list webhooks"
	opCreateHook   = "create webhook"
	opUpdateHook   = "update webhook"
	opReadShop     = "read shop"
	grantRefresh   = "refresh_token"
	oauthErrGrant  = "invalid_grant"
	gqlThrottled   = "THROTTLED"
	gqlInternalErr = "INTERNAL_SERVER_ERROR"
)

// Client calls one app's endpoints on Shopify shops: the OAuth token
// endpoint and the GraphQL Admin API. It is safe for concurrent use.
type Client struct {
	cfg  ClientConfig
	http *http.Client
}

// NewClient returns a Client, or an error when cfg is incomplete or invalid.
func NewClient(cfg ClientConfig) (*Client, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	hc := *cfg.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{cfg: cfg, http: &hc}, nil
}

// APIKey is the app's client id.
func (c *Client) APIKey() string { return c.cfg.APIKey }

// BaseURL is a shop's base URL: apiURL when set (a shop's own api_url),
// otherwise ShopURL with the domain in it. domain must pass
// ValidShopDomain.
func (c *Client) BaseURL(domain, apiURL string) (string, error) {
	if apiURL != "" {
		base, err := checkBase(apiURL)
		if err != nil {
			return "", fmt.Errorf("shopify: api_url of %s: %w", domain, err)
		}
		return base, nil
	}
	if !ValidShopDomain(domain) {
		return "", fmt.Errorf("shopify: %q is not a myshopify domain", truncate(domain, 100))
	}
	return strings.TrimRight(strings.ReplaceAll(c.cfg.ShopURL, shopPlaceholder, strings.ToLower(domain)), "/"), nil
}

// ExchangeCode trades an authorization code for an expiring offline token
// (POST /admin/oauth/access_token with client_id, client_secret, code and
// expiring=1). A refusal is an *Error wrapping ErrRejected.
func (c *Client) ExchangeCode(ctx context.Context, domain, code string) (Token, error) {
	body := map[string]string{
		"client_id":     c.cfg.APIKey,
		"client_secret": c.cfg.APISecret,
		"code":          code,
		"expiring":      "1",
	}
	return c.token(ctx, opExchange, domain, "", body)
}

// RefreshToken trades a refresh token for a new access token and a new
// refresh token (grant_type=refresh_token). A refusal of the refresh token
// itself (HTTP 401, or invalid_grant) is an *Error wrapping ErrReinstall;
// other refusals wrap ErrRejected.
func (c *Client) RefreshToken(ctx context.Context, domain, apiURL, refresh string) (Token, error) {
	body := map[string]string{
		"client_id":     c.cfg.APIKey,
		"client_secret": c.cfg.APISecret,
		"grant_type":    grantRefresh,
		"refresh_token": refresh,
	}
	return c.token(ctx, opRefresh, domain, apiURL, body)
}

// tokenAnswer is the token endpoint's JSON.
type tokenAnswer struct {
	AccessToken           string          `json:"access_token"`
	Scope                 string          `json:"scope"`
	ExpiresIn             int64           `json:"expires_in"`
	RefreshToken          string          `json:"refresh_token"`
	RefreshTokenExpiresIn int64           `json:"refresh_token_expires_in"`
	AssociatedUser        json.RawMessage `json:"associated_user"`
}

// oauthError is the token endpoint's error JSON: OAuth's error and
// error_description, or Shopify's usual errors (a string or an object).
type oauthError struct {
	Error            string          `json:"error"`
	ErrorDescription string          `json:"error_description"`
	Errors           json.RawMessage `json:"errors"`
}

// maxTokenLife bounds the lifetimes Shopify may announce (ten years).
const maxTokenLife = 10 * 365 * 24 * 3600

// parseTokenAnswer reads a 2xx answer of the token endpoint. now stamps the
// expiry times. Errors wrap ErrMalformed.
func parseTokenAnswer(body []byte, now time.Time) (Token, error) {
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return Token{}, fmt.Errorf("%w: the token answer is not the documented JSON", ErrMalformed)
	}
	switch {
	case strings.TrimSpace(a.AccessToken) == "":
		return Token{}, fmt.Errorf("%w: the token answer has no access_token", ErrMalformed)
	case len(a.AssociatedUser) > 0 && string(a.AssociatedUser) != "null":
		return Token{}, fmt.Errorf("%w: an online (per-user) token came back where an offline one was asked", ErrMalformed)
	case a.ExpiresIn < 0 || a.ExpiresIn > maxTokenLife || a.RefreshTokenExpiresIn < 0 || a.RefreshTokenExpiresIn > maxTokenLife:
		return Token{}, fmt.Errorf("%w: the token answer's lifetimes are out of range", ErrMalformed)
	case a.RefreshToken != "" && a.ExpiresIn == 0:
		return Token{}, fmt.Errorf("%w: the token answer has a refresh_token but no expires_in", ErrMalformed)
	}
	t := Token{Access: a.AccessToken, Refresh: a.RefreshToken, Scopes: ParseScopes(a.Scope)}
	if a.ExpiresIn > 0 {
		t.Expires = now.Add(time.Duration(a.ExpiresIn) * time.Second).UTC()
	}
	if a.RefreshTokenExpiresIn > 0 {
		t.RefreshExpires = now.Add(time.Duration(a.RefreshTokenExpiresIn) * time.Second).UTC()
	}
	return t, nil
}

// token posts one token request.
func (c *Client) token(ctx context.Context, op, domain, apiURL string, body map[string]string) (Token, error) {
	base, err := c.BaseURL(domain, apiURL)
	if err != nil {
		return Token{}, &Error{Op: op, Shop: domain, Kind: ErrRejected, Err: err}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return Token{}, &Error{Op: op, Shop: domain, Kind: ErrRejected, Err: err}
	}
	status, answer, err := c.post(ctx, base+tokenPath, "", raw)
	if err != nil {
		return Token{}, &Error{Op: op, Shop: domain, Kind: ErrTemporary, Err: err}
	}
	if status < 200 || status > 299 {
		e := &Error{Op: op, Shop: domain, StatusCode: status, Kind: statusKind(status)}
		var oe oauthError
		if json.Unmarshal(answer, &oe) == nil {
			e.Code = truncate(strings.TrimSpace(oe.Error), 64)
			e.addMessage(oe.ErrorDescription)
			for _, m := range errorsField(oe.Errors) {
				e.addMessage(m)
			}
		}
		if op == opRefresh && (status == http.StatusUnauthorized || e.Code == oauthErrGrant) {
			e.Kind = ErrReinstall
		}
		return Token{}, e
	}
	t, err := parseTokenAnswer(answer, c.cfg.Now())
	if err != nil {
		return Token{}, &Error{Op: op, Shop: domain, StatusCode: status, Kind: ErrMalformed, Err: err}
	}
	return t, nil
}

// statusKind sorts a non-2xx status: 408, 429 and 5xx are worth a retry.
func statusKind(status int) error {
	if status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500 {
		return ErrTemporary
	}
	return ErrRejected
}

// errorsField reads Shopify's "errors": a string, a list of strings or
// objects with a message, or an object of field → messages.
func errorsField(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		var out []string
		for _, item := range list {
			var m struct {
				Message string `json:"message"`
			}
			if json.Unmarshal(item, &s) == nil {
				out = append(out, s)
			} else if json.Unmarshal(item, &m) == nil && m.Message != "" {
				out = append(out, m.Message)
			}
		}
		return out
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		var out []string
		for _, k := range sortedKeys(obj) {
			for _, m := range errorsField(obj[k]) {
				out = append(out, k+": "+m)
			}
		}
		return out
	}
	return nil
}

// post sends a JSON POST and reads the answer. token, when set, goes in
// X-Shopify-Access-Token. A transport failure is an error naming the path
// only: the URL's query never holds anything here, but the host could be a
// test server's.
func (c *Client) post(ctx context.Context, target, token string, body []byte) (int, []byte, error) {
	//nolint:gosec // G704: calls go to the shop's host, built from a checked myshopify domain or the configured api_url
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set(headerContentType, mediaJSON)
	req.Header.Set(headerAccept, mediaJSON)
	if token != "" {
		req.Header.Set(headerAccessToken, token)
	}
	resp, err := c.http.Do(req) //nolint:gosec // G704: calls go to the shop's configured host, by design
	if err != nil {
		cause := err
		if ue, ok := errors.AsType[*url.Error](err); ok {
			cause = ue.Err
		}
		return 0, nil, fmt.Errorf("POST %s: %w", req.URL.Path, cause)
	}
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return 0, nil, fmt.Errorf("reading the answer to POST %s: %w", req.URL.Path, err)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return 0, nil, fmt.Errorf("POST %s was redirected (HTTP %d); configure the final address", req.URL.Path, resp.StatusCode)
	}
	if len(answer) > maxAnswer {
		return 0, nil, fmt.Errorf("the answer to POST %s is larger than %d bytes", req.URL.Path, maxAnswer)
	}
	return resp.StatusCode, answer, nil
}

// graphqlAnswer is a GraphQL answer as Shopify sends it.
type graphqlAnswer struct {
	Data   json.RawMessage `json:"data"`
	Errors json.RawMessage `json:"errors"`
}

// graphqlError is one entry of "errors".
type graphqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// graphql posts one GraphQL document to the shop's Admin API and decodes
// data into out. Failures are *Error values.
func (c *Client) graphql(ctx context.Context, op string, s *shop.Shop, query string, vars map[string]any, out any) error {
	fail := func(kind error, status int, cause error) *Error {
		return &Error{Op: op, Shop: s.Domain, StatusCode: status, Kind: kind, Err: cause}
	}
	if s.APIToken == "" {
		return fail(ErrRejected, 0, errors.New("the shop has no access token"))
	}
	base, err := c.BaseURL(s.Domain, s.APIURL)
	if err != nil {
		return fail(ErrRejected, 0, err)
	}
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return fail(ErrRejected, 0, err)
	}
	status, answer, err := c.post(ctx, base+"/admin/api/"+c.cfg.APIVersion+"/graphql.json", s.APIToken, body)
	if err != nil {
		return fail(ErrTemporary, 0, err)
	}
	if status < 200 || status > 299 {
		e := fail(statusKind(status), status, nil)
		var ga graphqlAnswer
		if json.Unmarshal(answer, &ga) == nil {
			for _, m := range errorsField(ga.Errors) {
				e.addMessage(m)
			}
		}
		if status == http.StatusUnauthorized {
			e.addMessage("the access token was refused: refresh it, or the app was uninstalled")
		}
		return e
	}
	data, err := parseGraphQL(answer)
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			e.Op, e.Shop, e.StatusCode = op, s.Domain, status
			return e
		}
		return fail(ErrMalformed, status, err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fail(ErrMalformed, status, errors.New("the GraphQL data is not the documented shape"))
	}
	return nil
}

// parseGraphQL reads a 2xx GraphQL answer and returns its data. Top-level
// errors are an *Error (ErrTemporary when THROTTLED or internal, else
// ErrRejected); anything else undocumented wraps ErrMalformed.
func parseGraphQL(body []byte) (json.RawMessage, error) {
	var ga graphqlAnswer
	if err := json.Unmarshal(body, &ga); err != nil {
		return nil, fmt.Errorf("%w: the GraphQL answer is not JSON", ErrMalformed)
	}
	if len(ga.Errors) > 0 && string(ga.Errors) != "null" {
		e := &Error{Kind: ErrRejected}
		var list []graphqlError
		if json.Unmarshal(ga.Errors, &list) == nil {
			for _, ge := range list {
				code := strings.ToUpper(strings.TrimSpace(ge.Extensions.Code))
				if code == gqlThrottled || code == gqlInternalErr {
					e.Kind = ErrTemporary
				}
				if e.Code == "" {
					e.Code = truncate(code, 64)
				}
				e.addMessage(ge.Message)
			}
		} else {
			for _, m := range errorsField(ga.Errors) {
				e.addMessage(m)
			}
		}
		if len(e.Messages) == 0 {
			e.addMessage("GraphQL error without a message")
		}
		return nil, e
	}
	if len(ga.Data) == 0 || string(ga.Data) == "null" {
		return nil, fmt.Errorf("%w: the GraphQL answer has neither data nor errors", ErrMalformed)
	}
	return ga.Data, nil
}

// truncate cuts s to at most n bytes, keeping it valid UTF-8.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
