package recommend_test

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/recommend"
)

// dataDir is where CI keeps the reference data: shared/ beside the checkout.
const dataDir = "../../../shared/data"

// split is one SOURCE.md protocol: train baskets, and test lines with the
// held-out item last (the `recommend eval` format).
type split struct {
	train, test [][]string
	baskets     int // before the split
	items       int // distinct
	sizes       int // Σ basket sizes
}

func openData(t *testing.T, name string) *os.File {
	t.Helper()
	p := filepath.Join(dataDir, name)
	f, err := os.Open(p)
	require.NoError(t, err, "the reference data is missing: %s must exist (shared/ beside the checkout, see its SOURCE.md)", p)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// groceriesSplit follows shared/data/groceries/SOURCE.md: basket index % 5 == 0
// is test; every item of a test basket with at least two items is held out in
// turn, the others being the query.
func groceriesSplit(t *testing.T) split {
	t.Helper()
	baskets, err := recommend.ReadBaskets(openData(t, "groceries/groceries.csv"))
	require.NoError(t, err)
	s := split{baskets: len(baskets)}
	items := map[string]bool{}
	for i, b := range baskets {
		s.sizes += len(b)
		for _, id := range b {
			items[id] = true
		}
		if i%5 != 0 {
			s.train = append(s.train, b)
			continue
		}
		if len(b) < 2 {
			continue
		}
		for h := range b {
			line := make([]string, 0, len(b))
			line = append(line, b[:h]...)
			line = append(line, b[h+1:]...)
			s.test = append(s.test, append(line, b[h]))
		}
	}
	s.items = len(items)
	return s
}

var retail struct {
	once sync.Once
	s    split
	err  error
}

// retailSplit follows shared/data/online-retail/SOURCE.md: drop C invoices,
// Quantity ≤ 0, UnitPrice ≤ 0 and StockCodes not starting with a digit; a
// basket is an invoice's distinct StockCodes; invoices sorted by number, index
// % 5 == 0 is test, and its held-out item is the one at index % size of the
// sorted basket. Read once for the package's tests.
func retailSplit(t *testing.T) split {
	t.Helper()
	f := openData(t, "online-retail/onlineretail.csv.gz")
	retail.once.Do(func() { retail.s, retail.err = readRetail(f) })
	require.NoError(t, retail.err)
	return retail.s
}

func readRetail(r io.Reader) (split, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return split{}, err
	}
	cr := csv.NewReader(gz)
	cr.FieldsPerRecord = 8
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return split{}, err
	}
	if !slices.Equal(head, []string{"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"}) {
		return split{}, errors.New("unexpected header")
	}
	invoices := map[string]map[string]struct{}{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return split{}, err
		}
		inv, code := rec[0], rec[1]
		if inv == "" || inv[0] == 'C' || code == "" || code[0] < '0' || code[0] > '9' {
			continue
		}
		q, err := strconv.Atoi(rec[3])
		if err != nil {
			return split{}, err
		}
		p, err := strconv.ParseFloat(rec[5], 64)
		if err != nil {
			return split{}, err
		}
		if q <= 0 || p <= 0 {
			continue
		}
		b := invoices[inv]
		if b == nil {
			b = map[string]struct{}{}
			invoices[inv] = b
		}
		b[code] = struct{}{}
	}
	nums := make([]string, 0, len(invoices))
	for inv := range invoices {
		nums = append(nums, inv)
	}
	slices.Sort(nums)
	s := split{baskets: len(nums)}
	items := map[string]bool{}
	for i, inv := range nums {
		b := make([]string, 0, len(invoices[inv]))
		for code := range invoices[inv] {
			b = append(b, code)
			items[code] = true
		}
		s.sizes += len(b)
		slices.Sort(b)
		if i%5 != 0 {
			s.train = append(s.train, b)
			continue
		}
		if len(b) < 2 {
			continue
		}
		h := i % len(b)
		line := make([]string, 0, len(b))
		line = append(line, b[:h]...)
		line = append(line, b[h+1:]...)
		s.test = append(s.test, append(line, b[h]))
	}
	s.items = len(items)
	return s, nil
}

// zeroTime is the order time of the protocols' baskets, which have none.
var zeroTime time.Time
