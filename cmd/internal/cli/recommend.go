package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/boomerang-dev/boomerang/processor/recommend"
)

func newRecommend(stdio IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "recommend",
		Short: "Evaluate the co-purchase recommender on basket files",
	}
	cmd.AddCommand(newRecommendEval(stdio))
	return cmd
}

func newRecommendEval(stdio IO) *cobra.Command {
	var train, test string
	var k int
	cmd := &cobra.Command{
		Use:   "eval --train FILE --test FILE [--k 10]",
		Short: "Hit rate at k of the recommender and of popularity on held-out items, as JSON",
		Long: `eval reads two basket files: one basket a line, comma-separated item ids, no header
(ids are taken verbatim, spaces included). It builds the recommender (default settings,
docs/recommendations.md) from --train. In each --test basket the last item is held out
and the others are the query; candidates exclude the query; lines with fewer than two
items are not cases. It prints one JSON object: cases, k, and hr {popularity, model},
the share of cases whose held-out item is among the k products of the popularity
baseline and of the model. A malformed line is reported as FILE:LINE. Either file may be
- for standard input.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if train == "" || test == "" {
				return &exitError{2, errors.New("--train and --test are required")}
			}
			if train == "-" && test == "-" {
				return &exitError{2, errors.New("only one of --train and --test can be standard input")}
			}
			if k < 1 {
				return &exitError{2, fmt.Errorf("--k %d: want at least 1", k)}
			}
			tr, err := readBasketFile(stdio, train)
			if err != nil {
				return err
			}
			te, err := readBasketFile(stdio, test)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(stdio.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(recommend.Eval(tr, te, k))
		},
	}
	cmd.Flags().StringVar(&train, "train", "", "basket file the model learns from; - reads standard input")
	cmd.Flags().StringVar(&test, "test", "", "basket file of cases, the held-out item last; - reads standard input")
	cmd.Flags().IntVar(&k, "k", 10, "length of the recommendation lists")
	return cmd
}

// readBasketFile reads a basket file, reporting a malformed line as FILE:LINE.
func readBasketFile(stdio IO, path string) ([][]string, error) {
	r, name := stdio.Stdin, "<stdin>"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, &exitError{1, fmt.Errorf("opening baskets: %w", err)}
		}
		defer f.Close()
		r, name = f, path
	}
	baskets, err := recommend.ReadBaskets(r)
	if le, ok := errors.AsType[*recommend.LineError](err); ok {
		return nil, &exitError{1, fmt.Errorf("%s:%d: %s", name, le.Line, le.Msg)}
	}
	if err != nil {
		return nil, &exitError{1, fmt.Errorf("%s: %w", name, err)}
	}
	return baskets, nil
}
