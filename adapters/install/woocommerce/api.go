package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/woocommerce/wcauth"
)

// WooCommerce REST names.
const (
	webhooksPath = "/wp-json/wc/v3/webhooks"
	indexPath    = "/wp-json/"
	webhooksPage = 100
	maxHookPages = 50
	maxAnswer    = 4 << 20
	headerAccept = "Accept"
	headerCType  = "Content-Type"
	mediaJSON    = "application/json"
	statusActive = "active"
	maxRedirects = 3
)

// wooCodeRE is the shape of WooCommerce's error codes
// ("woocommerce_rest_authentication_error"), the only part of an error
// answer quoted in errors.
var wooCodeRE = regexp.MustCompile(`^[a-z0-9_]{1,80}$`)

// apiError is a non-2xx answer of the store.
type apiError struct {
	what   string
	status int
	code   string
}

func (e *apiError) Error() string {
	if e.code != "" {
		return fmt.Sprintf("%s: HTTP %d %s", e.what, e.status, e.code)
	}
	return fmt.Sprintf("%s: HTTP %d", e.what, e.status)
}

// store talks to one site's REST API with one pair of keys.
type store struct {
	site   string // canonical store URL, no trailing slash
	key    string
	secret string
	https  bool
	http   *http.Client // never follows redirects
	now    func() time.Time
}

func newStore(site, key, secret string, hc *http.Client, now func() time.Time) *store {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &store{site: site, key: key, secret: secret, https: strings.HasPrefix(site, "https://"), http: &c, now: now}
}

// do sends one authenticated request to site+path and decodes a 2xx JSON
// answer into out (when not nil): HTTP Basic over https, OAuth 1.0a in the
// query over http. what names it in errors and holds no credentials.
func (s *store) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	what := method + " " + path
	if q == nil {
		q = url.Values{}
	}
	base := s.site + path
	if !s.https {
		wcauth.Sign(method, base, q, s.key, s.secret, s.now())
	}
	target := base
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encoding the request: %w", what, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		// The URL may hold OAuth parameters: do not print it.
		return fmt.Errorf("%s: building the request", what)
	}
	req.Header.Set(headerAccept, mediaJSON)
	if in != nil {
		req.Header.Set(headerCType, mediaJSON)
	}
	if s.https {
		req.SetBasicAuth(s.key, s.secret)
	}
	raw, status, err := send(s.http, req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if status < 200 || status > 299 {
		return &apiError{what: what, status: status, code: errorCode(raw)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: the answer is not the documented JSON", what)
	}
	return nil
}

// send does req and reads at most maxAnswer bytes of the answer. A
// transport error loses its URL (which may hold OAuth parameters).
func send(hc *http.Client, req *http.Request) ([]byte, int, error) {
	resp, err := hc.Do(req) //nolint:gosec // G704: the store the merchant named, checked by cleanStoreURL and the guarded dialer
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, 0, fmt.Errorf("reading the answer: %w", err)
	}
	if len(raw) > maxAnswer {
		return nil, 0, fmt.Errorf("answer larger than %d bytes", maxAnswer)
	}
	return raw, resp.StatusCode, nil
}

// errorCode is the "code" of a WooCommerce error answer when it has the
// expected shape, else "".
func errorCode(raw []byte) string {
	var e struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(raw, &e) != nil || !wooCodeRE.MatchString(e.Code) {
		return ""
	}
	return e.Code
}

// webhook is one webhook of GET /wp-json/wc/v3/webhooks.
type webhook struct {
	ID          int64  `json:"id"`
	Topic       string `json:"topic"`
	DeliveryURL string `json:"delivery_url"`
	Status      string `json:"status"`
}

// webhookCreate is the body of POST /wp-json/wc/v3/webhooks.
type webhookCreate struct {
	Name        string `json:"name"`
	Topic       string `json:"topic"`
	DeliveryURL string `json:"delivery_url"`
	Secret      string `json:"secret"`
	Status      string `json:"status"`
}

// webhookUpdate is the body of PUT /wp-json/wc/v3/webhooks/{id}.
type webhookUpdate struct {
	Secret string `json:"secret"`
	Status string `json:"status"`
}

// listWebhooks reads every webhook of the site, page by page. It is also
// the proof that the keys work.
func (s *store) listWebhooks(ctx context.Context) ([]webhook, error) {
	var all []webhook
	for page := 1; page <= maxHookPages; page++ {
		q := url.Values{"per_page": {strconv.Itoa(webhooksPage)}, "page": {strconv.Itoa(page)}}
		var got []webhook
		if err := s.do(ctx, http.MethodGet, webhooksPath, q, nil, &got); err != nil {
			return nil, err
		}
		all = append(all, got...)
		if len(got) < webhooksPage {
			break
		}
	}
	return all, nil
}

// webhookReport counts what ensureWebhooks did.
type webhookReport struct {
	Created, Updated int
}

// ensureWebhooks makes sure one active webhook per topic posts to
// deliveryURL signed with secret. existing is the site's list; a webhook of
// the same topic and delivery URL is updated (active, the new secret: the
// old one is unknown, as WooCommerce never returns secrets), a missing one
// created. Running it again creates nothing.
func (s *store) ensureWebhooks(ctx context.Context, existing []webhook, deliveryURL, secret string) (webhookReport, error) {
	var rep webhookReport
	byTopic := map[string]webhook{}
	for _, w := range existing {
		if strings.TrimRight(w.DeliveryURL, "/") == strings.TrimRight(deliveryURL, "/") {
			if _, seen := byTopic[w.Topic]; !seen {
				byTopic[w.Topic] = w
			}
		}
	}
	for _, topic := range topics {
		if w, ok := byTopic[topic]; ok {
			path := webhooksPath + "/" + strconv.FormatInt(w.ID, 10)
			if err := s.do(ctx, http.MethodPut, path, nil, webhookUpdate{Secret: secret, Status: statusActive}, nil); err != nil {
				return rep, fmt.Errorf("updating the %s webhook: %w", topic, err)
			}
			rep.Updated++
			continue
		}
		body := webhookCreate{Name: "Boomerang " + topic, Topic: topic, DeliveryURL: deliveryURL, Secret: secret, Status: statusActive}
		if err := s.do(ctx, http.MethodPost, webhooksPath, nil, body, nil); err != nil {
			return rep, fmt.Errorf("creating the %s webhook: %w", topic, err)
		}
		rep.Created++
	}
	return rep, nil
}

// siteIndex is the part of WordPress's REST index (GET /wp-json/) read
// before the grant: the home URL WooCommerce puts in X-WC-Webhook-Source,
// and the site's time zone.
type siteIndex struct {
	Home     string `json:"home"`
	Timezone string `json:"timezone_string"`
}

// discover asks the site for its REST index, following a few redirects
// (http to https, a bare domain to www). It sends no credentials. ok is
// false when the site does not answer it.
func discover(ctx context.Context, hc *http.Client, site string) (idx siteIndex, ok bool) {
	c := *hc
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects || (req.URL.Scheme != "http" && req.URL.Scheme != "https") {
			return http.ErrUseLastResponse
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, site+indexPath+"?_fields=home,timezone_string", nil) //nolint:gosec // G704: the store the merchant named, checked by cleanStoreURL and the guarded dialer
	if err != nil {
		return idx, false
	}
	req.Header.Set(headerAccept, mediaJSON)
	raw, status, err := send(&c, req)
	if err != nil || status != http.StatusOK || json.Unmarshal(raw, &idx) != nil {
		return siteIndex{}, false
	}
	return idx, true
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
