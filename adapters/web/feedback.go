package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// Limits of the customer-facing forms.
const (
	// MaxAnswerLen bounds a one-click answer: 1 to 64 characters of
	// [a-z0-9_-].
	MaxAnswerLen = 64
	// MaxCommentLen bounds the optional comment after an answer, in
	// characters.
	MaxCommentLen = 2000
	// QuestionScore is the question whose answers are a satisfaction score
	// from 1 to 5; its feedback.submitted carries score.
	QuestionScore = "score"
	// maxFormBytes bounds the body of the customer-facing forms: a
	// 2,000-character comment of four-byte runes, percent-encoded, fits.
	maxFormBytes = 64 << 10
)

// FeedbackConfig configures the one-click answer pages.
type FeedbackConfig struct {
	// Signer verifies link tokens. Required.
	Signer *Signer
	// Publisher receives feedback.submitted. Required.
	Publisher EventPublisher
	// ShopName names a shop on the pages, "" when unknown. Default: no
	// name shown.
	ShopName func(shop string) string
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// FeedbackURL returns the one-click link that answers question with answer
// for the recipient c names: base (BOOMERANG_PUBLIC_URL) and
// /feedback?t=TOKEN&a=ANSWER. The token signs the question, not the
// answer, so every answer of one question shares it.
func FeedbackURL(base string, s *Signer, c LinkClaims, question, answer string) string {
	c.Question = question
	return strings.TrimRight(base, "/") + "/feedback?t=" + url.QueryEscape(s.Sign(c)) + "&a=" + url.QueryEscape(answer)
}

// MountFeedback registers the one-click answer pages on mux:
//
//   - GET /feedback?t=TOKEN&a=ANSWER records the answer (feedback.submitted)
//     and shows a thank-you page with an optional comment form. The event's
//     id and key come from the message, question and answer, so a double
//     click or a mail scanner fetching the link has one effect. HEAD shows
//     nothing and records nothing.
//   - POST /feedback (form fields t, a, comment) records the comment in a
//     second feedback.submitted.
//
// A bad token or answer gets a 400 page, a failed publish a 503 page.
func MountFeedback(mux *http.ServeMux, cfg FeedbackConfig) error {
	if cfg.Signer == nil || cfg.Publisher == nil {
		return errors.New("feedback: Signer and Publisher are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	h := &feedbackHandler{cfg: cfg, pages: pages{shopName: cfg.ShopName, log: cfg.Logger}}
	mux.HandleFunc("GET /feedback", h.answer)
	mux.HandleFunc("POST /feedback", h.comment)
	return nil
}

type feedbackHandler struct {
	cfg   FeedbackConfig
	pages pages
}

// feedbackView is the data of the thank-you page and its comment form.
type feedbackView struct {
	Token, Answer, Label, Prompt string
	Stars                        string
	Comment, Error               string
	MaxComment                   int
}

func (h *feedbackHandler) answer(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, ok := h.pages.verify(w, h.cfg.Signer, q.Get("t"), true)
	if !ok {
		return
	}
	a := q.Get("a")
	score, err := ParseAnswer(c.Question, a)
	if err != nil {
		h.pages.message(w, http.StatusBadRequest, c.Shop, "This answer is not valid", "Please use one of the answers in the message you received.")
		return
	}
	if r.Method != http.MethodHead {
		if err := h.publish(r.Context(), c, a, score, ""); err != nil {
			h.cfg.Logger.Error("recording feedback failed", zap.String("shop", c.Shop), zap.String("question", c.Question), zap.Error(err))
			h.pages.message(w, http.StatusServiceUnavailable, c.Shop, "Please try again", "We could not record your answer just now. Please click the link again in a minute.")
			return
		}
	}
	h.pages.render(w, http.StatusOK, feedbackTmpl, c.Shop, "Thank you!", h.view(q.Get("t"), a, score))
}

func (h *feedbackHandler) comment(w http.ResponseWriter, r *http.Request) {
	form, ok := h.pages.form(w, r)
	if !ok {
		return
	}
	c, ok := h.pages.verify(w, h.cfg.Signer, form.Get("t"), true)
	if !ok {
		return
	}
	a := form.Get("a")
	score, err := ParseAnswer(c.Question, a)
	if err != nil {
		h.pages.message(w, http.StatusBadRequest, c.Shop, "This answer is not valid", "Please use one of the answers in the message you received.")
		return
	}
	v := h.view(form.Get("t"), a, score)
	comment, err := parseComment(form.Get("comment"))
	if err != nil {
		v.Comment, v.Error = form.Get("comment"), commentProblem(err)
		h.pages.render(w, http.StatusBadRequest, feedbackTmpl, c.Shop, "Thank you!", v)
		return
	}
	if err := h.publish(r.Context(), c, a, score, comment); err != nil {
		h.cfg.Logger.Error("recording a feedback comment failed", zap.String("shop", c.Shop), zap.String("question", c.Question), zap.Error(err))
		v.Comment, v.Error = comment, "We could not send your comment just now. Please try again in a minute."
		h.pages.render(w, http.StatusServiceUnavailable, feedbackTmpl, c.Shop, "Please try again", v)
		return
	}
	h.pages.message(w, http.StatusOK, c.Shop, "Thank you!", "We read every comment. It helps us do better.")
}

// publish records one answer, with its comment when there is one. The
// identity, and so the event's id and key, is the recipient, message,
// question and answer (and the comment's digest).
func (h *feedbackHandler) publish(ctx context.Context, c LinkClaims, answer string, score *int, comment string) error {
	identity := c.Channel + ":" + c.Address + ":" + c.Message + ":" + c.Question + ":" + answer
	topic := "feedback"
	if comment != "" {
		identity += ":comment:" + digest(comment)
		topic = "feedback/comment"
	}
	data := &event.Feedback{
		Flow: c.Flow, Run: c.Run, Step: c.Step,
		Question: c.Question, Answer: answer, Score: score, Comment: comment,
	}
	return publishLinkEvent(ctx, h.cfg.Publisher, c, event.FeedbackSubmitted, identity, topic, data, h.cfg.Now())
}

func (h *feedbackHandler) view(token, answer string, score *int) feedbackView {
	v := feedbackView{
		Token: token, Answer: answer, Label: answerLabel(answer),
		Prompt: "Anything you would like to add?", MaxComment: MaxCommentLen,
	}
	switch {
	case score != nil:
		v.Label = strconv.Itoa(*score) + " out of 5"
		v.Stars = strings.Repeat("★", *score) + strings.Repeat("☆", 5-*score)
		v.Prompt = "What is the main reason for your score?"
	case answer == "question":
		v.Prompt = "What would you like to know? We will get back to you."
	}
	return v
}

// answerLabels words the answers of the built-in "why didn't you buy?"
// question; other answers show as they are, dashes and underscores as
// spaces.
var answerLabels = map[string]string{
	"price":    "The price",
	"shipping": "Shipping cost or time",
	"timing":   "Not the right time",
	"question": "I had a question",
	"browsing": "Just browsing",
}

func answerLabel(a string) string {
	if l, ok := answerLabels[a]; ok {
		return l
	}
	l := strings.NewReplacer("-", " ", "_", " ").Replace(a)
	r, n := utf8.DecodeRuneInString(l)
	return string(unicode.ToUpper(r)) + l[n:]
}

// ErrBadAnswer means a one-click answer is malformed.
var ErrBadAnswer = errors.New("invalid answer")

// ParseAnswer checks a one-click answer to question: both 1 to
// MaxAnswerLen characters of [a-z0-9_-], and for QuestionScore the answer
// a whole number from 1 to 5, which it returns as the score (nil for other
// questions).
func ParseAnswer(question, answer string) (*int, error) {
	if !answerWord(question) {
		return nil, fmt.Errorf("%w: the link's question is not 1 to %d characters of [a-z0-9_-]", ErrBadAnswer, MaxAnswerLen)
	}
	if !answerWord(answer) {
		return nil, fmt.Errorf("%w: want 1 to %d characters of [a-z0-9_-]", ErrBadAnswer, MaxAnswerLen)
	}
	if question != QuestionScore {
		return nil, nil //nolint:nilnil // no score is the normal answer to other questions
	}
	if len(answer) != 1 || answer[0] < '1' || answer[0] > '5' {
		return nil, fmt.Errorf("%w: a score is 1 to 5", ErrBadAnswer)
	}
	n := int(answer[0] - '0')
	return &n, nil
}

// answerWord reports whether s is 1 to MaxAnswerLen characters of
// [a-z0-9_-].
func answerWord(s string) bool {
	if s == "" || len(s) > MaxAnswerLen {
		return false
	}
	for i := range len(s) {
		switch b := s[i]; {
		case b >= 'a' && b <= 'z', b >= '0' && b <= '9', b == '-', b == '_':
		default:
			return false
		}
	}
	return true
}

// Why a comment is refused.
var (
	errCommentEmpty   = errors.New("empty comment")
	errCommentTooLong = errors.New("comment too long")
	errCommentNotText = errors.New("comment is not plain text")
)

// parseComment trims a comment and checks it: not empty, at most
// MaxCommentLen characters, valid UTF-8, no control characters but line
// breaks and tabs. Line breaks come back as "\n".
func parseComment(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errCommentNotText
	}
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
	if s == "" {
		return "", errCommentEmpty
	}
	if utf8.RuneCountInString(s) > MaxCommentLen {
		return "", errCommentTooLong
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", errCommentNotText
		}
	}
	return s, nil
}

// commentProblem words a refused comment for the customer.
func commentProblem(err error) string {
	switch {
	case errors.Is(err, errCommentEmpty):
		return "Please write a comment first."
	case errors.Is(err, errCommentTooLong):
		return fmt.Sprintf("Please keep your comment under %d characters.", MaxCommentLen)
	default:
		return "Please write your comment as plain text."
	}
}

// digest is a short hex digest of s, for identities that must not grow
// with free text.
func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// linkCustomer is the envelope customer of an event about a link's
// recipient: the address as email or phone by channel.
func linkCustomer(c LinkClaims) *event.Customer {
	if c.Channel == event.ChannelSMS {
		return &event.Customer{Phone: c.Address}
	}
	return &event.Customer{Email: c.Address}
}

// publishLinkEvent publishes an event Boomerang makes from a customer's
// action on a signed link. Its id and key derive from identity alone, so
// the same action repeated has one effect.
func publishLinkEvent(ctx context.Context, pub EventPublisher, c LinkClaims, typ event.Type, identity, topic string, data any, now time.Time) error {
	now = now.UTC()
	ev := &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformBoomerang, c.Shop, identity, typ),
		Key:           event.SemanticKey(typ, c.Shop, identity, time.Time{}),
		Type:          typ,
		Shop:          c.Shop,
		Platform:      event.PlatformBoomerang,
		OccurredAt:    now,
		ReceivedAt:    now,
		Customer:      linkCustomer(c),
		Data:          data,
		Source:        event.Source{Topic: topic},
	}
	if err := ev.Validate(); err != nil {
		return fmt.Errorf("building %s: %w", typ, err)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", typ, err)
	}
	if _, err := pub.Publish(ctx, ev.Subject(), ev.ID, b); err != nil {
		return fmt.Errorf("publishing %s: %w", typ, err)
	}
	return nil
}

// pages renders the customer-facing pages (answers, surveys) in one small
// layout: no JavaScript, inline CSS, readable on a phone, everything
// escaped by html/template.
type pages struct {
	shopName func(string) string
	log      *zap.Logger
}

// verify checks a link token; on failure it answers 400 and reports false.
// needQuestion refuses tokens that name no question (feedback links).
func (p pages) verify(w http.ResponseWriter, s *Signer, token string, needQuestion bool) (LinkClaims, bool) {
	c, err := s.Verify(token)
	if err == nil && !event.ValidShopID(c.Shop) {
		err = fmt.Errorf("%w: shop %q", ErrBadLink, c.Shop)
	}
	if err == nil && needQuestion && c.Question == "" {
		err = fmt.Errorf("%w: no question", ErrBadLink)
	}
	if err != nil {
		p.log.Debug("customer link refused", zap.Error(err))
		p.message(w, http.StatusBadRequest, "", "This link is not valid", "Please use the link from the latest message you received.")
		return LinkClaims{}, false
	}
	return c, true
}

// form reads a bounded urlencoded form body; on failure it answers 413 or
// 400 and reports false.
func (p pages) form(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			p.message(w, http.StatusRequestEntityTooLarge, "", "That is too long", "Please send a shorter answer.")
			return nil, false
		}
		p.message(w, http.StatusBadRequest, "", "This form is not valid", "Please open the link from your message again.")
		return nil, false
	}
	return r.PostForm, true
}

// message renders a page with a title and one paragraph.
func (p pages) message(w http.ResponseWriter, status int, shop, title, text string) {
	p.render(w, status, messageTmpl, shop, title, text)
}

// layoutView is what the layout sees; Data is the page's own.
type layoutView struct {
	Shop, Title string
	Data        any
}

func (p pages) render(w http.ResponseWriter, status int, t *template.Template, shop, title string, data any) {
	name := ""
	if shop != "" && p.shopName != nil {
		name = p.shopName(shop)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, layoutView{Shop: name, Title: title, Data: data}); err != nil {
		p.log.Error("rendering a customer page failed", zap.Error(err))
		http.Error(w, "Something went wrong. Please try again later.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	// The token sits in the URL: never hand it on in a Referer.
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

const layoutHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}}{{with .Shop}} · {{.}}{{end}}</title>
<style>
:root{color-scheme:light dark}
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#1f2328;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:34rem;margin:0 auto;padding:2.5rem 1rem}
.card{background:#fff;border-radius:14px;box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.04);padding:2rem 1.5rem}
.shop{margin:0 0 1.25rem;color:#57606a;font-weight:600;letter-spacing:.02em}
h1{margin:0 0 .75rem;font-size:1.55rem;line-height:1.25}
p{margin:.5rem 0}
.answer{font-size:1.1rem}
.stars{color:#f5a623;font-size:1.6rem;letter-spacing:.15em}
label,legend{display:block;font-weight:600;margin:1.1rem 0 .35rem;padding:0}
fieldset{border:0;margin:1.1rem 0 0;padding:0}
legend{margin:0 0 .35rem}
input,select,textarea{font:inherit;color:inherit;width:100%;padding:.6rem .7rem;border:1px solid #d0d7de;border-radius:8px;background:#fff}
textarea{min-height:7rem;resize:vertical}
.row{display:flex;gap:.5rem}
.row>*{flex:1;min-width:0}
.row>.wide{flex:1.7}
.checks{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.1rem .75rem}
.checks label{display:flex;align-items:center;gap:.5rem;font-weight:400;margin:.25rem 0}
.checks input{width:auto;margin:0}
button{font:inherit;font-weight:600;width:100%;margin-top:1.5rem;padding:.75rem 1.2rem;border:0;border-radius:8px;background:#1a73e8;color:#fff;cursor:pointer}
.err{color:#b42318;font-size:.92rem;margin:.35rem 0 0}
.alert{background:#fef3f2;border:1px solid #fecdca;color:#b42318;border-radius:8px;padding:.6rem .8rem;margin:1rem 0}
.hint{color:#57606a;font-size:.9rem}
[aria-invalid=true]{border-color:#b42318}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}.card{background:#161b22;box-shadow:none}input,select,textarea{background:#0d1117;border-color:#30363d}.shop,.hint{color:#8b949e}.alert{background:#2d1214;border-color:#5c1f22;color:#ffa198}.err{color:#ffa198}}
</style></head>
<body><main><div class="card">
{{with .Shop}}<p class="shop">{{.}}</p>{{end}}<h1>{{.Title}}</h1>
{{template "content" .Data}}
</div></main></body></html>
`

var layoutTmpl = template.Must(template.New("layout").Parse(layoutHTML))

// withContent returns the layout with content as its "content" template.
func withContent(content string) *template.Template {
	t := template.Must(layoutTmpl.Clone())
	template.Must(t.New("content").Parse(content))
	return t
}

var (
	messageTmpl  = withContent(`<p>{{.}}</p>`)
	feedbackTmpl = withContent(`{{if .Stars}}<p class="stars" aria-label="{{.Label}}">{{.Stars}}</p>
{{else}}<p class="answer">Your answer: <strong>{{.Label}}</strong></p>{{end}}
<p>We have recorded it. Thank you for taking the time.</p>
<form method="post" action="feedback">
<input type="hidden" name="t" value="{{.Token}}"><input type="hidden" name="a" value="{{.Answer}}">
<label for="comment">{{.Prompt}} <span class="hint">(optional)</span></label>
<textarea id="comment" name="comment" maxlength="{{.MaxComment}}"{{if .Error}} aria-invalid="true" aria-describedby="comment-err"{{end}}>{{.Comment}}</textarea>
{{with .Error}}<p class="err" id="comment-err">{{.}}</p>{{end}}
<button type="submit">Send comment</button>
</form>`)
)
