package storefront

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the snippet
	"encoding/hex"
	"net/http"
	"time"
)

// snippet is the storefront script served at GET /track.js.
//
//go:embed snippet.js
var snippet []byte

// snippetETag changes with the snippet, so caches revalidate cheaply.
var snippetETag = func() string {
	h := sha256.Sum256(snippet)
	return `"` + hex.EncodeToString(h[:8]) + `"`
}()

// serveSnippet serves the embedded snippet: cacheable for an hour, then
// revalidated by its ETag.
func serveSnippet(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", snippetETag)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set(headerAllowOrigin, "*")
	http.ServeContent(w, r, "track.js", time.Time{}, bytes.NewReader(snippet))
}
