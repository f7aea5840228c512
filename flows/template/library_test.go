package template_test

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/template"
)

// render renders name with d as marketing, or as transactional when sendAs
// says so, and fails on warnings.
func render(t *testing.T, name string, d *template.Data) *template.Message {
	t.Helper()
	cat := template.CategoryMarketing
	if strings.HasSuffix(sendAs[name], "/transactional") {
		cat = template.CategoryTransactional
	}
	m, err := template.Render(name, cat, d)
	require.NoError(t, err, name)
	require.Empty(t, m.Warnings, name)
	return m
}

// sampleAt is a fixed time for test data.
var sampleAt = time.Date(2026, time.March, 14, 15, 4, 5, 0, time.UTC)

func TestDiscountOffer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		d        template.Discount
		currency string
		want     string
	}{
		{"percent", template.Discount{Percent: 15}, "USD", "15% off your order"},
		{"amount", template.Discount{Amount: "5"}, "USD", "$5.00 off your order"},
		{"amount in euros", template.Discount{Amount: "12.5"}, "EUR", "12,50 € off your order"},
		{"amount without currency", template.Discount{Amount: "10"}, "", "10.00 off your order"},
		{"free shipping", template.Discount{FreeShipping: true}, "USD", "free shipping on your order"},
		{"percent and free shipping", template.Discount{Percent: 10, FreeShipping: true}, "USD", "10% off and free shipping on your order"},
		{"percent wins over amount", template.Discount{Percent: 20, Amount: "5"}, "USD", "20% off your order"},
		{"bad percent falls back to amount", template.Discount{Percent: 150, Amount: "5"}, "USD", "$5.00 off your order"},
		{"nothing said", template.Discount{Code: "X"}, "USD", "a discount on your order"},
	} {
		got, err := tc.d.Offer(tc.currency)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
	for d, want := range map[template.Discount]string{
		{Percent: 15}:                      "15% off",
		{Amount: "5"}:                      "$5.00 off",
		{FreeShipping: true}:               "free shipping",
		{Percent: 10, FreeShipping: true}:  "10% off and free shipping",
		{Code: "X"}:                        "a discount",
		{Percent: -5, ExpiresAt: sampleAt}: "a discount",
	} {
		got, err := d.Off("USD")
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := (&template.Discount{Amount: "5,00"}).Offer("EUR")
	require.ErrorIs(t, err, template.ErrMoney)
	_, err = (&template.Discount{Amount: "1e3"}).Off("EUR")
	require.ErrorIs(t, err, template.ErrMoney)
	var none *template.Discount
	got, err := none.Offer("USD")
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestRenderDiscountDetails(t *testing.T) {
	t.Parallel()
	d := template.Sample("birthday")
	require.Equal(t, "BDAY-7KQ2XW", d.DiscountCode)
	require.Equal(t, d.DiscountCode, d.Discount.Code)
	m := render(t, "birthday", d)
	for _, part := range []string{m.HTML, m.Text} {
		require.Contains(t, part, "BDAY-7KQ2XW")
		require.Contains(t, part, "Good for 15% off.")
		require.Contains(t, part, "Enter it at checkout by Mar 21, 2026.")
		require.NotContains(t, part, "Sample code")
	}
	require.Contains(t, m.Subject, "Happy birthday, Ann!")

	// The expiry is shown in the customer's zone: 02:00 UTC on the 20th is
	// still the 19th in New York, already the 20th in Tokyo.
	d.Discount.ExpiresAt = time.Date(2026, time.March, 20, 2, 0, 0, 0, time.UTC)
	require.Contains(t, render(t, "birthday", d).Text, "by Mar 19, 2026.")
	d.Customer.Timezone = "Asia/Tokyo"
	require.Contains(t, render(t, "birthday", d).Text, "by Mar 20, 2026.")

	// No expiry, an amount, and a made-up code.
	d.Discount = &template.Discount{Code: "BDAY-7KQ2XW", Amount: "10", MadeUp: true}
	m = render(t, "birthday", d)
	for _, part := range []string{m.HTML, m.Text} {
		require.Contains(t, part, "Good for 10.00 off.", "a date event has no currency")
		require.Contains(t, part, "Enter it at checkout.")
		require.Contains(t, part, "Sample code: it was not created in the store and will not work at checkout.")
	}

	// Without a discount the birthday wishes stay, the code goes.
	d.Discount, d.DiscountCode = nil, ""
	m = render(t, "birthday", d)
	require.NotContains(t, m.Text, "Your code")
	require.NotContains(t, m.HTML, "Your code")
	require.Contains(t, m.Text, "Visit the shop: https://demo.example.com")
}

func TestRenderLegacyDiscountCode(t *testing.T) {
	t.Parallel()
	d := template.Sample("abandoned-checkout-discount")
	d.Discount = nil // a run from before Discount existed: the code alone
	m := render(t, "abandoned-checkout-discount", d)
	require.Contains(t, m.Text, "Your code: COMEBACK-4XR9 (enter it at checkout)")
	require.Contains(t, m.HTML, "COMEBACK-4XR9")
	require.NotContains(t, m.Text, "Good for")
}

func TestRenderFreeShippingCode(t *testing.T) {
	t.Parallel()
	d := template.Sample("smart-abandonment-shipping")
	require.True(t, d.Discount.FreeShipping)
	m := render(t, "smart-abandonment-shipping", d)
	require.Equal(t, "Shipping is on us", m.Subject)
	require.Contains(t, m.Text, "Good for free shipping. Enter it at checkout by Mar 17, 2026.")

	d.Discount = &template.Discount{Code: "TENOFF", Percent: 10}
	require.Equal(t, "Here is 10% off your order", render(t, "smart-abandonment-shipping", d).Subject)
	d.Discount = nil
	m = render(t, "smart-abandonment-shipping", d)
	require.Equal(t, "About the shipping cost", m.Subject)
	require.NotContains(t, m.Text, "Your code")
}

func TestPromotionalTemplates(t *testing.T) {
	t.Parallel()
	l := mustDefault(t)
	for _, name := range []string{
		"abandoned-cart-final", "smart-abandonment-price", "smart-abandonment-shipping", "win-back",
		"win-back-last-chance", "win-back-sms", "birthday", "anniversary", "holiday", "buy-x-get-y", "profile-survey",
	} {
		require.True(t, l.Promotional(name), name)
		_, err := template.Render(name, template.CategoryTransactional, template.Sample(name))
		require.ErrorIs(t, err, template.ErrPromotional, name)
	}
	require.False(t, l.Promotional("delivery-confirmation"))
	d := template.Sample("delivery-confirmation")
	d.UnsubscribeURL = ""
	m := render(t, "delivery-confirmation", d)
	require.NotContains(t, m.HTML, "Unsubscribe")
	require.Contains(t, m.Text, "was delivered on Mar 10, 2026")
}

func TestRenderAnswerButtons(t *testing.T) {
	t.Parallel()
	m := render(t, "smart-abandonment-why", template.Sample("smart-abandonment-why"))
	last := 0
	for _, c := range []struct{ answer, label string }{
		{"price", "The price"},
		{"shipping", "Shipping cost"},
		{"timing", "Not the right time"},
		{"question", "I have a question"},
		{"browsing", "Just looking"},
	} {
		u := "https://demo.example.com/boomerang/feedback?a=" + c.answer + "&q=why&t=tok_sample"
		i := strings.Index(m.HTML, `href="`+html.EscapeString(u)+`"`)
		require.Greater(t, i, last, "%s is missing or out of order", c.answer)
		require.Contains(t, m.HTML[i:], ">"+c.label+"</a>")
		last = i
		require.Contains(t, m.Text, "- "+c.label+": "+u)
	}

	for name, question := range map[string]string{"satisfaction-survey": "score", "delivery-confirmation": "delivery"} {
		m = render(t, name, template.Sample(name))
		for score, title := range []string{"Very poor", "Poor", "Okay", "Good", "Excellent"} {
			n := string(rune('1' + score))
			u := "https://demo.example.com/boomerang/feedback?a=" + n + "&q=" + question + "&t=tok_sample"
			require.Contains(t, m.HTML, `href="`+html.EscapeString(u)+`" aria-label="`+n+` out of 5: `+title+`"`, name)
			require.Contains(t, m.Text, "- "+n+" ("+title+"): "+u, name)
		}
	}

	m = render(t, "profile-survey", template.Sample("profile-survey"))
	require.Contains(t, m.HTML, `href="https://demo.example.com/boomerang/survey/profile?t=tok_sample"`)
	require.Contains(t, m.Text, "Tell us about you: https://demo.example.com/boomerang/survey/profile?t=tok_sample")
}

func TestRenderWithoutLinks(t *testing.T) {
	t.Parallel()
	fallbacks := map[string]string{
		"smart-abandonment-why": "Just reply to this email with a word or two.",
		"satisfaction-survey":   "Just reply to this email with a number from 1 (very poor) to 5 (excellent).",
		"profile-survey":        "Just reply to this email and tell us what you love.",
	}
	for _, name := range template.Names() {
		d := template.Sample(name)
		d.Links = nil
		m := render(t, name, d)
		if m.Channel != template.ChannelEmail {
			continue
		}
		require.NotContains(t, m.HTML, `href=""`, name)
		require.NotContains(t, m.HTML, "/boomerang/feedback", name)
		require.NotContains(t, m.Text, "/boomerang/survey", name)
		if want, ok := fallbacks[name]; ok {
			require.Contains(t, m.HTML, want, name)
			require.Contains(t, m.Text, want, name)
		}
	}
	d := template.Sample("delivery-confirmation")
	d.Links = nil
	m := render(t, "delivery-confirmation", d)
	require.NotContains(t, m.HTML, "How did we do?")
	require.NotContains(t, m.Text, "How did we do?")
}

func TestChoicesNeedPairs(t *testing.T) {
	t.Parallel()
	l, err := template.Load(template.BuiltinFS(), overlay(t, map[string]string{
		"ask.email.tmpl": `{{define "subject"}}Hi{{end}}{{define "content"}}{{range .Choices "why" "price"}}{{.URL}}{{end}}{{end}}{{define "body"}}x{{end}}`,
	}))
	require.NoError(t, err)
	_, err = l.Render("ask", template.CategoryMarketing, template.Sample("ask"))
	require.ErrorContains(t, err, "answers and labels come in pairs")
}

func TestRenderProductCards(t *testing.T) {
	t.Parallel()
	d := template.Sample("browse-abandonment")
	d.Products = nil
	var titles []string
	for i := range 6 {
		p := template.Product{
			ID: strconv.Itoa(i), Title: "Product " + string(rune('A'+i)), Price: "$1.00",
			URL: "https://demo.example.com/products/" + strconv.Itoa(i), ImageURL: "https://cdn.example.com/p.jpg",
		}
		titles = append(titles, p.Title)
		d.Products = append(d.Products, p)
	}
	d.Products[1].URL = ""
	m := render(t, "browse-abandonment", d)
	for i, title := range titles {
		if i < 4 {
			require.Contains(t, m.HTML, `alt="`+title+`"`, "card %d has its image with alt text", i)
			require.Contains(t, m.Text, "- "+title+", $1.00", i)
		} else {
			require.NotContains(t, m.HTML, title, "at most four cards")
			require.NotContains(t, m.Text, title, "at most four cards")
		}
	}
	// A card without a link points at the shop.
	require.Contains(t, m.Text, "- Product B, $1.00\n  https://demo.example.com\n")
	require.Equal(t, 2, strings.Count(m.HTML, `<td width="50%" valign="top"`)/2, "two rows of two cards")

	// One card is centred on its own; none falls back to words.
	d.Products = d.Products[:1]
	m = render(t, "browse-abandonment", d)
	require.Contains(t, m.HTML, `width="270" align="center"`)
	require.Equal(t, "The Product A is still here.", preheader(t, m.HTML))
	d.Products = nil
	m = render(t, "browse-abandonment", d)
	require.Contains(t, m.Text, "Everything you were looking at is still in the shop")
	require.NotContains(t, m.HTML, "Shop now")
}

var preheaderRE = regexp.MustCompile(`<div style="display:none;[^"]*">([^<]*)</div>`)

func preheader(t *testing.T, h string) string {
	t.Helper()
	m := preheaderRE.FindStringSubmatch(h)
	require.NotNil(t, m, "no preheader")
	return html.UnescapeString(m[1])
}

func TestRenderHelpContact(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"smart-abandonment-help", "satisfaction-apology"} {
		d := template.Sample(name)
		d.Params = map[string]any{"help_url": "https://demo.example.com/pages/help", "help_email": "help@demo.example.com"}
		m := render(t, name, d)
		require.Contains(t, m.HTML, `href="https://demo.example.com/pages/help"`, name)
		require.Contains(t, m.HTML, `href="mailto:help@demo.example.com"`, name)
		require.Contains(t, m.Text, "Our help page has answers to the questions we hear most: https://demo.example.com/pages/help\nOr write to us at help@demo.example.com", name)

		delete(d.Params, "help_url")
		m = render(t, name, d)
		require.NotContains(t, m.HTML, "/pages/help", name)
		require.Contains(t, m.Text, "\nWrite to us at help@demo.example.com", name)

		d.Params = nil
		m = render(t, name, d)
		require.NotContains(t, m.HTML, "mailto:", name)
		require.Contains(t, m.HTML, "Just reply to this email: a real person at Driftwood Coffee reads every message", name)
		require.Contains(t, m.Text, "Just reply to this email: a real person at Driftwood Coffee reads every message", name)
	}
}

func TestRenderParamLinks(t *testing.T) {
	t.Parallel()
	d := template.Sample("post-purchase-review")
	m := render(t, "post-purchase-review", d)
	require.Contains(t, m.Text, "Stoneware Mug (Sage)\nWrite a review: https://demo.example.com/products/stoneware-mug")
	require.Contains(t, m.Text, "Pour-over Coffee Kit\nWrite a review: https://demo.example.com/products/pour-over-kit")
	require.Contains(t, m.HTML, `aria-label="Review Stoneware Mug"`)
	d.Params = map[string]any{"review_url": "https://reviews.example.com/driftwood"}
	m = render(t, "post-purchase-review", d)
	require.Equal(t, 2, strings.Count(m.Text, "Write a review: https://reviews.example.com/driftwood"))
	require.Equal(t, 2, strings.Count(m.HTML, `href="https://reviews.example.com/driftwood"`))

	d = template.Sample("post-purchase-loyalty")
	require.Contains(t, render(t, "post-purchase-loyalty", d).Text, "Join the rewards programme: https://demo.example.com/pages/rewards")
	d.Params = nil
	require.Contains(t, render(t, "post-purchase-loyalty", d).Text, "Join the rewards programme: https://demo.example.com\n")

	d = template.Sample("post-purchase-tips")
	require.Contains(t, render(t, "post-purchase-tips", d).HTML, `href="https://demo.example.com/pages/brewing-guide"`)
	d.Params = nil
	m = render(t, "post-purchase-tips", d)
	require.NotContains(t, m.HTML, "Read the guide")
	require.NotContains(t, m.Text, "Want more?")

	d = template.Sample("satisfaction-referral")
	m = render(t, "satisfaction-referral", d)
	require.Contains(t, m.Text, "Your referral code: ANN-K7P3")
	require.Contains(t, m.Text, "Share Driftwood Coffee: https://demo.example.com/r/ANN-K7P3")
	d.ReferralURL, d.ReferralCode = "", ""
	m = render(t, "satisfaction-referral", d)
	require.NotContains(t, m.Text, "referral code")
	require.NotContains(t, m.Text, "your own link")
	require.Contains(t, m.Text, "Share Driftwood Coffee: https://demo.example.com\n")
}

func TestRenderDateGreetings(t *testing.T) {
	t.Parallel()
	d := template.Sample("holiday")
	require.Equal(t, "holiday", d.Payload()["kind"])
	m := render(t, "holiday", d)
	require.Equal(t, "Happy Pi Day: 10% off your order inside", m.Subject)
	require.Contains(t, m.HTML, ">Happy Pi Day!</h1>")

	d.Payload()["name"] = "St. Patrick's Day"
	m = render(t, "holiday", d)
	require.Contains(t, m.HTML, ">Happy St. Patrick&#39;s Day!</h1>")
	require.Contains(t, m.Text, "St. Patrick's Day is here")

	delete(d.Payload(), "name")
	d.Discount = nil
	m = render(t, "holiday", d)
	require.Equal(t, "Happy holidays", m.Subject)
	require.Contains(t, m.Text, "The holidays are here")

	d = template.Sample("anniversary")
	require.Equal(t, "anniversary", d.Payload()["kind"])
	require.Nil(t, d.Discount)
	require.NotContains(t, render(t, "anniversary", d).Text, "Your code")
	d.Discount = &template.Discount{Code: "YEAR1-8QW3", Percent: 20}
	require.Contains(t, render(t, "anniversary", d).Text, "To celebrate, here is a code for 20% off your order.")
}

func TestRenderWinBackLastChance(t *testing.T) {
	t.Parallel()
	d := template.Sample("win-back-last-chance")
	m := render(t, "win-back-last-chance", d)
	require.Equal(t, "Last chance: your code ends on Mar 21, 2026", m.Subject)
	d.Discount.ExpiresAt = time.Time{}
	require.Equal(t, "Last chance: your code ends soon", render(t, "win-back-last-chance", d).Subject)
	d.Discount = nil
	m = render(t, "win-back-last-chance", d)
	require.Equal(t, "The door is always open at Driftwood Coffee", m.Subject)
	require.NotContains(t, m.Text, "code")
}

func TestRenderCrossSellNamesTheFirstItem(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"cross-sell", "buy-x-get-y"} {
		d := template.Sample(name)
		m := render(t, name, d)
		require.Contains(t, m.Subject, "Stoneware Mug", name)
		require.Contains(t, m.Text, "Ethiopia Yirgacheffe Beans, 12 oz, $19.00", name)
		d.Event["data"].(map[string]any)["line_items"] = []any{}
		m = render(t, name, d)
		require.NotContains(t, m.Subject, "Stoneware Mug", name)
	}
	m := render(t, "buy-x-get-y", template.Sample("buy-x-get-y"))
	require.Contains(t, m.Text, "We picked something that goes beautifully with it, and here is a code for 20% off to try it.")
	require.Contains(t, m.Text, "Your code: PAIR-6JD2VR")
}

func TestRenderCartSubtotal(t *testing.T) {
	t.Parallel()
	// A cart's total is the sum of its lines: shown as the subtotal.
	m := render(t, "abandoned-cart-reminder", template.Sample("abandoned-cart-reminder"))
	require.Contains(t, m.Text, "- Paper Filters, 100 pack x 2: $15.00\n  https://demo.example.com/products/paper-filters\nSubtotal: $79.00\n")
	require.Contains(t, m.HTML, "Subtotal</td>")
	// An order's total is not a subtotal.
	d := template.Sample("cross-sell")
	delete(d.Payload(), "subtotal")
	m, err := template.Render("order-confirmation", template.CategoryTransactional, d)
	require.NoError(t, err)
	require.NotContains(t, m.Text, "Subtotal")
}

func TestRenderNewSMS(t *testing.T) {
	t.Parallel()
	d := template.Sample("win-back-sms")
	m := render(t, "win-back-sms", d)
	require.Equal(t, "Driftwood Coffee: Hi Ann, we miss you! Here is 15% off your order with code MISSYOU-5RX3KP, until Mar 28, 2026. https://demo.example.com\n"+template.StopText, m.Body)
	require.Equal(t, template.EncodingGSM7, m.Encoding)
	require.Equal(t, 1, m.Segments)

	d.Discount.MadeUp = true
	require.Contains(t, render(t, "win-back-sms", d).Body, "code MISSYOU-5RX3KP (sample code), until")
	d.Discount, d.DiscountCode = nil, ""
	m = render(t, "win-back-sms", d)
	require.Equal(t, "Driftwood Coffee: Hi Ann, we miss you! https://demo.example.com\n"+template.StopText, m.Body)
	require.Equal(t, 1, m.Segments)

	m = render(t, "abandoned-cart-sms", template.Sample("abandoned-cart-sms"))
	require.True(t, strings.HasPrefix(m.Body, "Driftwood Coffee: Hi Ann, you left something in your cart."), m.Body)
	require.Contains(t, m.Body, "https://demo.example.com/cart/c1?recover=k2")
	require.Equal(t, 1, m.Segments)
}

var (
	hrefRE = regexp.MustCompile(`href="([^"]*)"`)
	imgRE  = regexp.MustCompile(`<img [^>]*>`)
	altRE  = regexp.MustCompile(` alt="[^"]+"`)
)

// TestTextPartMatchesHTML checks every email's text part carries the HTML
// part's calls to action (product and home-page links aside: the text part
// names those products instead), and every image has alt text.
func TestTextPartMatchesHTML(t *testing.T) {
	t.Parallel()
	for _, name := range template.Names() {
		d := template.Sample(name)
		m := render(t, name, d)
		if m.Channel != template.ChannelEmail {
			continue
		}
		require.NotContains(t, m.HTML, "ZgotmplZ", name)
		skip := map[string]bool{d.Shop.URL: true}
		items, err := d.Items()
		require.NoError(t, err)
		for _, it := range items {
			skip[it.URL] = true
		}
		for _, p := range d.Products {
			skip[p.URL] = true
		}
		for _, h := range hrefRE.FindAllStringSubmatch(m.HTML, -1) {
			u := strings.TrimPrefix(html.UnescapeString(h[1]), "mailto:")
			if !skip[u] {
				require.Contains(t, m.Text, u, "%s: the text part lacks a link of the HTML", name)
			}
		}
		for _, img := range imgRE.FindAllString(m.HTML, -1) {
			require.Regexp(t, altRE, img, "%s: an image without alt text", name)
		}
	}
}

func TestSampleEveryTemplate(t *testing.T) {
	t.Parallel()
	types := map[string]string{
		"abandoned-cart-reminder": "cart.abandoned", "smart-abandonment-why": "checkout.updated",
		"browse-abandonment": "product.viewed", "delivery-confirmation": "shipment.updated",
		"post-purchase-review": "shipment.updated", "satisfaction-survey": "shipment.updated",
		"win-back": "prediction.updated", "birthday": "date.reached", "cross-sell": "shipment.updated",
		"buy-x-get-y": "order.placed", "profile-survey": "order.placed", "welcome-repeat": "customer.created",
	}
	for _, name := range template.Names() {
		d := template.Sample(name)
		if want, ok := types[name]; ok {
			require.Equal(t, want, d.Event["type"], name)
		}
		if d.Discount != nil {
			require.Equal(t, d.Discount.Code, d.DiscountCode, name)
			require.True(t, d.Discount.ExpiresAt.After(d.Now), name)
		}
		require.NotNil(t, d.Links, name)
	}
	require.Equal(t, "delivered", template.Sample("delivery-confirmation").Payload()["status"])
	require.Len(t, template.Sample("cross-sell").Products, 3)
	require.Len(t, template.Sample("buy-x-get-y").Products, 1)
}
