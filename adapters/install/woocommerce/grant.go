package woocommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
)

// errGrant explains a callback body that is not WooCommerce's key grant;
// its message is safe to answer.
var errGrant = errors.New("not a WooCommerce key grant")

// Key shapes: WooCommerce issues "ck_" and "cs_" followed by 40 hex digits
// (wc_rand_hash); the check is looser but keeps ':' out, which separates
// them in the shop's api_token.
var (
	consumerKeyRE    = regexp.MustCompile(`^ck_[A-Za-z0-9]{8,128}$`)
	consumerSecretRE = regexp.MustCompile(`^cs_[A-Za-z0-9]{8,128}$`)
)

// maxPermissionsLen bounds key_permissions.
const maxPermissionsLen = 32

// grant is a parsed key-grant callback.
type grant struct {
	userID      string
	key, secret string
	permissions string
}

// grantBody is the JSON WooCommerce posts to callback_url (WC_Auth::
// post_consumer_data): {"key_id":1,"user_id":"…","consumer_key":"ck_…",
// "consumer_secret":"cs_…","key_permissions":"read_write"}. user_id is
// echoed as sent (a string); the docs' example shows a number, so both are
// read.
type grantBody struct {
	KeyID          json.RawMessage `json:"key_id"`
	UserID         json.RawMessage `json:"user_id"`
	ConsumerKey    string          `json:"consumer_key"`
	ConsumerSecret string          `json:"consumer_secret"`
	KeyPermissions string          `json:"key_permissions"`
}

// parseGrant decodes and checks a callback body.
func parseGrant(raw []byte) (*grant, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("%w: the body is not a JSON object", errGrant)
	}
	var b grantBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&b); err != nil || len(bytes.TrimSpace(raw[dec.InputOffset():])) > 0 {
		return nil, fmt.Errorf("%w: the body is not the documented JSON object", errGrant)
	}
	g := &grant{key: b.ConsumerKey, secret: b.ConsumerSecret, permissions: b.KeyPermissions}
	switch {
	case len(b.UserID) > 0 && b.UserID[0] == '"':
		if err := json.Unmarshal(b.UserID, &g.userID); err != nil {
			return nil, fmt.Errorf("%w: user_id is not a string", errGrant)
		}
	case len(b.UserID) > 0 && (b.UserID[0] == '-' || (b.UserID[0] >= '0' && b.UserID[0] <= '9')):
		g.userID = string(b.UserID)
	default:
		return nil, fmt.Errorf("%w: user_id is missing", errGrant)
	}
	if !consumerKeyRE.MatchString(g.key) || !consumerSecretRE.MatchString(g.secret) {
		return nil, fmt.Errorf("%w: consumer_key or consumer_secret is missing or malformed", errGrant)
	}
	if g.permissions == "" || len(g.permissions) > maxPermissionsLen {
		return nil, fmt.Errorf("%w: key_permissions is missing", errGrant)
	}
	return g, nil
}
