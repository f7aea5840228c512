package bigcommerce

import (
	"html/template"
	"net/http"
)

// frameAncestors lets the control panel frame the app's pages, and nothing
// else.
const frameAncestors = "frame-ancestors https://*.bigcommerce.com https://*.mybigcommerce.com"

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Boomerang — {{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
code,pre{background:#f4f5f7;border-radius:.3rem}pre{padding:.8rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.ok{color:#1b7f3b}.err{color:#b3261e}</style>
</head><body>
<h1 class="{{if .Error}}err{{else}}ok{{end}}">{{.Title}}</h1>
<p>{{.Text}}</p>
{{- if .Store}}
<p>Store <code>{{.Store}}</code> sends its carts, orders, shipments, customers and newsletter sign-ups to Boomerang,
and Boomerang's flows (abandoned cart, post-purchase, win-back…) run for it.</p>
{{- if .Snippet}}
<h2>Storefront tracking</h2>
<p>For product views and carts with the email a visitor typed, add this script in
<em>Storefront → Script Manager</em> (footer, all pages):</p>
<pre>{{.Snippet}}</pre>
{{- end}}
{{- end}}
</body></html>`))

type pageData struct {
	Title, Text string
	Error       bool
	Store       string
	Snippet     string
}

func render(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "+frameAncestors)
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, d)
}

// errorPage answers a small page saying what went wrong.
func errorPage(w http.ResponseWriter, status int, title, text string) {
	render(w, status, pageData{Title: title, Text: text, Error: true})
}

// appPage is the app's own page, after install and on every load.
func (h *handler) appPage(w http.ResponseWriter, hash string, installed bool) {
	d := pageData{Title: "Boomerang is connected", Store: hash}
	if installed {
		d.Title = "Boomerang is installed"
		d.Text = "Webhooks are registered; new events start flowing in within a minute."
	}
	if pk := publicKey(h.cfg.SecretKey, ShopID(hash)); pk != "" {
		d.Snippet = `<script src="` + h.cfg.PublicURL + `/track.js" data-key="` + pk +
			`" data-email="{{customer.email}}" async></script>`
	}
	render(w, http.StatusOK, d)
}
