package woocommerce

import (
	"html/template"
	"net/http"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Boomerang for WooCommerce — {{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
code,pre{background:#f4f5f7;border-radius:.3rem}pre{padding:.8rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box}button{font-size:1rem;padding:.6rem 1.2rem;margin-top:.6rem;border:0;
border-radius:.3rem;background:#1a73e8;color:#fff;cursor:pointer}.ok{color:#1b7f3b}.err{color:#b3261e}</style>
</head><body>
<h1 class="{{if .Error}}err{{else}}ok{{end}}">{{.Title}}</h1>
{{- if .Text}}<p>{{.Text}}</p>{{end}}
{{- if .Site}}
<p>Store <code>{{.Site}}</code>: {{.Webhooks}} webhooks (orders, customers, coupons, products) now send their events
to Boomerang, and its flows run for this store.</p>
<h2>Next: the storefront plugin</h2>
<p>WooCommerce sends no cart events, so abandoned-cart flows need Boomerang's small plugin:</p>
<ol>
<li>Download <code>boomerang-storefront</code> (in Boomerang's <code>deploy/woocommerce/</code>), zip the folder and upload it in
<em>Plugins → Add New → Upload Plugin</em>, then activate it.</li>
<li>In <em>Settings → Boomerang</em>, enter:
<ul><li>Boomerang URL: <code>{{.BoomerangURL}}</code></li><li>Public key: <code>{{.PublicKey}}</code></li></ul></li>
</ol>
<p>The plugin prints the tracking tag below on every page and sends cart changes of identified shoppers:</p>
<pre>&lt;script src="{{.BoomerangURL}}/track.js" data-key="{{.PublicKey}}" async&gt;&lt;/script&gt;</pre>
{{- end}}
{{- if .Form}}
<form method="get" action="{{.Action}}">
<label for="store_url">Your WooCommerce store's address</label>
<input id="store_url" name="store_url" type="url" placeholder="https://shop.example" required>
<button type="submit">Connect to Boomerang</button>
</form>
<p>You will be asked to log in to WordPress as an administrator and to approve read/write access for Boomerang.</p>
{{- end}}
</body></html>`))

type pageData struct {
	Title, Text  string
	Error, Form  bool
	Site         string
	Webhooks     int
	PublicKey    string
	BoomerangURL string
	// Action is where the form goes: {PublicURL}/install/woocommerce.
	Action string
}

func (h *handler) page(w http.ResponseWriter, status int, d pageData) {
	d.Action = h.cfg.PublicURL + pathStart
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, d)
}

// formPage asks for the store URL, with problem when the last one was
// refused.
func (h *handler) formPage(w http.ResponseWriter, status int, problem string) {
	d := pageData{Title: "Connect your WooCommerce store", Form: true, Text: problem, Error: problem != ""}
	h.page(w, status, d)
}
