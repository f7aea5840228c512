package predict_test

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"

	"github.com/boomerang-dev/boomerang/processor/predict"
)

func TestSummarizeMatchesCDNOWSummary(t *testing.T) {
	t.Parallel()
	txs, err := predict.ReadTransactions(strings.NewReader(cdnowTransactionsCSV(t)))
	require.NoError(t, err)
	require.Len(t, txs, 6919)
	got, err := predict.Summarize(txs, predict.SummaryConfig{CalibrationEnd: cdnowCalibrationEnd, HoldoutEnd: cdnowHoldoutEnd})
	require.NoError(t, err)
	want := cdnowSummaries(t)
	require.Len(t, got, len(want))
	byID := map[string]predict.Summary{}
	for _, s := range got {
		byID[s.CustomerID] = s
	}
	var sumX, repeaters, holdout, holdoutX0 float64
	var spend []float64
	for _, w := range want {
		g, ok := byID[w.CustomerID]
		require.True(t, ok, w.CustomerID)
		// The summary file rounds t_x, T and zbar to 2 decimals.
		require.InDelta(t, w.X, g.X, 0, w.CustomerID)
		require.InDelta(t, w.TX, g.TX, 0.005+1e-9, w.CustomerID)
		require.InDelta(t, w.T, g.T, 0.005+1e-9, w.CustomerID)
		require.InDelta(t, w.MeanSpend, g.MeanSpend, 0.005+1e-9, w.CustomerID)
		sumX += g.X
		holdout += g.HoldoutX
		if g.X > 0 {
			repeaters++
			spend = append(spend, g.MeanSpend)
		} else {
			holdoutX0 += g.HoldoutX
		}
	}
	// SOURCE.md: 946 repeaters, Σx = 2,457, 1,882 holdout repeat days of which 334 by x = 0 customers.
	require.InDelta(t, 946.0, repeaters, 0)
	require.InDelta(t, 2457.0, sumX, 0)
	require.InDelta(t, 1882.0, holdout, 0)
	require.InDelta(t, 334.0, holdoutX0, 0)

	// FHL 2005b via lifetimes test_utils.py:352, rounded to whole dollars: mean 35, std 30, min 3,
	// median 27, max 300 over the 946 repeaters.
	sort.Float64s(spend)
	mean, std := stat.MeanStdDev(spend, nil)
	require.InDelta(t, 35, math.Round(mean), 0)
	require.InDelta(t, 30, math.Round(std), 0)
	require.InDelta(t, 3, math.Round(spend[0]), 0)
	require.InDelta(t, 27, math.Round(stat.Quantile(0.5, stat.LinInterp, spend, nil)), 0)
	require.InDelta(t, 300, math.Round(spend[len(spend)-1]), 0)
}

func TestSummarizeMergesDaysAndMeasuresInTheUnit(t *testing.T) {
	t.Parallel()
	d := func(s string) time.Time { v, err := predict.ParseDate(s); require.NoError(t, err); return v }
	txs := []predict.Transaction{
		{CustomerID: "a", Date: d("2026-01-01"), Amount: 10},
		{CustomerID: "a", Date: d("2026-01-08"), Amount: 5},
		{CustomerID: "a", Date: d("20260108"), Amount: 7},
		{CustomerID: "a", Date: d("2026-01-15"), Amount: 3},
		{CustomerID: "a", Date: d("2026-02-01"), Amount: 3},
		{CustomerID: "b", Date: d("2026-01-29"), Amount: 1},
		{CustomerID: "c", Date: d("2026-02-02"), Amount: 1},
	}
	got, err := predict.Summarize(txs, predict.SummaryConfig{CalibrationEnd: d("2026-01-29"), Unit: predict.Day})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "a", got[0].CustomerID)
	require.InDelta(t, 2.0, got[0].X, 0)
	require.InDelta(t, 14.0, got[0].TX, 0)
	require.InDelta(t, 28.0, got[0].T, 0)
	require.InDelta(t, 7.5, got[0].MeanSpend, 1e-12)
	require.InDelta(t, 1.0, got[0].HoldoutX, 0)
	require.InDelta(t, 0.0, got[1].T, 0)

	_, err = predict.Summarize(txs, predict.SummaryConfig{})
	require.ErrorIs(t, err, predict.ErrBadConfig)
	_, err = predict.Summarize(txs, predict.SummaryConfig{CalibrationEnd: d("2026-01-29"), Unit: "month"})
	require.ErrorIs(t, err, predict.ErrBadConfig)
}

func TestReadTransactionsRejectsBadInput(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"",
		"id,date,amount\n",
		"customer_id,date,amount\n,2026-01-01,1\n",
		"customer_id,date,amount\na,2026-13-01,1\n",
		"customer_id,date,amount\na,2026-01-01,x\n",
		"customer_id,date,amount\na,2026-01-01,-1\n",
		"customer_id,date,amount\na,2026-01-01\n",
	} {
		_, err := predict.ReadTransactions(strings.NewReader(in))
		require.ErrorIs(t, err, predict.ErrBadTransactions, "%q", in)
	}
	txs, err := predict.ReadTransactions(strings.NewReader("customer_id,date,amount\r\na, 19970101 ,29.33\r\n"))
	require.NoError(t, err)
	require.Equal(t, []predict.Transaction{{CustomerID: "a", Date: time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC), Amount: 29.33}}, txs)
}

func FuzzReadTransactions(f *testing.F) {
	f.Add("customer_id,date,amount\n00001,19970101,29.33\n00001,1997-01-18,29.73\n")
	f.Add("customer_id,date,amount\r\n1,2026-01-01,0\r\n")
	f.Add("customer_id,date,amount\n\"a,b\",20260101,1e3\n")
	f.Fuzz(func(t *testing.T, in string) {
		txs, err := predict.ReadTransactions(strings.NewReader(in))
		if err != nil {
			require.ErrorIs(t, err, predict.ErrBadTransactions)
			return
		}
		for _, tx := range txs {
			require.NotEmpty(t, tx.CustomerID)
			require.False(t, math.IsNaN(tx.Amount) || math.IsInf(tx.Amount, 0) || tx.Amount < 0)
		}
		if len(txs) == 0 {
			return
		}
		s, err := predict.Summarize(txs, predict.SummaryConfig{CalibrationEnd: txs[0].Date.AddDate(0, 0, 1)})
		require.NoError(t, err, fmt.Sprint(txs))
		for _, c := range s {
			require.True(t, c.X >= 0 && c.TX >= 0 && c.TX <= c.T && c.MeanSpend >= 0)
		}
	})
}
