package webhookout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// ErrSignature marks a header that Verify refuses: missing or malformed,
// signed with another secret or over another body, or too old or too new.
var ErrSignature = errors.New("webhookout: invalid signature")

// Signature header keys.
const (
	sigKeyTime = "t"
	sigKeyV1   = "v1"
)

// Sign returns the signature header value for a body sent at t:
// "t=<unix>,v1=<hex hmac-sha256(secret, "<unix>.<body>")>". The MAC covers
// the exact bytes sent, so receivers must verify the raw body before
// parsing it.
func Sign(secret string, t time.Time, body []byte) string {
	return signHeader(t.Unix(), body, secret)
}

// signHeader signs body at unix with every secret, one v1 entry each.
func signHeader(unix int64, body []byte, secrets ...string) string {
	ts := strconv.FormatInt(unix, 10)
	var b strings.Builder
	b.WriteString(sigKeyTime + "=" + ts)
	for _, s := range secrets {
		b.WriteString("," + sigKeyV1 + "=")
		b.WriteString(mac(s, ts, body))
	}
	return b.String()
}

// mac is hex(HMAC-SHA256(secret, ts + "." + body)), lowercase.
func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks header, a value made by Sign, against body and secret: one
// of its v1 entries must be the MAC of "<t>.<body>" under secret (a sender
// rotating secrets sends one per secret), compared in constant time, and t
// must be within tolerance of now (whole seconds; DefaultTolerance when
// tolerance is not positive). Entries with other keys are ignored, as are
// spaces around entries. An empty secret verifies nothing. The error wraps
// ErrSignature.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		return fmt.Errorf("%w: no secret configured", ErrSignature)
	}
	if header == "" {
		return fmt.Errorf("%w: missing %s", ErrSignature, HeaderSignature)
	}
	ts, unix, sigs, err := parseSignature(header)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	want := []byte(mac(secret, ts, body))
	ok := false
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			ok = true
		}
	}
	if !ok {
		return fmt.Errorf("%w: no v1 signature matches", ErrSignature)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if !within(unix, now.Unix(), int64(tolerance/time.Second)) {
		return fmt.Errorf("%w: timestamp %d is more than %s from now", ErrSignature, unix, tolerance)
	}
	return nil
}

// parseSignature splits "t=<unix>,v1=<hex>[,v1=<hex>…]" into the timestamp
// as sent, its value and the v1 entries. t must appear once, as Sign writes
// it (decimal, no sign or leading zeros), and at least one v1 must be
// present.
func parseSignature(header string) (ts string, unix int64, sigs []string, err error) {
	seenT := false
	for entry := range strings.SplitSeq(header, ",") {
		entry = strings.TrimSpace(entry)
		k, v, found := strings.Cut(entry, "=")
		if !found {
			return "", 0, nil, fmt.Errorf("malformed entry %q", truncate(entry))
		}
		switch k {
		case sigKeyTime:
			if seenT {
				return "", 0, nil, errors.New("more than one timestamp")
			}
			seenT = true
			n, convErr := strconv.ParseInt(v, 10, 64)
			if convErr != nil || strconv.FormatInt(n, 10) != v {
				return "", 0, nil, fmt.Errorf("malformed timestamp %q", truncate(v))
			}
			ts, unix = v, n
		case sigKeyV1:
			sigs = append(sigs, v)
		}
	}
	if !seenT {
		return "", 0, nil, errors.New("no timestamp")
	}
	if len(sigs) == 0 {
		return "", 0, nil, errors.New("no v1 signature")
	}
	return ts, unix, sigs, nil
}

// within reports whether a and b, Unix seconds, are at most tol apart,
// without overflowing at the ends of int64.
func within(a, b, tol int64) bool {
	if tol < 0 {
		return false
	}
	var diff uint64
	if a > b {
		diff = uint64(a) - uint64(b) //nolint:gosec // two's complement difference of a > b fits uint64
	} else {
		diff = uint64(b) - uint64(a) //nolint:gosec // as above
	}
	return diff <= uint64(tol)
}

// truncate shortens what an error quotes from a header.
func truncate(s string) string {
	const limit = 40
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}
