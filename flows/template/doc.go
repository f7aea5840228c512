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
// preference URLs, the discount (.Discount, with .Discount.Offer), product
// cards (.Products, at most four shown by .Cards), the flow's parameters
// (.Param, .ParamOr), the referral link, signed one-click links (.AnswerURL,
// .SurveyURL, and the .Choices and .Scale buttons built on them, nil without
// [Links]) and the render time, plus .Category, .Marketing and the helpers
// listed in funcs.go (money, date, link, promo, …).
//
// The layouts' partials: "heading", "button", "product" and "cart" (line
// items), "product-cards" (a grid of .Cards), "discount" (the code, what it
// gives, its expiry in the customer's zone, and a note when the code is
// made up), "choices" (big one-click answer buttons), "scale" (scores 1 to
// 5) and "help" (the help page and address from the help_url and help_email
// parameters, else "reply to this email"); the text layout has "text-cart",
// "text-products", "text-discount", "text-choices" and "text-help".
//
// Compliance (senders.md §4): a marketing email always gets the footer with
// the shop's postal address and the unsubscribe link (CAN-SPAM), and Render
// refuses one without them; a marketing SMS gets "Reply STOP to opt out."
// appended unless its text already says STOP.
//
// The promotional rule: promotional content is written inside
// {{if promo}}…{{end}} (promo always returns true; it only marks the block),
// and reading .DiscountCode or .Discount, or calling the "discount" partial,
// is promotional too. A template is promotional when it, or any partial it calls, contains
// such a marker. Rendering a promotional template as transactional fails with
// [ErrPromotional], and [Validate] reports every library template that a
// flow sends as transactional and that is promotional.
package template
