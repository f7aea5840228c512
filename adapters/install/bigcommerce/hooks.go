package bigcommerce

import (
	"context"
	"crypto/hmac"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	bcadapter "github.com/boomerang-dev/boomerang/adapters/bigcommerce"
)

// hooksPageLimit is the page size asked of GET /v3/hooks; maxHookPages
// bounds the pages read (an app has at most 10 hooks per scope).
const (
	hooksPageLimit = 100
	maxHookPages   = 50
)

// hook is one BigCommerce webhook subscription (GET /v3/hooks).
type hook struct {
	ID          int64             `json:"id"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
}

// hookBody is the body of POST /v3/hooks and PUT /v3/hooks/{id}.
type hookBody struct {
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
}

// hookPage is one page of GET /v3/hooks.
type hookPage struct {
	Data []hook `json:"data"`
	Meta struct {
		Pagination struct {
			CurrentPage int `json:"current_page"`
			TotalPages  int `json:"total_pages"`
		} `json:"pagination"`
	} `json:"meta"`
}

// hookReport counts what ensureHooks did.
type hookReport struct {
	Created, Updated, Unchanged int
}

// ensureHooks makes sure one active hook per scope Boomerang uses points at
// destination with the header secret: it lists the app's hooks, leaves a
// matching one alone, updates one that is inactive or carries another
// header, and creates the missing ones. Running it again changes nothing.
func (h *handler) ensureHooks(ctx context.Context, hash, token, destination, headerSecret string) (hookReport, error) {
	var rep hookReport
	existing, err := h.listHooks(ctx, hash, token)
	if err != nil {
		return rep, err
	}
	byScope := map[string]hook{}
	for _, hk := range existing {
		if sameDestination(hk.Destination, destination) {
			if _, seen := byScope[hk.Scope]; !seen {
				byScope[hk.Scope] = hk
			}
		}
	}
	base := h.apiBase(hash)
	for _, scope := range bcadapter.Scopes() {
		want := hookBody{
			Scope:       scope,
			Destination: destination,
			IsActive:    true,
			Headers:     map[string]string{bcadapter.HeaderSecret: headerSecret},
		}
		hk, found := byScope[scope]
		switch {
		case found && hk.IsActive && hookHeaderIs(hk.Headers, headerSecret):
			rep.Unchanged++
		case found:
			id := strconv.FormatInt(hk.ID, 10)
			if err := h.call(ctx, http.MethodPut, base+"/v3/hooks/"+id, token, "PUT /v3/hooks/"+id, want, nil); err != nil {
				return rep, fmt.Errorf("updating the %s hook: %w", scope, err)
			}
			rep.Updated++
		default:
			if err := h.call(ctx, http.MethodPost, base+"/v3/hooks", token, "POST /v3/hooks", want, nil); err != nil {
				return rep, fmt.Errorf("creating the %s hook: %w", scope, err)
			}
			rep.Created++
		}
	}
	return rep, nil
}

// listHooks reads every hook of this app on the store, page by page.
func (h *handler) listHooks(ctx context.Context, hash, token string) ([]hook, error) {
	var all []hook
	for page := 1; page <= maxHookPages; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(hooksPageLimit)}}
		var p hookPage
		if err := h.call(ctx, http.MethodGet, h.apiBase(hash)+"/v3/hooks?"+q.Encode(), token, "GET /v3/hooks", nil, &p); err != nil {
			return nil, fmt.Errorf("listing hooks: %w", err)
		}
		all = append(all, p.Data...)
		pg := p.Meta.Pagination
		if len(p.Data) == 0 || pg.TotalPages <= page || pg.CurrentPage >= pg.TotalPages {
			return all, nil
		}
	}
	return all, nil
}

// hookHeaderIs reports whether a hook's headers carry the header secret
// (header names compared without case).
func hookHeaderIs(headers map[string]string, secret string) bool {
	for k, v := range headers {
		if strings.EqualFold(k, bcadapter.HeaderSecret) {
			return hmac.Equal([]byte(v), []byte(secret))
		}
	}
	return false
}

// sameDestination compares hook destinations, ignoring a trailing slash.
func sameDestination(a, b string) bool {
	return strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
}
