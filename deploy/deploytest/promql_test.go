package deploytest_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// promqlSelector is a metric named in a PromQL expression, with the text of
// its label matchers between the braces ("" when it has none).
type promqlSelector struct {
	name     string
	matchers string
}

// errPromQL is returned for an expression promqlSelectors cannot read.
var errPromQL = errors.New("unreadable PromQL")

// promqlAggregations and promqlKeywords are the words of PromQL that are not
// metric names even when no parenthesis follows them.
var (
	promqlAggregations = map[string]bool{
		"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
		"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
		"limitk": true, "limit_ratio": true,
	}
	promqlKeywords = map[string]bool{
		"and": true, "or": true, "unless": true, "atan2": true, "bool": true, "offset": true,
		"inf": true, "nan": true,
	}
	// promqlLabelLists are the modifiers followed by a parenthesised list of
	// label names.
	promqlLabelLists = map[string]bool{
		"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	}
)

// promqlSelectors returns the metric selectors of expr, in order: every
// identifier that is not a function or aggregation, a keyword, a label name
// (in braces or in a by/without/on/ignoring/group_left/group_right list), a
// number, a duration, a string or a Grafana variable ($name, ${name},
// [[name]]). It is a lexer, not a full parser: enough to list the metrics an
// expression reads. It refuses what it cannot read: an unterminated string,
// unbalanced brackets, and a selector by __name__ (which would hide the
// metric from the checks).
func promqlSelectors(expr string) ([]promqlSelector, error) {
	var out []promqlSelector
	parens := 0
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case isSpace(c):
			i++
		case c == '#': // a comment, to the end of the line
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || c == '`':
			end, err := skipString(expr, i)
			if err != nil {
				return nil, err
			}
			i = end
		case c == '{': // matchers without a metric name
			body, end, err := braces(expr, i)
			if err != nil {
				return nil, err
			}
			if strings.Contains(body, "__name__") {
				return nil, fmt.Errorf("%w: a selector by __name__ at offset %d: name the metric", errPromQL, i)
			}
			i = end
		case c == '[': // a range, a subquery or a [[variable]]
			end, err := brackets(expr, i)
			if err != nil {
				return nil, err
			}
			i = end
		case c == '$':
			i = skipVariable(expr, i)
		case c == '(':
			parens++
			i++
		case c == ')':
			if parens--; parens < 0 {
				return nil, fmt.Errorf("%w: unbalanced ) at offset %d", errPromQL, i)
			}
			i++
		case c == '}' || c == ']':
			return nil, fmt.Errorf("%w: unbalanced %c at offset %d", errPromQL, c, i)
		case isDigit(c) || c == '.' && i+1 < len(expr) && isDigit(expr[i+1]):
			// a number (1, 0.5, 1e3, 0x1f) or a duration (5m, 1h30m)
			for i < len(expr) && (isIdentChar(expr[i]) || expr[i] == '.') {
				i++
			}
		case isIdentStart(c):
			j := i
			for j < len(expr) && isIdentChar(expr[j]) {
				j++
			}
			word, lower := expr[i:j], strings.ToLower(expr[i:j]) // PromQL's words ignore case
			i = j
			next := i
			for next < len(expr) && isSpace(expr[next]) {
				next++
			}
			followedBy := func(b byte) bool { return next < len(expr) && expr[next] == b }
			switch {
			case promqlLabelLists[lower]:
				if followedBy('(') {
					end := strings.IndexByte(expr[next:], ')')
					if end < 0 {
						return nil, fmt.Errorf("%w: unterminated label list after %s", errPromQL, word)
					}
					i = next + end + 1
				}
			case promqlAggregations[lower], promqlKeywords[lower], followedBy('('):
				// an aggregation, a keyword or a function call
			default:
				sel := promqlSelector{name: word}
				if followedBy('{') {
					body, end, err := braces(expr, next)
					if err != nil {
						return nil, err
					}
					sel.matchers, i = body, end
				}
				out = append(out, sel)
			}
		default: // an operator or other punctuation
			i++
		}
	}
	if parens != 0 {
		return nil, fmt.Errorf("%w: %d unclosed (", errPromQL, parens)
	}
	return out, nil
}

// skipString returns the offset after the string literal starting at i.
func skipString(s string, i int) (int, error) {
	quote := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && quote != '`':
			j++
		case s[j] == quote:
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("%w: unterminated string at offset %d", errPromQL, i)
}

// braces returns the text between the '{' at i and its '}', and the offset
// after the '}'.
func braces(s string, i int) (body string, end int, err error) {
	for j := i + 1; j < len(s); {
		switch s[j] {
		case '"', '\'', '`':
			if j, err = skipString(s, j); err != nil {
				return "", 0, err
			}
		case '{':
			return "", 0, fmt.Errorf("%w: { inside the matchers at offset %d", errPromQL, j)
		case '}':
			return s[i+1 : j], j + 1, nil
		default:
			j++
		}
	}
	return "", 0, fmt.Errorf("%w: unterminated { at offset %d", errPromQL, i)
}

// brackets returns the offset after the ']' matching the '[' at i.
func brackets(s string, i int) (int, error) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '[':
			depth++
		case ']':
			if depth--; depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("%w: unterminated [ at offset %d", errPromQL, i)
}

// skipVariable returns the offset after the Grafana variable at i ($name or
// ${name} or ${name:format}).
func skipVariable(s string, i int) int {
	if i+1 < len(s) && s[i+1] == '{' {
		if end := strings.IndexByte(s[i:], '}'); end >= 0 {
			return i + end + 1
		}
		return len(s)
	}
	j := i + 1
	for j < len(s) && isIdentChar(s[j]) {
		j++
	}
	return j
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

// grafanaVar is a Grafana variable reference: $name, ${name}, ${name:format}
// or [[name]].
var grafanaVar = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)(?::[A-Za-z0-9_]+)?\}|\$([A-Za-z0-9_]+)|\[\[([A-Za-z0-9_]+)\]\]`)

// grafanaVars returns the names of the Grafana variables s refers to.
func grafanaVars(s string) []string {
	var out []string
	for _, m := range grafanaVar.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1]+m[2]+m[3])
	}
	return out
}

func TestPromQLSelectors(t *testing.T) {
	t.Parallel()
	type sel = promqlSelector
	cases := map[string][]sel{
		`up`: {{name: "up"}},
		`max(jetstream_stream_total_messages{stream_name="DLQ"}) > 0`: {{"jetstream_stream_total_messages", `stream_name="DLQ"`}},
		`histogram_quantile(0.99, sum by (namespace, le) (rate(boomerang_timer_lateness_seconds_bucket[5m]))) > 0.5`: {
			{name: "boomerang_timer_lateness_seconds_bucket"},
		},
		`sum(rate(a_total{x=~"a|b}"}[$__rate_interval])) by (le) / on(pod) group_left(node) b_info`: {
			{"a_total", `x=~"a|b}"`}, {name: "b_info"},
		},
		`sum without (pod) (c) and ignoring (x) d unless bool e or f offset 1h @ start()`: {
			{name: "c"}, {name: "d"}, {name: "e"}, {name: "f"},
		},
		"max(x{namespace=~\"$namespace\"})\n# a comment naming not_a_metric\n- y{a='it\\'s'} * Inf + NaN": {
			{"x", `namespace=~"$namespace"`}, {"y", `a='it\'s'`},
		},
		`label_replace(rate(m[5m:1m]), "dst", "$1", "src", "(.*)") * ${scale} + [[legacy]] * 1e-3 * 0x1f`: {{name: "m"}},
		`record:rule_name:sum{a="b"}`: {{"record:rule_name:sum", `a="b"`}},
		`topk(3, sum by(x)(y))`:       {{name: "y"}},
		`SUM BY (x) (z) AND w`:        {{name: "z"}, {name: "w"}},
		`{job="x"}`:                   nil,
		``:                            nil,
	}
	for expr, want := range cases {
		got, err := promqlSelectors(expr)
		require.NoError(t, err, expr)
		require.Equal(t, want, got, expr)
	}
	for _, bad := range []string{
		`sum(rate(x[5m])`, `x)`, `x{a="b"`, `x{a="b}`, `rate(x[5m)`, `x}`, `{__name__="boomerang_x"}`,
		`sum by (a`, "x{a=`b}", `x{a={}}`,
	} {
		_, err := promqlSelectors(bad)
		require.ErrorIs(t, err, errPromQL, bad)
	}
}

func TestGrafanaVars(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"namespace", "__rate_interval", "datasource", "pod", "old"},
		grafanaVars(`x{namespace=~"$namespace"}[$__rate_interval] ${datasource} ${pod:regex} [[old]] $ 5`))
}

var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

func FuzzPromQLSelectors(f *testing.F) {
	for _, s := range []string{
		`histogram_quantile(0.99, sum by (le) (rate(boomerang_timer_lateness_seconds_bucket[5m]))) > 0.5`,
		`max by (stream_name, consumer_name) (jetstream_consumer_num_pending{consumer_name=~"processor|sender"}) > 1000`,
		`sum(rate(x{a="$b"}[$__rate_interval])) / on(pod) group_left y offset 1h`,
		`{__name__="x"}`, `x{a="`, "`", `[[[`, `$`, `${`, `(((`, `a:b:c{d='e\'f'}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		sels, err := promqlSelectors(expr)
		if err != nil {
			require.ErrorIs(t, err, errPromQL)
			return
		}
		for _, s := range sels {
			require.Regexp(t, metricName, s.name)
			require.Contains(t, expr, s.name)
			require.Contains(t, expr, s.matchers)
			lower := strings.ToLower(s.name)
			require.False(t, promqlAggregations[lower] || promqlLabelLists[lower] || promqlKeywords[lower],
				"%q is a PromQL word, not a metric", s.name)
		}
	})
}
