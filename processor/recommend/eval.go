package recommend

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxLineBytes bounds one line of a basket file.
const MaxLineBytes = 1 << 20

// A LineError is a malformed line of a basket file.
type LineError struct {
	Line int    // 1-based
	Msg  string // what is wrong
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ReadBaskets reads a basket file: one basket a line, its item ids separated
// by commas, no header, no quoting. Ids are taken verbatim (spaces included);
// an empty line is an empty basket. A line ending in CRLF and a UTF-8 byte
// order mark are accepted. An empty id, an id twice in one basket, invalid
// UTF-8, a control character or a line over MaxLineBytes is a *LineError.
func ReadBaskets(r io.Reader) ([][]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes+2)
	var out [][]string
	line := 0
	seen := map[string]struct{}{}
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
		}
		b = bytes.TrimSuffix(b, []byte("\r"))
		if len(b) > MaxLineBytes {
			return nil, &LineError{line, fmt.Sprintf("longer than %d bytes", MaxLineBytes)}
		}
		if len(b) == 0 {
			out = append(out, nil)
			continue
		}
		if !utf8.Valid(b) {
			return nil, &LineError{line, "not valid UTF-8"}
		}
		basket := make([]string, 0, bytes.Count(b, []byte(","))+1)
		clear(seen)
		for n, f := range bytes.Split(b, []byte(",")) {
			if len(f) == 0 {
				return nil, &LineError{line, fmt.Sprintf("item %d is empty", n+1)}
			}
			if bytes.ContainsFunc(f, unicode.IsControl) {
				return nil, &LineError{line, fmt.Sprintf("item %d has a control character", n+1)}
			}
			id := string(f)
			if _, dup := seen[id]; dup {
				return nil, &LineError{line, fmt.Sprintf("item %q appears twice", id)}
			}
			seen[id] = struct{}{}
			basket = append(basket, id)
		}
		out = append(out, basket)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &LineError{line + 1, fmt.Sprintf("longer than %d bytes", MaxLineBytes)}
		}
		return nil, fmt.Errorf("reading baskets: %w", err)
	}
	return out, nil
}

// Result is an offline evaluation: hit rates at K of the popularity baseline
// and of the model over Cases held-out items.
type Result struct {
	Cases int      `json:"cases"`
	K     int      `json:"k"`
	HR    HitRates `json:"hr"`
}

// HitRates are the shares of cases whose held-out item is in the top K.
type HitRates struct {
	Popularity float64 `json:"popularity"`
	Model      float64 `json:"model"`
}

// Eval builds a model with the default Config from train and evaluates it on
// test as EvalModel does. k < 1 means 10.
func Eval(train, test [][]string, k int) Result {
	m := newModel(defaultConfig)
	for _, b := range train {
		m.Add(b, time.Time{})
	}
	return EvalModel(m, test, k)
}

// EvalModel evaluates m on test baskets: in each, the last item is held out
// and the others are the query; baskets with fewer than two items are no
// cases. A case is a hit for the model when the held-out item is among
// Recommend(query, nil, k, nil), and for the baseline when it is among the k
// most popular products outside the query (the model's padding). k < 1 means
// 10.
func EvalModel(m *Model, test [][]string, k int) Result {
	if k < 1 {
		k = 10
	}
	res := Result{K: k}
	var hitPop, hitModel int
	for _, b := range test {
		if len(b) < 2 {
			continue
		}
		res.Cases++
		query, held := b[:len(b)-1], b[len(b)-1]
		if contains(m.Recommend(nil, query, k, nil), held) {
			hitPop++
		}
		if contains(m.Recommend(query, nil, k, nil), held) {
			hitModel++
		}
	}
	if res.Cases > 0 {
		res.HR.Popularity = float64(hitPop) / float64(res.Cases)
		res.HR.Model = float64(hitModel) / float64(res.Cases)
	}
	return res
}

func contains(list []Scored, id string) bool {
	for _, s := range list {
		if s.ID == id {
			return true
		}
	}
	return false
}
