package web_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/flows/event"
)

func surveyPath(t *testing.T, s *web.Signer, c web.LinkClaims) string {
	t.Helper()
	u, err := url.Parse(web.SurveyURL("https://boomerang.example", s, c))
	require.NoError(t, err)
	require.Equal(t, "/survey", u.Path)
	return u.RequestURI()
}

func TestSurveyFormIsShown(t *testing.T) {
	t.Parallel()
	b := setupPages(t)
	resp, body := b.do(http.MethodGet, surveyPath(t, b.signer, annClaims), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for _, want := range []string{
		`name="birthday_month"`, `<option value="12">December</option>`, `name="birthday_day"`, `name="birthday_year"`,
		`name="household_size"`, `name="city"`, `name="country"`, `name="interests" value="gifts"`,
		`name="interests" value="other"`, `name="interests_other"`, `<button type="submit">`, "Demo &lt;Store&gt;",
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, `class="alert"`, "no errors on a fresh form")

	resp, _ = b.do(http.MethodGet, "/survey?t=forged", nil)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func surveyForm(tok string, kv ...string) url.Values {
	f := url.Values{"t": {tok}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

func TestSurveyPublishesTheAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		survey string
		form   []string
		want   map[string]string
	}{
		{
			name: "everything",
			form: []string{
				"birthday_month", "7", "birthday_day", "14", "birthday_year", "1990", "household_size", " 3 ",
				"city", " Lyon ", "country", "France", "interests", "home", "interests", "gifts", "interests_other", "Knitting",
			},
			want: map[string]string{
				"birthday": "1990-07-14", "household_size": "3", "city": "Lyon", "country": "France",
				"interests": "gifts,home,other", "interests_other": "Knitting",
			},
		},
		{
			name: "birthday without year", survey: "onboarding",
			form: []string{"birthday_month", "02", "birthday_day", "29"},
			want: map[string]string{"birthday": "02-29"},
		},
		{
			name: "leap day with year",
			form: []string{"birthday_month", "2", "birthday_day", "29", "birthday_year", "2000"},
			want: map[string]string{"birthday": "2000-02-29"},
		},
		{
			name: "other ticked without text",
			form: []string{"interests", "other", "interests", "pets", "birthday_month", "", "birthday_day", ""},
			want: map[string]string{"interests": "pets,other"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupPages(t)
			c := annClaims
			c.Survey = tc.survey
			tok := b.signer.Sign(c)
			resp, body := b.do(http.MethodPost, "/survey", surveyForm(tok, tc.form...))
			require.Equal(t, http.StatusOK, resp.StatusCode, body)
			require.Contains(t, body, "Thank you")

			sent := b.pub.all()
			require.Len(t, sent, 1)
			ev := sent[0].ev
			require.NoError(t, ev.Validate())
			require.Equal(t, "events.demo.survey.submitted", sent[0].subject)
			require.Equal(t, ev.ID, sent[0].msgID)
			require.Equal(t, event.SurveySubmitted, ev.Type)
			require.Equal(t, &event.Customer{Email: "ann@example.com"}, ev.Customer)
			want := tc.survey
			if want == "" {
				want = web.DefaultSurvey
			}
			require.Equal(t, &event.Survey{Survey: want, Run: "run1", Answers: tc.want}, ev.Data)
		})
	}
}

func TestSurveySameAnswersTwiceIsOneEvent(t *testing.T) {
	t.Parallel()
	b := setupPages(t)
	tok := b.signer.Sign(annClaims)
	for _, city := range []string{"Lyon", "Lyon", "Paris"} {
		resp, _ := b.do(http.MethodPost, "/survey", surveyForm(tok, "city", city))
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	sent := b.pub.all()
	require.Len(t, sent, 3)
	require.Equal(t, sent[0].msgID, sent[1].msgID)
	require.NotEqual(t, sent[0].msgID, sent[2].msgID, "changed answers are a new event")
}

func TestSurveyValidationKeepsTypedValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		form     []string
		problems []string
		kept     []string
	}{
		{
			name:     "several fields",
			form:     []string{"birthday_month", "2", "birthday_day", "30", "household_size", "0", "city", "Lyon <3", "country", "France", "interests", "gifts", "interests_other", "Knit"},
			problems: []string{"Please enter a day that exists in February.", "Please enter a number from 1 to 20."},
			kept: []string{
				`<option value="2" selected>February</option>`, `value="30"`, `value="0"`, `value="Lyon &lt;3"`,
				`value="France"`, `value="gifts" checked`, `value="Knit"`,
			},
		},
		{
			name:     "day without month",
			form:     []string{"birthday_day", "4", "city", "Oslo"},
			problems: []string{"Please choose both the month and the day."},
			kept:     []string{`value="4"`, `value="Oslo"`},
		},
		{
			name:     "not a leap year",
			form:     []string{"birthday_month", "2", "birthday_day", "29", "birthday_year", "1991"},
			problems: []string{"1991 had no February 29."},
			kept:     []string{`value="1991"`},
		},
		{
			name:     "future or short year",
			form:     []string{"birthday_month", "1", "birthday_day", "1", "birthday_year", "2099"},
			problems: []string{"Please enter the year with four digits"},
		},
		{
			name:     "unknown interest",
			form:     []string{"interests", "crypto", "interests", "pets"},
			problems: []string{"Please choose from the list."},
			kept:     []string{`value="pets" checked`},
		},
		{
			name:     "long text",
			form:     []string{"country", strings.Repeat("x", 101)},
			problems: []string{"Please keep this under 100 characters."},
		},
		{
			name:     "nothing answered",
			form:     []string{"city", "  "},
			problems: []string{"Please answer at least one question."},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupPages(t)
			resp, body := b.do(http.MethodPost, "/survey", surveyForm(b.signer.Sign(annClaims), tc.form...))
			require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
			require.Contains(t, body, `class="alert"`)
			for _, p := range tc.problems {
				require.Contains(t, body, p)
			}
			for _, k := range tc.kept {
				require.Contains(t, body, k)
			}
			require.NotContains(t, body, "Lyon <3", "typed values are escaped")
			require.Empty(t, b.pub.all())
		})
	}
}

func TestSurveyRefusals(t *testing.T) {
	t.Parallel()
	b := setupPages(t)
	tok := b.signer.Sign(annClaims)
	resp, _ := b.do(http.MethodPost, "/survey", surveyForm(tok[:len(tok)-2]+"AA", "city", "Lyon"))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "tampered token")
	resp, _ = b.do(http.MethodPost, "/survey", surveyForm("", "city", "Lyon"))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "no token")
	require.Empty(t, b.pub.all())

	b.pub.fail(errors.New("nats: no responders"))
	resp, body := b.do(http.MethodPost, "/survey", surveyForm(tok, "city", "Lyon"))
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, body, "Please try again in a minute.")
	require.Contains(t, body, `value="Lyon"`, "the answers stay in the form")
	require.NotContains(t, body, "no responders")
}

var (
	birthdayRE = regexp.MustCompile(`^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`)
	interestRE = regexp.MustCompile(`^(new_arrivals|sales|gifts|fashion|beauty|home|outdoors|tech|kids|pets|food|other)(,(new_arrivals|sales|gifts|fashion|beauty|home|outdoors|tech|kids|pets|food|other))*$`)
)

// FuzzSurveyForm posts any form body: the answer is never a 500, and a
// published survey holds only well-formed answers.
func FuzzSurveyForm(f *testing.F) {
	f.Add("birthday_month=7&birthday_day=14&birthday_year=1990&household_size=3&city=Lyon&country=France&interests=gifts&interests=other&interests_other=Knit")
	f.Add("birthday_month=2&birthday_day=29")
	f.Add("birthday_month=13&birthday_day=0")
	f.Add("household_size=-1&city=%00")
	f.Add("interests=gifts&interests=gifts")
	f.Add("city=%ff%fe")
	f.Add("%zz")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		b := setupPages(t)
		tok := url.QueryEscape(b.signer.Sign(annClaims))
		req := "t=" + tok + "&" + body
		resp, page := b.doRaw(http.MethodPost, "/survey", req)
		require.Contains(t, []int{http.StatusOK, http.StatusBadRequest, http.StatusUnprocessableEntity}, resp.StatusCode)
		sent := b.pub.all()
		if resp.StatusCode != http.StatusOK {
			require.Empty(t, sent)
			return
		}
		require.Contains(t, page, "Thank you")
		require.Len(t, sent, 1)
		sv, ok := sent[0].ev.Data.(*event.Survey)
		require.True(t, ok)
		require.NotEmpty(t, sv.Answers)
		for k, v := range sv.Answers {
			require.NotEmpty(t, v, k)
			switch k {
			case "birthday":
				require.Regexp(t, birthdayRE, v)
			case "household_size":
				n, err := strconv.Atoi(v)
				require.NoError(t, err)
				require.True(t, n >= 1 && n <= 20)
			case "interests":
				require.Regexp(t, interestRE, v)
			case "city", "country", "interests_other":
				require.LessOrEqual(t, len([]rune(v)), 100)
				require.Equal(t, strings.TrimSpace(v), v)
			default:
				t.Fatalf("unexpected answer %q", k)
			}
		}
	})
}
