package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// groceriesEvalFiles writes shared/data/groceries/groceries.csv (shared/ beside
// the checkout) as SOURCE.md's protocol: the train file holds the baskets
// whose index % 5 != 0; the test file one line per held-out item of the other
// baskets with at least two items, that item last.
func groceriesEvalFiles(t *testing.T) (train, test string) {
	t.Helper()
	p := filepath.Join("..", "..", "..", "..", "shared", "data", "groceries", "groceries.csv")
	raw, err := os.ReadFile(p)
	require.NoError(t, err, "the Groceries reference data is missing: %s must exist (shared/ beside the checkout)", p)
	var tr, te strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		if i%5 != 0 {
			tr.WriteString(line + "\n")
			continue
		}
		items := strings.Split(line, ",")
		if len(items) < 2 {
			continue
		}
		for h := range items {
			query := make([]string, 0, len(items))
			query = append(query, items[:h]...)
			query = append(query, items[h+1:]...)
			te.WriteString(strings.Join(append(query, items[h]), ",") + "\n")
		}
	}
	dir := t.TempDir()
	train, test = filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv")
	require.NoError(t, os.WriteFile(train, []byte(tr.String()), 0o600))
	require.NoError(t, os.WriteFile(test, []byte(te.String()), 0o600))
	return train, test
}

type evalOutput struct {
	Cases int `json:"cases"`
	K     int `json:"k"`
	HR    struct {
		Popularity float64 `json:"popularity"`
		Model      float64 `json:"model"`
	} `json:"hr"`
}

func TestRecommendEvalOnGroceries(t *testing.T) {
	t.Parallel()
	train, test := groceriesEvalFiles(t)
	code, out, errOut := run(t, []string{"recommend", "eval", "--train", train, "--test", test}, "", nil)
	require.Equal(t, 0, code, errOut)
	var got evalOutput
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	require.Equal(t, 8359, got.Cases)
	require.Equal(t, 10, got.K)
	require.InDelta(t, 0.3727, got.HR.Popularity, 0.0005) // SOURCE.md's popularity baseline
	require.Greater(t, got.HR.Model, 0.3890)              // SOURCE.md's best co-purchase baseline
	t.Logf("%s", out)
}

func TestRecommendEvalFromStandardInput(t *testing.T) {
	t.Parallel()
	train := filepath.Join(t.TempDir(), "train.csv")
	require.NoError(t, os.WriteFile(train, []byte("a,b\na,b\nc,d\nc,d\ne\ne\ne\n"), 0o600))
	code, out, errOut := run(t, []string{"recommend", "eval", "--train", train, "--test", "-", "--k", "2"},
		"a,b\r\nc,d\ne\n\na,zz\nq,r,e\n", nil)
	require.Equal(t, 0, code, errOut)
	require.JSONEq(t, `{"cases": 4, "k": 2, "hr": {"popularity": 0.5, "model": 0.75}}`, out)
}

func TestRecommendEvalErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	require.NoError(t, os.WriteFile(good, []byte("a,b\n"), 0o600))
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("a,b\nc\nd,,e\n"), 0o600))
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--train", good}, 2, "--train and --test are required"},
		{[]string{"--test", good}, 2, "--train and --test are required"},
		{[]string{"--train", "-", "--test", "-"}, 2, "only one of --train and --test"},
		{[]string{"--train", good, "--test", good, "--k", "0"}, 2, "--k 0: want at least 1"},
		{[]string{"--train", good, "--test", bad}, 1, bad + ":3: item 2 is empty"},
		{[]string{"--train", "-", "--test", good}, 1, "<stdin>:1: item \"x\" appears twice"},
		{[]string{"--train", filepath.Join(dir, "missing.csv"), "--test", good}, 1, "opening baskets"},
		{[]string{"--train", good, "--test", good, "extra"}, 1, "unknown command"},
	} {
		code, out, errOut := run(t, append([]string{"recommend", "eval"}, tc.args...), "x,y,x\n", nil)
		require.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		require.Contains(t, errOut, tc.msg, "%v", tc.args)
		require.Empty(t, out)
	}
}
