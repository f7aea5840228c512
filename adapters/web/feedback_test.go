package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// sentEvent is one Publish call, its bytes decoded.
type sentEvent struct {
	subject, msgID string
	ev             *event.Event
}

// recorder is an EventPublisher that keeps every call, duplicates
// included, and fails with err when set.
type recorder struct {
	mu   sync.Mutex
	sent []sentEvent
	err  error
}

func (r *recorder) Publish(_ context.Context, subject, msgID string, data []byte) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return false, r.err
	}
	var ev event.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return false, err
	}
	r.sent = append(r.sent, sentEvent{subject: subject, msgID: msgID, ev: &ev})
	return false, nil
}

func (r *recorder) all() []sentEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sentEvent(nil), r.sent...)
}

func (r *recorder) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

var pageNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

type pageBundle struct {
	mux    *http.ServeMux
	signer *web.Signer
	pub    *recorder
}

func setupPages(t *testing.T) *pageBundle {
	t.Helper()
	signer, err := web.NewSigner("secret")
	require.NoError(t, err)
	b := &pageBundle{mux: http.NewServeMux(), signer: signer, pub: &recorder{}}
	shopName := func(shop string) string {
		if shop == "demo" {
			return "Demo <Store>"
		}
		return ""
	}
	now := func() time.Time { return pageNow }
	require.NoError(t, web.MountFeedback(b.mux, web.FeedbackConfig{Signer: signer, Publisher: b.pub, ShopName: shopName, Now: now}))
	require.NoError(t, web.MountSurvey(b.mux, web.SurveyConfig{Signer: signer, Publisher: b.pub, ShopName: shopName, Now: now}))
	return b
}

// response is what a test reads of an answer besides its body.
type response struct {
	StatusCode int
	Header     http.Header
}

// do serves one request; a non-nil form is POSTed urlencoded.
func (b *pageBundle) do(method, target string, form url.Values) (response, string) {
	if form != nil {
		return b.doRaw(method, target, form.Encode())
	}
	return b.serve(httptest.NewRequestWithContext(context.Background(), method, target, nil))
}

// doRaw sends body as it is, as an urlencoded form.
func (b *pageBundle) doRaw(method, target, body string) (response, string) {
	req := httptest.NewRequestWithContext(context.Background(), method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.serve(req)
}

func (b *pageBundle) serve(req *http.Request) (response, string) {
	rec := httptest.NewRecorder()
	b.mux.ServeHTTP(rec, req)
	return response{StatusCode: rec.Code, Header: rec.Header()}, rec.Body.String()
}

var annClaims = web.LinkClaims{
	Shop: "demo", Channel: event.ChannelEmail, Address: "ann@example.com", Customer: "e:ann@example.com",
	Message: "run1:ask", Flow: "post-purchase", Run: "run1", Step: "ask",
}

// answerPath is FeedbackURL's path and query, for the mux.
func answerPath(t *testing.T, s *web.Signer, c web.LinkClaims, question, answer string) string {
	t.Helper()
	u, err := url.Parse(web.FeedbackURL("https://boomerang.example/", s, c, question, answer))
	require.NoError(t, err)
	require.Equal(t, "boomerang.example", u.Host)
	require.Equal(t, "/feedback", u.Path)
	return u.RequestURI()
}

func TestFeedbackClickPublishesTheAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		claims           web.LinkClaims
		question, answer string
		score            *int
		email, phone     string
		page             string
	}{
		{name: "why", claims: annClaims, question: "why", answer: "price", email: "ann@example.com", page: "The price"},
		{name: "custom answer", claims: annClaims, question: "why", answer: "too_many-emails", email: "ann@example.com", page: "Too many emails"},
		{name: "score over sms", claims: func() web.LinkClaims {
			c := annClaims
			c.Channel, c.Address = event.ChannelSMS, "+15005550006"
			return c
		}(), question: "score", answer: "4", score: new(4), phone: "+15005550006", page: "★★★★☆"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupPages(t)
			resp, body := b.do(http.MethodGet, answerPath(t, b.signer, tc.claims, tc.question, tc.answer), nil)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
			require.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"))
			require.Contains(t, body, tc.page)
			require.Contains(t, body, `<textarea id="comment" name="comment"`)
			require.Contains(t, body, "Demo &lt;Store&gt;", "the shop name is shown, escaped")
			require.NotContains(t, body, "<script")

			sent := b.pub.all()
			require.Len(t, sent, 1)
			ev := sent[0].ev
			require.NoError(t, ev.Validate())
			require.Equal(t, "events.demo.feedback.submitted", sent[0].subject)
			require.Equal(t, ev.ID, sent[0].msgID)
			require.Equal(t, event.FeedbackSubmitted, ev.Type)
			require.Equal(t, "demo", ev.Shop)
			require.Equal(t, event.PlatformBoomerang, ev.Platform)
			require.Equal(t, pageNow, ev.OccurredAt)
			require.Equal(t, &event.Customer{Email: tc.email, Phone: tc.phone}, ev.Customer)
			require.Equal(t, &event.Feedback{
				Flow: "post-purchase", Run: "run1", Step: "ask", Question: tc.question, Answer: tc.answer, Score: tc.score,
			}, ev.Data)
		})
	}
}

func TestFeedbackDoubleClickIsOneEffect(t *testing.T) {
	t.Parallel()
	b := setupPages(t)
	target := answerPath(t, b.signer, annClaims, "why", "shipping")
	for range 2 {
		resp, _ := b.do(http.MethodGet, target, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	other := annClaims
	other.Message = "run2:ask"
	resp, _ := b.do(http.MethodGet, answerPath(t, b.signer, other, "why", "shipping"), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	sent := b.pub.all()
	require.Len(t, sent, 3)
	require.Equal(t, sent[0].msgID, sent[1].msgID, "the same click twice has the same msg id")
	require.Equal(t, sent[0].ev.Key, sent[1].ev.Key)
	require.NotEqual(t, sent[0].msgID, sent[2].msgID, "another message's answer is another event")
	require.NotEqual(t, sent[0].ev.Key, sent[2].ev.Key)
}

func TestFeedbackHeadRecordsNothing(t *testing.T) {
	t.Parallel()
	b := setupPages(t)
	resp, _ := b.do(http.MethodHead, answerPath(t, b.signer, annClaims, "why", "price"), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, b.pub.all())
}

func TestFeedbackRefusesBadLinksAndAnswers(t *testing.T) {
	t.Parallel()
	b := setupPages(t)
	good := answerPath(t, b.signer, annClaims, "why", "price")
	tok := b.signer.Sign(func() web.LinkClaims { c := annClaims; c.Question = "why"; return c }())
	forger, err := web.NewSigner("not the secret")
	require.NoError(t, err)
	tests := []struct {
		name, target string
		text         string
	}{
		{"tampered token", strings.Replace(good, "t=", "t=x", 1), "This link is not valid"},
		{"other key", answerPath(t, forger, annClaims, "why", "price"), "This link is not valid"},
		{"no token", "/feedback?a=price", "This link is not valid"},
		{"unsubscribe token has no question", "/feedback?a=price&t=" + url.QueryEscape(b.signer.Sign(annClaims)), "This link is not valid"},
		{"no answer", "/feedback?t=" + url.QueryEscape(tok), "This answer is not valid"},
		{"upper case", "/feedback?a=PRICE&t=" + url.QueryEscape(tok), "This answer is not valid"},
		{"space", "/feedback?a=too+much&t=" + url.QueryEscape(tok), "This answer is not valid"},
		{"markup", "/feedback?a=%3Cscript%3E&t=" + url.QueryEscape(tok), "This answer is not valid"},
		{"too long", "/feedback?a=" + strings.Repeat("a", web.MaxAnswerLen+1) + "&t=" + url.QueryEscape(tok), "This answer is not valid"},
		{"score 0", answerPath(t, b.signer, annClaims, "score", "0"), "This answer is not valid"},
		{"score 6", answerPath(t, b.signer, annClaims, "score", "6"), "This answer is not valid"},
		{"score 10", answerPath(t, b.signer, annClaims, "score", "10"), "This answer is not valid"},
		{"score word", answerPath(t, b.signer, annClaims, "score", "five"), "This answer is not valid"},
	}
	for _, tc := range tests {
		resp, body := b.do(http.MethodGet, tc.target, nil)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, tc.name)
		require.Contains(t, body, tc.text, tc.name)
		require.NotContains(t, body, "<script>", tc.name)
	}
	require.Empty(t, b.pub.all(), "nothing is published for a refused click")
	resp, _ := b.do(http.MethodGet, answerPath(t, b.signer, annClaims, "why", strings.Repeat("a", web.MaxAnswerLen)), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "64 characters is still an answer")
}

func TestFeedbackPublishFailureIs503(t *testing.T) {
	t.Parallel()
	b := setupPages(t)
	b.pub.fail(errors.New("nats: timeout"))
	resp, body := b.do(http.MethodGet, answerPath(t, b.signer, annClaims, "why", "price"), nil)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, body, "Please try again")
	require.NotContains(t, body, "nats: timeout", "no internals on the page")

	form := url.Values{"t": {b.signer.Sign(withQuestion(annClaims, "why"))}, "a": {"price"}, "comment": {"Too dear"}}
	resp, body = b.do(http.MethodPost, "/feedback", form)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, body, "Too dear", "the comment is kept for another try")
}

func withQuestion(c web.LinkClaims, q string) web.LinkClaims {
	c.Question = q
	return c
}

func TestFeedbackComment(t *testing.T) {
	t.Parallel()
	b := setupPages(t)
	tok := b.signer.Sign(withQuestion(annClaims, "score"))
	resp, _ := b.do(http.MethodGet, "/feedback?a=2&t="+url.QueryEscape(tok), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	comment := "  Shipping took\r\ntwo weeks.  "
	for range 2 {
		resp, body := b.do(http.MethodPost, "/feedback", url.Values{"t": {tok}, "a": {"2"}, "comment": {comment}})
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, body, "Thank you")
		require.NotContains(t, body, "<textarea", "no second form")
	}
	sent := b.pub.all()
	require.Len(t, sent, 3)
	require.NotEqual(t, sent[0].msgID, sent[1].msgID, "the comment is a second event")
	require.Equal(t, sent[1].msgID, sent[2].msgID, "the same comment sent twice is one event")
	fb, ok := sent[1].ev.Data.(*event.Feedback)
	require.True(t, ok)
	require.Equal(t, &event.Feedback{
		Flow: "post-purchase", Run: "run1", Step: "ask", Question: "score", Answer: "2", Score: new(2),
		Comment: "Shipping took\ntwo weeks.",
	}, fb)
	require.NoError(t, sent[1].ev.Validate())

	long := strings.Repeat("é", web.MaxCommentLen+1)
	for name, tc := range map[string]struct {
		form   url.Values
		status int
		text   string
	}{
		"empty":       {url.Values{"t": {tok}, "a": {"2"}, "comment": {"   "}}, http.StatusBadRequest, "Please write a comment first."},
		"too long":    {url.Values{"t": {tok}, "a": {"2"}, "comment": {long}}, http.StatusBadRequest, long},
		"control":     {url.Values{"t": {tok}, "a": {"2"}, "comment": {"a\x00b"}}, http.StatusBadRequest, "plain text"},
		"bad answer":  {url.Values{"t": {tok}, "a": {"9"}, "comment": {"hi"}}, http.StatusBadRequest, "This answer is not valid"},
		"bad token":   {url.Values{"t": {tok + "x"}, "a": {"2"}, "comment": {"hi"}}, http.StatusBadRequest, "This link is not valid"},
		"escaped":     {url.Values{"t": {tok}, "a": {"2"}, "comment": {"<b>" + long}}, http.StatusBadRequest, "&lt;b&gt;"},
		"huge body":   {url.Values{"t": {tok}, "a": {"2"}, "comment": {strings.Repeat("x", 70<<10)}}, http.StatusRequestEntityTooLarge, "too long"},
		"max allowed": {url.Values{"t": {tok}, "a": {"2"}, "comment": {long[len("é"):]}}, http.StatusOK, "Thank you"},
	} {
		resp, body := b.do(http.MethodPost, "/feedback", tc.form)
		require.Equal(t, tc.status, resp.StatusCode, name)
		require.Contains(t, body, tc.text, name)
	}
	require.Len(t, b.pub.all(), 4, "only the comment of 2,000 characters was published")
}

// TestLinkTokensKeepWorking pins the token format: a token signed before
// the question and survey claims existed still verifies.
func TestLinkTokensKeepWorking(t *testing.T) {
	t.Parallel()
	s, err := web.NewSigner("secret")
	require.NoError(t, err)
	const old = "eyJzIjoiZGVtbyIsImMiOiJlbWFpbCIsImEiOiJhbm5AZXhhbXBsZS5jb20iLCJtIjoicjpyZW1pbmRlciIsInIiOiJyIn0.uOu_z3FBRPhJbmq9GIuBR_VGDQCMQZ9498jUYJhbJbQ"
	c, err := s.Verify(old)
	require.NoError(t, err)
	want := web.LinkClaims{Shop: "demo", Channel: "email", Address: "ann@example.com", Message: "r:reminder", Run: "r"}
	require.Equal(t, want, c)
	require.Equal(t, old, s.Sign(want), "claims without a question sign as before")
}

// FuzzFeedbackAnswer clicks an answer link with any question, answer and
// comment: the answer is 200 or 400, never a 500, and whatever is
// published carries exactly what was accepted.
func FuzzFeedbackAnswer(f *testing.F) {
	f.Add("why", "price", "Too dear")
	f.Add("score", "5", "")
	f.Add("score", "0", "x")
	f.Add("score", "55", "x")
	f.Add("why", "", "\x00")
	f.Add("why", "Price", strings.Repeat("ü", 2001))
	f.Add("", "price", "hi")
	f.Add("why", "a%00b", "\r\n")
	f.Add("\x81", "0", "0")
	f.Add("Why?", "price", "")
	f.Fuzz(func(t *testing.T, question, answer, comment string) {
		b := setupPages(t)
		tok := b.signer.Sign(withQuestion(annClaims, question))
		resp, _ := b.do(http.MethodGet, "/feedback?t="+url.QueryEscape(tok)+"&a="+url.QueryEscape(answer), nil)
		score, err := web.ParseAnswer(question, answer)
		sent := b.pub.all()
		if err != nil {
			require.Equal(t, http.StatusBadRequest, resp.StatusCode)
			require.Empty(t, sent)
			return
		}
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Len(t, sent, 1)
		fb, ok := sent[0].ev.Data.(*event.Feedback)
		require.True(t, ok)
		require.Equal(t, answer, fb.Answer)
		require.Equal(t, question, fb.Question)
		require.Equal(t, score, fb.Score)
		if question == web.QuestionScore {
			require.NotNil(t, fb.Score)
			require.True(t, *fb.Score >= 1 && *fb.Score <= 5)
		}

		resp, _ = b.do(http.MethodPost, "/feedback", url.Values{"t": {tok}, "a": {answer}, "comment": {comment}})
		require.Contains(t, []int{http.StatusOK, http.StatusBadRequest}, resp.StatusCode)
		sent = b.pub.all()
		if resp.StatusCode == http.StatusBadRequest {
			require.Len(t, sent, 1)
			return
		}
		require.Len(t, sent, 2)
		fb, ok = sent[1].ev.Data.(*event.Feedback)
		require.True(t, ok)
		require.NotEmpty(t, fb.Comment)
		require.LessOrEqual(t, len([]rune(fb.Comment)), web.MaxCommentLen)
		require.Equal(t, strings.TrimSpace(fb.Comment), fb.Comment)
	})
}
