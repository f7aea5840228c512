package cli

import (
	"context"
	"encoding/json"
	"math/big"
	"sort"
	"strings"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows"
)

// flowReport is one flow in GET /api/v1/flows.
type flowReport struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Version     int     `json:"version"`
	Trigger     string  `json:"trigger"`
	Enabled     bool    `json:"enabled"`
	Sends       int64   `json:"sends"`
	Conversions int64   `json:"conversions"`
	Revenue     string  `json:"revenue"`
	Rate        float64 `json:"conversion_rate"`
	// Arms are the split arms ("step=arm") with their figures.
	Arms []armReport `json:"arms,omitempty"`
	// Splits are decided split tests by step: the winner and its figures.
	Splits map[string]json.RawMessage `json:"splits,omitempty"`
}

type armReport struct {
	Split       string  `json:"split"`
	Sends       int64   `json:"sends"`
	Conversions int64   `json:"conversions"`
	Revenue     string  `json:"revenue"`
	Rate        float64 `json:"conversion_rate"`
}

// flowsReport lists a shop's flows with sends, attributed conversions and
// revenue, per split arm, and the split tests decided.
func flowsReport(set *flows.Set, shops *shop.Registry, stats *redis.FlowStats) func(context.Context, string) (any, error) {
	return func(ctx context.Context, shopID string) (any, error) {
		all, err := stats.All(ctx, shopID)
		if err != nil {
			return nil, err
		}
		decisions, err := stats.Decisions(ctx, shopID)
		if err != nil {
			return nil, err
		}
		var cfg *shop.Shop
		if s, ok := shops.Get(shopID); ok {
			cfg = s
		}
		out := []flowReport{}
		for _, p := range set.All() {
			f := p.Flow
			r := flowReport{ID: f.ID, Name: f.Name, Version: f.Version, Trigger: p.Trigger.Event, Revenue: "0.00"}
			r.Enabled = f.Enabled == nil || *f.Enabled
			if cfg != nil {
				r.Enabled = shopConfig(cfg).FlowOn(f)
			}
			if ff := all[f.ID]; ff != nil {
				r.Sends, r.Conversions, r.Revenue, r.Rate = ff.Sends, ff.Conversions, orZeroMoney(ff.Revenue), rate(ff.Conversions, ff.Sends)
				for split, fig := range ff.Arms {
					r.Arms = append(r.Arms, armReport{
						Split: split, Sends: fig.Sends, Conversions: fig.Conversions,
						Revenue: orZeroMoney(fig.Revenue), Rate: rate(fig.Conversions, fig.Sends),
					})
				}
				sort.Slice(r.Arms, func(i, j int) bool { return r.Arms[i].Split < r.Arms[j].Split })
			}
			for k, v := range decisions {
				if flow, step, ok := strings.Cut(k, "|"); ok && flow == f.ID {
					if r.Splits == nil {
						r.Splits = map[string]json.RawMessage{}
					}
					r.Splits[step] = json.RawMessage(v)
				}
			}
			out = append(out, r)
		}
		return map[string]any{"shop": shopID, "flows": out}, nil
	}
}

func rate(conversions, sends int64) float64 {
	if sends == 0 {
		return 0
	}
	f, _ := new(big.Rat).SetFrac64(conversions, sends).Float64()
	return f
}

func orZeroMoney(s string) string {
	if s == "" {
		return "0.00"
	}
	return s
}
