package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// DefaultSurvey names the survey of a link whose claims name none: the
// "we want to know you better" profile survey.
const DefaultSurvey = "profile"

// The answers' keys in survey.submitted.
const (
	// SurveyBirthday is "MM-DD", or "YYYY-MM-DD" when the year was given.
	SurveyBirthday = "birthday"
	// SurveyHouseholdSize is a whole number from 1 to 20.
	SurveyHouseholdSize = "household_size"
	SurveyCity          = "city"
	SurveyCountry       = "country"
	// SurveyInterests is a comma-separated list of interest ids, in the
	// form's order ("gifts,home,other").
	SurveyInterests = "interests"
	// SurveyInterestsOther is the free text beside the "other" interest.
	SurveyInterestsOther = "interests_other"
)

// maxSurveyText bounds the survey's free-text fields, in characters.
const maxSurveyText = 100

// surveyInterests is the fixed list of interests the form offers, in the
// order they are shown and joined.
var surveyInterests = []struct{ ID, Label string }{
	{"new_arrivals", "New arrivals"},
	{"sales", "Sales and offers"},
	{"gifts", "Gift ideas"},
	{"fashion", "Clothing and accessories"},
	{"beauty", "Beauty and wellness"},
	{"home", "Home and garden"},
	{"outdoors", "Outdoors and sports"},
	{"tech", "Tech and gadgets"},
	{"kids", "Kids and family"},
	{"pets", "Pets"},
	{"food", "Food and drink"},
	{"other", "Something else"},
}

// SurveyConfig configures the hosted survey form.
type SurveyConfig struct {
	// Signer verifies link tokens. Required.
	Signer *Signer
	// Publisher receives survey.submitted. Required.
	Publisher EventPublisher
	// ShopName names a shop on the pages, "" when unknown. Default: no
	// name shown.
	ShopName func(shop string) string
	// Now is the clock (the birthday year's upper bound). Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// SurveyURL returns the link to the hosted survey form for the recipient
// c names: base (BOOMERANG_PUBLIC_URL) and /survey?t=TOKEN. c.Survey names
// the survey (DefaultSurvey when empty).
func SurveyURL(base string, s *Signer, c LinkClaims) string {
	return strings.TrimRight(base, "/") + "/survey?t=" + url.QueryEscape(s.Sign(c))
}

// MountSurvey registers the hosted survey form on mux: GET /survey?t=TOKEN
// shows it; POST /survey (the token in field t) validates it, shows field
// errors in the form with the typed values kept, and publishes
// survey.submitted before a thank-you page. Submitting the same answers
// twice has one effect.
func MountSurvey(mux *http.ServeMux, cfg SurveyConfig) error {
	if cfg.Signer == nil || cfg.Publisher == nil {
		return errors.New("survey: Signer and Publisher are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	h := &surveyHandler{cfg: cfg, pages: pages{shopName: cfg.ShopName, log: cfg.Logger}}
	mux.HandleFunc("GET /survey", h.show)
	mux.HandleFunc("POST /survey", h.submit)
	return nil
}

type surveyHandler struct {
	cfg   SurveyConfig
	pages pages
}

const surveyTitle = "We would love to know you better"

func (h *surveyHandler) show(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	c, ok := h.pages.verify(w, h.cfg.Signer, tok, false)
	if !ok {
		return
	}
	h.pages.render(w, http.StatusOK, surveyTmpl, c.Shop, surveyTitle, h.view(tok, url.Values{}, nil))
}

func (h *surveyHandler) submit(w http.ResponseWriter, r *http.Request) {
	form, ok := h.pages.form(w, r)
	if !ok {
		return
	}
	tok := form.Get("t")
	c, ok := h.pages.verify(w, h.cfg.Signer, tok, false)
	if !ok {
		return
	}
	answers, problems := parseSurvey(form, h.cfg.Now())
	if len(problems) > 0 {
		h.pages.render(w, http.StatusUnprocessableEntity, surveyTmpl, c.Shop, surveyTitle, h.view(tok, form, problems))
		return
	}
	if err := h.publish(r.Context(), c, answers); err != nil {
		h.cfg.Logger.Error("recording a survey failed", zap.String("shop", c.Shop), zap.Error(err))
		problems = map[string]string{"form": "We could not save your answers just now. Please try again in a minute."}
		h.pages.render(w, http.StatusServiceUnavailable, surveyTmpl, c.Shop, surveyTitle, h.view(tok, form, problems))
		return
	}
	h.pages.message(w, http.StatusOK, c.Shop, "Thank you!", "Your answers are saved. We will use them to send you things you care about.")
}

// publish records the answers. The identity is the recipient, message,
// survey and the answers' digest: the same answers sent twice are one
// event, changed answers a new one.
func (h *surveyHandler) publish(ctx context.Context, c LinkClaims, answers map[string]string) error {
	survey := c.Survey
	if survey == "" {
		survey = DefaultSurvey
	}
	keys := make([]string, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "\x00" + answers[k] + "\x00")
	}
	identity := c.Channel + ":" + c.Address + ":" + c.Message + ":survey:" + survey + ":" + digest(b.String())
	data := &event.Survey{Survey: survey, Run: c.Run, Answers: answers}
	return publishLinkEvent(ctx, h.cfg.Publisher, c, event.SurveySubmitted, identity, "survey", data, h.cfg.Now())
}

// Survey form fields.
const (
	fieldMonth     = "birthday_month"
	fieldDay       = "birthday_day"
	fieldYear      = "birthday_year"
	fieldHousehold = "household_size"
	fieldCity      = "city"
	fieldCountry   = "country"
	fieldInterests = "interests"
	fieldOther     = "interests_other"
)

// daysIn is the most days each month can have (February 29 without a year).
var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// parseSurvey validates the survey form. It returns the answers (only those
// given) or the problems by field ("birthday", "household_size", "city",
// "country", "interests", and "form" for the whole form).
func parseSurvey(form url.Values, now time.Time) (map[string]string, map[string]string) {
	answers, problems := map[string]string{}, map[string]string{}
	if b, problem := parseBirthday(form.Get(fieldMonth), form.Get(fieldDay), form.Get(fieldYear), now); problem != "" {
		problems[SurveyBirthday] = problem
	} else if b != "" {
		answers[SurveyBirthday] = b
	}
	if s := strings.TrimSpace(form.Get(fieldHousehold)); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 20 {
			problems[SurveyHouseholdSize] = "Please enter a number from 1 to 20."
		} else {
			answers[SurveyHouseholdSize] = strconv.Itoa(n)
		}
	}
	for _, f := range []string{fieldCity, fieldCountry} {
		if s, problem := surveyText(form.Get(f)); problem != "" {
			problems[f] = problem
		} else if s != "" {
			answers[f] = s
		}
	}
	var chosen []string
	picked := form[fieldInterests]
	for _, in := range surveyInterests {
		if slices.Contains(picked, in.ID) {
			chosen = append(chosen, in.ID)
		}
	}
	other, problem := surveyText(form.Get(fieldOther))
	switch {
	case len(chosen) < len(uniq(picked)):
		problems[SurveyInterests] = "Please choose from the list."
	case problem != "":
		problems[SurveyInterests] = problem
	}
	if other != "" && !slices.Contains(chosen, "other") {
		chosen = append(chosen, "other")
	}
	if len(chosen) > 0 {
		answers[SurveyInterests] = strings.Join(chosen, ",")
	}
	if other != "" {
		answers[SurveyInterestsOther] = other
	}
	if len(problems) == 0 && len(answers) == 0 {
		problems["form"] = "Please answer at least one question."
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return answers, nil
}

func uniq(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// parseBirthday turns the month, day and optional year into "MM-DD" or
// "YYYY-MM-DD"; all empty is no answer.
func parseBirthday(month, day, year string, now time.Time) (string, string) {
	month, day, year = strings.TrimSpace(month), strings.TrimSpace(day), strings.TrimSpace(year)
	if month == "" && day == "" && year == "" {
		return "", ""
	}
	if month == "" || day == "" {
		return "", "Please choose both the month and the day."
	}
	m, err := strconv.Atoi(month)
	if err != nil || m < 1 || m > 12 {
		return "", "Please choose a month from the list."
	}
	d, err := strconv.Atoi(day)
	if err != nil || d < 1 || d > daysIn[m] {
		return "", "Please enter a day that exists in " + time.Month(m).String() + "."
	}
	md := twoDigits(m) + "-" + twoDigits(d)
	if year == "" {
		return md, ""
	}
	y, err := strconv.Atoi(year)
	if err != nil || len(year) != 4 || y < 1900 || y > now.Year() {
		return "", "Please enter the year with four digits, or leave it empty."
	}
	if t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC); t.Day() != d {
		return "", strconv.Itoa(y) + " had no " + time.Month(m).String() + " " + strconv.Itoa(d) + "."
	}
	return year + "-" + md, ""
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// surveyText trims a free-text answer and checks it: at most maxSurveyText
// characters of printable text on one line.
func surveyText(s string) (string, string) {
	if !utf8.ValidString(s) {
		return "", "Please use plain text."
	}
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxSurveyText {
		return "", "Please keep this under " + strconv.Itoa(maxSurveyText) + " characters."
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", "Please use plain text on one line."
		}
	}
	return s, ""
}

// surveyView is the data of the survey form.
type surveyView struct {
	Token                    string
	Months                   []choice
	Day, Year, MaxYear       string
	Household, City, Country string
	Interests                []choice
	Other                    string
	Problems                 map[string]string
	MaxText                  int
}

// choice is one option of a select or one checkbox.
type choice struct {
	Value, Label string
	Selected     bool
}

// view fills the form from values typed so far (all empty at first).
func (h *surveyHandler) view(token string, form url.Values, problems map[string]string) surveyView {
	v := surveyView{
		Token: token, Day: form.Get(fieldDay), Year: form.Get(fieldYear),
		MaxYear: strconv.Itoa(h.cfg.Now().Year()), Household: form.Get(fieldHousehold),
		City: form.Get(fieldCity), Country: form.Get(fieldCountry), Other: form.Get(fieldOther),
		Problems: problems, MaxText: maxSurveyText,
	}
	for m := time.January; m <= time.December; m++ {
		val := strconv.Itoa(int(m))
		v.Months = append(v.Months, choice{Value: val, Label: m.String(), Selected: form.Get(fieldMonth) == val || form.Get(fieldMonth) == twoDigits(int(m))})
	}
	for _, in := range surveyInterests {
		v.Interests = append(v.Interests, choice{Value: in.ID, Label: in.Label, Selected: slices.Contains(form[fieldInterests], in.ID)})
	}
	return v
}

var surveyTmpl = withContent(`<p>A few quick questions, all optional. Your answers help us send you offers and ideas that fit, and a treat on your birthday.</p>
{{with .Problems.form}}<p class="alert" role="alert">{{.}}</p>{{else}}{{if .Problems}}<p class="alert" role="alert">Please check the answers marked below.</p>{{end}}{{end}}
<form method="post" action="survey" novalidate>
<input type="hidden" name="t" value="{{.Token}}">
<fieldset><legend>Your birthday <span class="hint">(the year is optional)</span></legend>
<div class="row">
<select class="wide" name="birthday_month" aria-label="Month"{{if .Problems.birthday}} aria-invalid="true"{{end}}><option value="">Month</option>{{range .Months}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select>
<input name="birthday_day" inputmode="numeric" placeholder="Day" aria-label="Day" maxlength="2" value="{{.Day}}"{{if .Problems.birthday}} aria-invalid="true"{{end}}>
<input name="birthday_year" inputmode="numeric" placeholder="Year" aria-label="Year, optional" maxlength="4" value="{{.Year}}"{{if .Problems.birthday}} aria-invalid="true"{{end}}>
</div>
{{with .Problems.birthday}}<p class="err">{{.}}</p>{{end}}</fieldset>
<label for="household_size">How many people live in your household?</label>
<input id="household_size" name="household_size" type="number" inputmode="numeric" min="1" max="20" value="{{.Household}}"{{if .Problems.household_size}} aria-invalid="true"{{end}}>
{{with .Problems.household_size}}<p class="err">{{.}}</p>{{end}}
<div class="row">
<div><label for="city">City</label>
<input id="city" name="city" autocomplete="address-level2" maxlength="{{.MaxText}}" value="{{.City}}"{{if .Problems.city}} aria-invalid="true"{{end}}>
{{with .Problems.city}}<p class="err">{{.}}</p>{{end}}</div>
<div><label for="country">Country</label>
<input id="country" name="country" autocomplete="country-name" maxlength="{{.MaxText}}" value="{{.Country}}"{{if .Problems.country}} aria-invalid="true"{{end}}>
{{with .Problems.country}}<p class="err">{{.}}</p>{{end}}</div>
</div>
<fieldset><legend>What are you interested in?</legend>
<div class="checks">{{range .Interests}}<label><input type="checkbox" name="interests" value="{{.Value}}"{{if .Selected}} checked{{end}}> {{.Label}}</label>{{end}}</div>
<input name="interests_other" placeholder="Something else? Tell us" aria-label="Other interests" maxlength="{{.MaxText}}" value="{{.Other}}"{{if .Problems.interests}} aria-invalid="true"{{end}}>
{{with .Problems.interests}}<p class="err">{{.}}</p>{{end}}</fieldset>
<button type="submit">Save my answers</button>
</form>`)
