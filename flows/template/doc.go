// Package template renders the messages flows send: email (subject, HTML and
// plain text) and SMS, from Go templates embedded in the binary
// (flows/template/library).
//
// Each library file is one template: NAME.email.tmpl defines "subject",
// "content" (the HTML body, inside the shared layout), "body" (the plain-text
// body) and optionally "preheader"; NAME.sms.tmpl is the SMS text. Files whose
// names start with "_" hold the shared layout and partials: _layout.html.tmpl
// for HTML (html/template, escaping on) and _layout.text.tmpl for subjects,
// text and SMS (text/template).
//
// Templates see a view of [Data]: the shop, the customer, the run's trigger
// event as JSON (.Event.data.line_items), the run, the unsubscribe and
// preference URLs, the discount code and the render time, plus .Category,
// .Marketing and the helpers listed in funcs.go (money, date, link, promo, …).
//
// Compliance (senders.md §4): a marketing email always gets the footer with
// the shop's postal address and the unsubscribe link (CAN-SPAM), and Render
// refuses one without them; a marketing SMS gets "Reply STOP to opt out."
// appended unless its text already says STOP.
//
// The promotional rule: promotional content is written inside
// {{if promo}}…{{end}} (promo always returns true; it only marks the block),
// and showing .DiscountCode or calling the "discount" partial is promotional
// too. A template is promotional when it, or any partial it calls, contains
// such a marker. Rendering a promotional template as transactional fails with
// [ErrPromotional], and [Validate] reports every library template that a
// flow sends as transactional and that is promotional.
package template
