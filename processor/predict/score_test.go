package predict_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/predict"
)

// requireSameScores checks ScoreAll against the reference Score customer by
// customer: every figure within 1e-9 relative, the band and the next order
// day equal.
func requireSameScores(t *testing.T, m predict.Models, cs []predict.Summary, asOf time.Time) {
	t.Helper()
	fast := m.ScoreAll(cs, asOf)
	require.Len(t, fast, len(cs))
	close := func(want, got float64) bool {
		return want == got || math.Abs(want-got) <= 1e-9*math.Max(math.Abs(want), math.Abs(got))
	}
	for i, c := range cs {
		want, got := m.Score(c, asOf), fast[i]
		msg := fmt.Sprintf("customer %d %+v churn %q", i, c, m.Churn)
		require.Equal(t, want.Summary, got.Summary, msg)
		require.True(t, close(want.PAlive, got.PAlive), "%s: P(alive) %v, fast %v", msg, want.PAlive, got.PAlive)
		require.True(t, close(want.ChurnRisk, got.ChurnRisk), "%s: churn risk %v, fast %v", msg, want.ChurnRisk, got.ChurnRisk)
		require.Equal(t, want.ChurnBand, got.ChurnBand, msg)
		require.True(t, close(want.ExpectedOrders365, got.ExpectedOrders365), "%s: orders %v, fast %v", msg, want.ExpectedOrders365, got.ExpectedOrders365)
		require.True(t, close(want.CLV365, got.CLV365), "%s: CLV %v, fast %v", msg, want.CLV365, got.CLV365)
		require.Equal(t, want.NextOrderAt, got.NextOrderAt, msg)
	}
}

func TestPredictScoreAllEqualsScoreOnCDNOW(t *testing.T) {
	t.Parallel()
	txs, err := predict.ReadTransactions(strings.NewReader(cdnowTransactionsCSV(t)))
	require.NoError(t, err)
	for _, unit := range []predict.Unit{predict.Week, predict.Day} {
		s, err := predict.Summarize(txs, predict.SummaryConfig{CalibrationEnd: cdnowCalibrationEnd, Unit: unit})
		require.NoError(t, err)
		bg, err := predict.FitBGNBD(s)
		require.NoError(t, err)
		gg, err := predict.FitGammaGamma(s)
		require.NoError(t, err)
		pn, err := predict.FitParetoNBD(s)
		require.NoError(t, err)
		mbg, err := predict.FitMBGNBD(s)
		require.NoError(t, err)
		for _, churn := range []predict.ChurnModel{"", predict.ChurnBGNBD, predict.ChurnMBGNBD, predict.ChurnParetoNBD} {
			m := predict.Models{BGNBD: bg, GammaGamma: gg, ParetoNBD: pn, HasParetoNBD: true, MBGNBD: mbg, Churn: churn, Unit: unit}
			requireSameScores(t, m, s, cdnowCalibrationEnd)
		}
	}
}

func TestPredictScoreAllEqualsScoreOnRandomInputs(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	var cs []predict.Summary
	for i := range 3000 {
		T := float64(r.IntN(800))
		x := float64(r.IntN(12))
		if r.IntN(4) == 0 {
			x = 0
		}
		if r.IntN(50) == 0 {
			x = float64(100 + r.IntN(900)) // Hardie's hard cases: large x
		}
		tx := 0.0
		if x > 0 {
			tx = float64(r.IntN(int(T) + 1))
		}
		c := predict.Summary{CustomerID: fmt.Sprint(i), X: x, TX: tx / 7, T: T / 7, MeanSpend: 5 + 100*r.Float64()}
		if r.IntN(10) == 0 { // not whole days
			c.T += r.Float64()
			c.TX = math.Min(c.TX+r.Float64(), c.T)
		}
		cs = append(cs, c)
	}
	cs = append(cs, predict.Summary{X: 1000, TX: 10, T: 100}, predict.Summary{}, predict.Summary{X: 3, TX: 5, T: 5})
	for _, churn := range []predict.ChurnModel{predict.ChurnBGNBD, predict.ChurnMBGNBD, predict.ChurnParetoNBD} {
		m := predict.Models{
			BGNBD: bgPublished, GammaGamma: ggPublished, ParetoNBD: pnbdBTYD, HasParetoNBD: true,
			MBGNBD: mbgLifetimes, Churn: churn,
		}
		requireSameScores(t, m, cs, cdnowCalibrationEnd)
	}
	// Other parameters: a small shop's MAP fit (a ≈ 0.27), in days.
	m := predict.Models{
		BGNBD:     predict.BGNBD{R: 0.8, Alpha: 40, A: 0.27, B: 3.6},
		ParetoNBD: predict.ParetoNBD{R: 0.9, Alpha: 30, S: 0.4, Beta: 90}, HasParetoNBD: true,
		GammaGamma: ggPublished, Unit: predict.Day,
	}
	requireSameScores(t, m, cs, cdnowCalibrationEnd)
	require.Empty(t, m.ScoreAll(nil, cdnowCalibrationEnd))
	// ScoreEach hands out the same scores, each customer once, in order.
	all, next := m.ScoreAll(cs, cdnowCalibrationEnd), 0
	m.ScoreEach(cs, cdnowCalibrationEnd, func(i int, s *predict.Score) {
		require.Equal(t, next, i)
		require.Equal(t, all[i], *s)
		next++
	})
	require.Equal(t, len(cs), next)
}

// BenchmarkScoreAll scores 1,000,000 simulated customers (whole days over
// 18 months, in weeks) with ScoreAll and churn from Pareto/NBD, the default;
// the target is 1,000,000 customers a second. It reports
// customers/s of wall time and, as the machine is shared, customers/cpu-s:
// per second of the process's CPU time (GC included).
func BenchmarkScoreAll(b *testing.B) {
	benchmarkScoreAll(b, predict.ChurnParetoNBD)
}

// BenchmarkScoreAllMBGNBD is BenchmarkScoreAll with churn from MBG/NBD.
func BenchmarkScoreAllMBGNBD(b *testing.B) {
	benchmarkScoreAll(b, predict.ChurnMBGNBD)
}

// BenchmarkScoreEach is BenchmarkScoreAll through ScoreEach with a consumer
// that keeps nothing: the scoring without the 176 bytes a customer that
// ScoreAll's result takes.
func BenchmarkScoreEach(b *testing.B) {
	var sum float64
	benchmarkScore(b, predict.ChurnParetoNBD, func(m predict.Models, s []predict.Summary) {
		m.ScoreEach(s, cdnowCalibrationEnd, func(_ int, sc *predict.Score) { sum += sc.CLV365 })
	})
	if sum <= 0 {
		b.Fatal("no CLV")
	}
}

// BenchmarkScoreOneByOne is BenchmarkScoreAll through the reference path,
// Score for each customer: the figure before ScoreAll.
func BenchmarkScoreOneByOne(b *testing.B) {
	benchmarkScore(b, predict.ChurnParetoNBD, func(m predict.Models, s []predict.Summary) {
		out := make([]predict.Score, len(s))
		for i, c := range s {
			out[i] = m.Score(c, cdnowCalibrationEnd)
		}
	})
}

func benchmarkScoreAll(b *testing.B, churn predict.ChurnModel) {
	b.Helper()
	benchmarkScore(b, churn, func(m predict.Models, s []predict.Summary) { _ = m.ScoreAll(s, cdnowCalibrationEnd) })
}

func benchmarkScore(b *testing.B, churn predict.ChurnModel, score func(predict.Models, []predict.Summary)) {
	b.Helper()
	s := simulate(1_000_000, bgPublished, ggPublished, 546, 3)
	m := predict.Models{
		BGNBD: bgPublished, GammaGamma: ggPublished, ParetoNBD: pnbdBTYD, HasParetoNBD: true,
		MBGNBD: mbgLifetimes, Churn: churn,
	}
	runtime.GC() // the simulation's garbage is not the scorer's
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		score(m, s)
	}
	n := float64(len(s)) * float64(b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "customers/s")
	b.ReportMetric(n/(cpuTime(b)-cpu0).Seconds(), "customers/cpu-s")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
