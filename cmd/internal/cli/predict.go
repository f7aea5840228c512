package cli

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/boomerang-dev/boomerang/processor/predict"
)

// predictInput is what `predict fit` and `predict score` share: the
// transactions file and how to split and measure it.
type predictInput struct {
	file, calibrationEnd, holdoutEnd, unit string
}

func (in *predictInput) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&in.file, "transactions", "", "CSV with header customer_id,date,amount (date YYYY-MM-DD or YYYYMMDD); - reads standard input")
	cmd.Flags().StringVar(&in.calibrationEnd, "calibration-end", "", "last day of the calibration period, YYYY-MM-DD (inclusive)")
	cmd.Flags().StringVar(&in.holdoutEnd, "holdout-end", "", "last day of the holdout period, YYYY-MM-DD (inclusive); optional")
	cmd.Flags().StringVar(&in.unit, "unit", string(predict.Week), "time unit of t_x, T and the parameters: week or day")
}

// predictData is the input read, summarised and fitted.
type predictData struct {
	cfg       predict.SummaryConfig
	summaries []predict.Summary
	models    predict.Models
	paretoErr error
	mbgErr    error
	// comparison is the holdout comparison that chose models.Churn; nil
	// without --holdout-end.
	comparison *predict.Comparison
}

// horizon is the holdout's length in the unit; 0 without one.
func (d *predictData) horizon() float64 {
	if d.cfg.HoldoutEnd.IsZero() {
		return 0
	}
	return d.cfg.HoldoutEnd.Sub(d.cfg.CalibrationEnd).Hours() / 24 / d.cfg.Unit.Days()
}

// chooseChurn sets the model P(alive) comes from: with a holdout, the one
// Comparison.Choose picks; without, predict.DefaultChurnModel. A model that
// did not fit is passed over (MBG/NBD, then BG/NBD, stand in).
func (d *predictData) chooseChurn() {
	if d.horizon() > 0 && d.mbgErr == nil {
		c := predict.Compare(d.models, d.summaries, d.horizon())
		d.comparison, d.models.Churn = &c, c.Choose()
		return
	}
	fits := map[predict.ChurnModel]bool{predict.ChurnParetoNBD: d.paretoErr == nil, predict.ChurnMBGNBD: d.mbgErr == nil}
	for _, c := range []predict.ChurnModel{predict.DefaultChurnModel, predict.ChurnMBGNBD, predict.ChurnParetoNBD} {
		if fits[c] {
			d.models.Churn = c
			return
		}
	}
	d.models.Churn = predict.ChurnBGNBD
}

// warn prints the fits that failed on w.
func (d *predictData) warn(w io.Writer) {
	for _, err := range []error{d.paretoErr, d.mbgErr} {
		if err != nil {
			fmt.Fprintln(w, "warning:", err)
		}
	}
}

func (in *predictInput) load(stdio IO) (*predictData, error) {
	if in.file == "" || in.calibrationEnd == "" {
		return nil, &exitError{2, errors.New("--transactions and --calibration-end are required")}
	}
	cfg := predict.SummaryConfig{Unit: predict.Unit(in.unit)}
	var err error
	if cfg.CalibrationEnd, err = predict.ParseDate(in.calibrationEnd); err != nil {
		return nil, &exitError{2, fmt.Errorf("--calibration-end: %w", err)}
	}
	if in.holdoutEnd != "" {
		if cfg.HoldoutEnd, err = predict.ParseDate(in.holdoutEnd); err != nil {
			return nil, &exitError{2, fmt.Errorf("--holdout-end: %w", err)}
		}
	}
	if cfg.Unit != predict.Week && cfg.Unit != predict.Day {
		return nil, &exitError{2, fmt.Errorf("--unit %q: want week or day", in.unit)}
	}
	r := stdio.Stdin
	if in.file != "-" {
		f, err := os.Open(in.file)
		if err != nil {
			return nil, &exitError{1, fmt.Errorf("opening transactions: %w", err)}
		}
		defer f.Close()
		r = f
	}
	txs, err := predict.ReadTransactions(r)
	if err != nil {
		return nil, &exitError{1, fmt.Errorf("%s: %w", in.file, err)}
	}
	s, err := predict.Summarize(txs, cfg)
	if err != nil {
		return nil, &exitError{2, err}
	}
	d := &predictData{cfg: cfg, summaries: s, models: predict.Models{Unit: cfg.Unit}}
	if d.models.BGNBD, err = predict.FitBGNBD(s); err != nil {
		return nil, &exitError{1, err}
	}
	if d.models.GammaGamma, err = predict.FitGammaGamma(s); err != nil {
		return nil, &exitError{1, err}
	}
	d.models.ParetoNBD, d.paretoErr = predict.FitParetoNBD(s)
	d.models.HasParetoNBD = d.paretoErr == nil
	d.models.MBGNBD, d.mbgErr = predict.FitMBGNBD(s)
	d.chooseChurn()
	return d, nil
}

// fitOutput is the JSON `predict fit` prints (a stable contract).
type fitOutput struct {
	Customers  int                `json:"customers"`
	Repeaters  int                `json:"repeaters"`
	BGNBD      predict.BGNBD      `json:"bgnbd"`
	GammaGamma predict.GammaGamma `json:"gamma_gamma"`
	ParetoNBD  *predict.ParetoNBD `json:"pareto_nbd,omitempty"`
	Holdout    *holdoutOutput     `json:"holdout,omitempty"`
	MBGNBD     *predict.MBGNBD    `json:"mbg_nbd,omitempty"`
	// Models and Chosen come with a holdout: each model's predictions
	// against it, and the model churn risk comes from.
	Models *predict.Comparison `json:"models,omitempty"`
	Chosen predict.ChurnModel  `json:"chosen,omitempty"`
}

type holdoutOutput struct {
	Predicted float64 `json:"predicted"`
	Actual    float64 `json:"actual"`
}

func newPredict(stdio IO) *cobra.Command {
	// `boomerang predict` alone runs the predict role (predictrole.go);
	// fit and score are the model library's commands.
	cmd := newServe(stdio, rolePredict, "Run the predict role: nightly and on-demand model refits, prediction.updated for band moves "+
		"(needs NATS_URL and REDIS_URL); fit and score work on a CSV of transactions")
	cmd.AddCommand(newPredictFit(stdio), newPredictScore(stdio))
	return cmd
}

func newPredictFit(stdio IO) *cobra.Command {
	var in predictInput
	cmd := &cobra.Command{
		Use:   "fit --transactions FILE --calibration-end DATE [--holdout-end DATE] [--unit week|day]",
		Short: "Fit the models to transactions and print their parameters as JSON",
		Long: `fit reads transactions (CSV customer_id,date,amount), merges each customer's same-day
orders, keeps the customers whose first order is on or before --calibration-end, fits
BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma by maximum likelihood and prints one JSON
object: customers, repeaters, bgnbd {r, alpha, a, b, ll}, gamma_gamma {p, q, gamma, ll},
pareto_nbd {r, alpha, s, beta, ll}, mbg_nbd {r, alpha, a, b, ll} and, with --holdout-end:
holdout {predicted, actual}: the BG/NBD expected repeat order days between the two dates
summed over the customers, against the order days that happened;
models {bgnbd, mbg_nbd, pareto_nbd}, each {predicted, actual, mae, auc, log_loss, ll}: the
model's summed and per-customer (mean absolute error) expectations against the holdout,
how well its P(alive) ranks the customers who ordered in the holdout above those who did
not (auc), the log loss of its probability of at least one holdout order, and its
calibration log-likelihood; and chosen: the model churn risk comes from (mbg_nbd or
pareto_nbd, by auc; docs/predictions.md).`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			d, err := in.load(stdio)
			if err != nil {
				return err
			}
			out := fitOutput{Customers: len(d.summaries), BGNBD: d.models.BGNBD, GammaGamma: d.models.GammaGamma}
			d.warn(stdio.Stderr)
			if d.paretoErr == nil {
				out.ParetoNBD = &d.models.ParetoNBD
			}
			if d.mbgErr == nil {
				out.MBGNBD = &d.models.MBGNBD
			}
			var h holdoutOutput
			horizon := d.horizon()
			for _, c := range d.summaries {
				if c.X > 0 {
					out.Repeaters++
				}
				if horizon > 0 {
					h.Predicted += d.models.BGNBD.ConditionalExpectedPurchases(horizon, c.X, c.TX, c.T)
					h.Actual += c.HoldoutX
				}
			}
			if horizon > 0 {
				out.Holdout = &h
				if d.comparison != nil {
					out.Models, out.Chosen = d.comparison, d.models.Churn
				}
			}
			enc := json.NewEncoder(stdio.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	in.flags(cmd)
	return cmd
}

// scoreHeader is the CSV header `predict score` prints (a stable contract).
var scoreHeader = []string{
	"customer_id", "x", "t_x", "T", "p_alive", "churn_risk", "churn_band",
	"expected_orders_365", "clv_365", "next_order_at",
}

func newPredictScore(stdio IO) *cobra.Command {
	var in predictInput
	cmd := &cobra.Command{
		Use:   "score --transactions FILE --calibration-end DATE [--holdout-end DATE] [--unit week|day]",
		Short: "Fit the models and print each customer's predictions as CSV",
		Long: `score fits the models as fit does and prints one CSV row per customer, as of the
calibration end: ` + fmt.Sprint(scoreHeader) + `.

p_alive comes from the model fit prints as "chosen" when --holdout-end is given, else from
Pareto/NBD, the default (MBG/NBD when Pareto/NBD does not fit); never from BG/NBD, which
keeps every one-time buyer alive forever, unless nothing else fits. churn_risk is
1 − p_alive, banded low < 0.33 ≤ medium < 0.66 ≤ high. expected_orders_365 is BG/NBD's;
clv_365 multiplies it month by month with the Gamma-Gamma expected spend, discounted 10% a
year. next_order_at is the day by which one order is expected, empty when that is more
than 365 days away.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			d, err := in.load(stdio)
			if err != nil {
				return err
			}
			d.warn(stdio.Stderr)
			return writeScores(stdio.Stdout, d)
		},
	}
	in.flags(cmd)
	return cmd
}

func writeScores(w io.Writer, d *predictData) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(scoreHeader); err != nil {
		return fmt.Errorf("writing scores: %w", err)
	}
	num := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	var err error
	d.models.ScoreEach(d.summaries, d.cfg.CalibrationEnd, func(_ int, s *predict.Score) {
		if err != nil {
			return
		}
		next := ""
		if !s.NextOrderAt.IsZero() {
			next = s.NextOrderAt.Format(time.DateOnly)
		}
		err = cw.Write([]string{
			s.CustomerID, num(s.X, -1), num(s.TX, -1), num(s.T, -1),
			num(s.PAlive, 6), num(s.ChurnRisk, 6), string(s.ChurnBand),
			num(s.ExpectedOrders365, 6), num(s.CLV365, 2), next,
		})
	})
	if err != nil {
		return fmt.Errorf("writing scores: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing scores: %w", err)
	}
	return nil
}
