package bigcommerce

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
)

// HTTP names used towards BigCommerce.
const (
	headerAuthToken   = "X-Auth-Token" //nolint:gosec // a header name, not a credential
	headerAccept      = "Accept"
	headerContentType = "Content-Type"
	mediaJSON         = "application/json"
	// maxAnswer bounds an answer read into memory.
	maxAnswer = 4 << 20
)

// statusError is a non-2xx answer. It names the request (method and path,
// never a token) and the status, not the body.
type statusError struct {
	what   string
	status int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d", e.what, e.status)
}

// call sends one JSON request and decodes a 2xx answer into out (when not
// nil). token, when set, goes in X-Auth-Token. what names the request in
// errors and must not hold credentials.
func (h *handler) call(ctx context.Context, method, target, token, what string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encoding the request: %w", what, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body) //nolint:gosec // G704: the configured login and API hosts, by design
	if err != nil {
		return fmt.Errorf("%s: building the request", what)
	}
	req.Header.Set(headerAccept, mediaJSON)
	if in != nil {
		req.Header.Set(headerContentType, mediaJSON)
	}
	if token != "" {
		req.Header.Set(headerAuthToken, token)
	}
	resp, err := h.cfg.HTTPClient.Do(req) //nolint:gosec // G704: the configured login and API hosts, by design
	if err != nil {
		// *url.Error prints the URL; keep only the cause.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("%s: reading the answer: %w", what, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &statusError{what: what, status: resp.StatusCode}
	}
	if len(raw) > maxAnswer {
		return fmt.Errorf("%s: answer larger than %d bytes", what, maxAnswer)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: the answer is not the documented JSON", what)
	}
	return nil
}

// tokenRequest is the body of POST {LoginURL}/oauth2/token.
type tokenRequest struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Code         string `json:"code"`
	Context      string `json:"context"`
	Scope        string `json:"scope"`
	GrantType    string `json:"grant_type"`
	RedirectURI  string `json:"redirect_uri"`
}

// tokenResponse is its answer. user and owner are not read: Boomerang keeps
// no per-user data.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
	Context     string `json:"context"`
	AccountUUID string `json:"account_uuid"`
}

// exchange trades the auth callback's code for the store's access token.
func (h *handler) exchange(ctx context.Context, code, scope, storeContext string) (*tokenResponse, error) {
	req := tokenRequest{
		ClientID:     h.cfg.ClientID,
		ClientSecret: h.cfg.ClientSecret,
		Code:         code,
		Context:      storeContext,
		Scope:        scope,
		GrantType:    "authorization_code",
		RedirectURI:  h.cfg.PublicURL + pathAuth,
	}
	var out tokenResponse
	if err := h.call(ctx, http.MethodPost, h.cfg.LoginURL+"/oauth2/token", "", "POST /oauth2/token", req, &out); err != nil {
		return nil, err
	}
	if out.AccessToken == "" {
		return nil, errors.New("POST /oauth2/token: no access_token in the answer")
	}
	if out.Context != storeContext {
		return nil, errors.New("POST /oauth2/token: the token is for another store context")
	}
	return &out, nil
}

// apiBase is the store API's base for a store hash.
func (h *handler) apiBase(hash string) string {
	return strings.ReplaceAll(h.cfg.APIURL, storeHashPlaceholder, hash)
}

// storeInfo is the part of GET /v2/store Boomerang reads.
type storeInfo struct {
	Timezone struct {
		Name string `json:"name"`
	} `json:"timezone"`
}

// storeTimezone reads the store's IANA time zone, "" when it cannot (the
// app may lack store_v2_information_read_only; that is not an error).
func (h *handler) storeTimezone(ctx context.Context, hash, token string) string {
	var info storeInfo
	if err := h.call(ctx, http.MethodGet, h.apiBase(hash)+"/v2/store", token, "GET /v2/store", nil, &info); err != nil {
		return ""
	}
	return validZone(info.Timezone.Name)
}

// validZone returns name when it is an IANA zone this system knows, else "".
func validZone(name string) string {
	if name == "" || name == "Local" || len(name) > 64 {
		return ""
	}
	if _, err := time.LoadLocation(name); err != nil {
		return ""
	}
	return name
}
