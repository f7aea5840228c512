package shopify

import (
	"html/template"
	"net/http"
)

// pageTmpl is the small page every answer to a browser is.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if .Items}}<ul>{{range .Items}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
</body></html>`))

// page answers with a page.
func page(w http.ResponseWriter, status int, title, text string, items ...string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, struct {
		Title, Text string
		Items       []string
	}{title, text, items})
}
