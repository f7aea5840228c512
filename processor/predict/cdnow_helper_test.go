package predict_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/predict"
)

// cdnowDir is where CI keeps the CDNOW reference data: shared/ beside the checkout.
const cdnowDir = "../../../shared/data/cdnow"

func cdnowFile(t *testing.T, name string) []byte {
	t.Helper()
	p := filepath.Join(cdnowDir, name)
	b, err := os.ReadFile(p)
	require.NoError(t, err, "the CDNOW reference data is missing: %s must exist (shared/ beside the checkout, see shared/data/cdnow/SOURCE.md)", p)
	return b
}

// cdnowSummaries reads cdnow_customers_summary_with_transactions.csv (ID,x,t_x,T,zbar).
func cdnowSummaries(t *testing.T) []predict.Summary {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(cdnowFile(t, "cdnow_customers_summary_with_transactions.csv")))
	recs, err := r.ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"ID", "x", "t_x", "T", "zbar"}, recs[0])
	out := make([]predict.Summary, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		f := make([]float64, 4)
		for i := range f {
			f[i], err = strconv.ParseFloat(rec[i+1], 64)
			require.NoError(t, err)
		}
		out = append(out, predict.Summary{CustomerID: rec[0], X: f[0], TX: f[1], T: f[2], MeanSpend: f[3]})
	}
	require.Len(t, out, 2357)
	return out
}

// cdnowTransactionsCSV turns CDNOW_sample.txt (master id, sample id, YYYYMMDD,
// CDs, dollars; whitespace, CRLF, no header) into the CLI's CSV.
func cdnowTransactionsCSV(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("customer_id,date,amount\n")
	sc := bufio.NewScanner(bytes.NewReader(cdnowFile(t, "CDNOW_sample.txt")))
	n := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		require.Len(t, f, 5)
		id, err := strconv.Atoi(f[1]) // the sample id, zero-padded here, plain in the summary files
		require.NoError(t, err)
		b.WriteString(strconv.Itoa(id) + "," + f[2] + "," + f[4] + "\n")
		n++
	}
	require.NoError(t, sc.Err())
	require.Equal(t, 6919, n)
	return b.String()
}

var (
	cdnowCalibrationEnd = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
	cdnowHoldoutEnd     = time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC)
)

// Published and reference parameters (SOURCE.md).
var (
	bgPublished = predict.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	bgMLE       = predict.BGNBD{R: 0.242593, Alpha: 4.413532, A: 0.792886, B: 2.425753}
	ggPublished = predict.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
	pnbdBTYD    = predict.ParetoNBD{R: 0.5534, Alpha: 10.5802, S: 0.6061, Beta: 11.6562}
)
