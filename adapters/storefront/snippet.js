/* Boomerang storefront snippet, docs/storefront.md. Silent until the visitor is identified. */
(function (w, d) {
 var me = d.currentScript, q = w.boomerang, lastCart, lastView;
 if (!me || q && q.v) return;
 function at(n) { return me.getAttribute('data-' + n); }
 var key = at('key'), url = at('endpoint') || me.src.replace(/\.js(\?.*)?$/, '');
 function get(k) { try { return localStorage.getItem('boomerang_' + k) || ''; } catch (e) { return ''; } }
 function set(k, v) { try { localStorage.setItem('boomerang_' + k, v); } catch (e) {} }
 function str(v) { return v == null ? '' : String(v); }
 function abs(u) { try { return u ? new URL(u, location.href).href : ''; } catch (e) { return ''; } }
 function cents(c) { // Shopify's cents to "19.99"
  c = String(Math.round(Math.abs(c) || 0) + 1000);
  return +c.slice(0, -2) - 10 + '.' + c.slice(-2);
 }
 var visitor = get('visitor'), email = get('email'), phone = get('phone');
 if (!visitor) set('visitor', visitor = w.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
 function send(type, extra) {
  if (!key || !(email || phone)) return;
  var b = { key: key, type: type, visitor: visitor, occurred_at: new Date().toISOString() }, k;
  if (email) b.email = email;
  if (phone) b.phone = phone;
  for (k in extra) b[k] = extra[k];
  b = JSON.stringify(b);
  try { if (navigator.sendBeacon(url, b)) return; } catch (e) {}
  try { fetch(url, { method: 'POST', body: b, keepalive: true, credentials: 'omit' }).catch(function () {}); } catch (e) {}
 }
 var api = w.boomerang = {
  v: 1,
  identify: function (e, p) {
   e = str(e).trim().toLowerCase();
   p = str(p).trim();
   if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) e = '';
   if (!e && !p) return;
   var first = !(email || phone);
   if (e) set('email', email = e);
   if (p) set('phone', phone = p);
   if (first && lastView) send('product.viewed', { product: lastView });
  },
  viewed: function (p) { lastView = p; send('product.viewed', { product: p }); },
  added: function (item, cart) { send('cart.item_added', { item: item, cart: cart }); },
  cart: function (c) { lastCart = c; send('cart.updated', { cart: c }); },
  push: function (c) { try { api[c[0]].apply(api, [].slice.call(c, 1)); } catch (e) {} }
 };
 // An email typed anywhere identifies the visitor and sends the cart.
 d.addEventListener('change', function (e) {
  var t = e.target;
  if (!t || t.type !== 'email' || !t.value) return;
  api.identify(t.value);
  if (!email) return;
  if (lastCart) return api.cart(lastCart);
  if (w.Shopify) fetch(((Shopify.routes || {}).root || '/') + 'cart.js').then(function (r) { return r.json(); }).then(function (c) {
   var items = (c.items || []).slice(0, 100);
   if (c.token && items.length) api.cart({
    token: c.token.split('?')[0], currency: c.currency, total: cents(c.total_price),
    recovery_url: location.origin + '/cart/' + items.map(function (i) { return i.variant_id + ':' + i.quantity; }).join(','),
    line_items: items.map(function (i) {
     return { id: i.key, product_id: i.product_id, variant_id: i.variant_id, sku: i.sku, title: i.product_title,
      variant_title: i.variant_title, quantity: i.quantity, price: cents(i.final_price), url: abs(i.url), image_url: abs(i.image) };
    })
   });
  }).catch(function () {});
 }, true);
 api.identify(at('email'), at('phone'));
 if (q && q.forEach) q.forEach(api.push);
 var m = w.ShopifyAnalytics && ShopifyAnalytics.meta, sp = m && m.product;
 if (sp && sp.id) {
  var v = (sp.variants || [])[0] || {}, og = function (n) { return (d.querySelector('meta[property="og:' + n + '"]') || {}).content; };
  (sp.variants || []).forEach(function (x) { if (x.id == m.selectedVariantId) v = x; });
  api.viewed({ id: sp.id, variant_id: v.id, title: og('title') || d.title, url: abs(location.pathname),
   image_url: abs(og('image')), price: v.price == null ? '' : cents(v.price), currency: ((w.Shopify || {}).currency || {}).active });
 }
})(window, document);
