package redis

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// FlowStats counts sends, attributed conversions and revenue per flow and
// split arm, and keeps split-test decisions. Counts are at most once:
// callers count after the fact they record, and a crash between the two
// loses a count rather than doubling one.
type FlowStats struct {
	client goredis.UniversalClient
	keys   Keys
}

// NewFlowStats returns the store on client.
func NewFlowStats(client goredis.UniversalClient, keys Keys) *FlowStats {
	return &FlowStats{client: client, keys: keys}
}

// revenueScale stores money as integer ten-thousandths: exact for every
// currency's minor units.
const revenueScale = 10000

// arms are the arm fields a count goes to: the flow's total and each split
// the run took.
func arms(split string) []string {
	out := []string{""}
	for p := range strings.SplitSeq(split, ",") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Sent counts one message of flow sent by a run that took split.
func (s *FlowStats) Sent(ctx context.Context, shop, flow, split string) error {
	pipe := s.client.Pipeline()
	for _, a := range arms(split) {
		pipe.HIncrBy(ctx, s.keys.FlowStats(shop), flow+"|"+a+"|s", 1)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("counting a send: %w", err)
	}
	return nil
}

// Converted counts one attributed order and its revenue (a decimal
// string; unreadable amounts count the order without revenue).
func (s *FlowStats) Converted(ctx context.Context, shop, flow, split, revenue string) error {
	var units int64
	if r, ok := new(big.Rat).SetString(strings.TrimSpace(revenue)); ok {
		r.Mul(r, big.NewRat(revenueScale, 1))
		units = new(big.Int).Quo(r.Num(), r.Denom()).Int64()
	}
	pipe := s.client.Pipeline()
	for _, a := range arms(split) {
		pipe.HIncrBy(ctx, s.keys.FlowStats(shop), flow+"|"+a+"|c", 1)
		if units != 0 {
			pipe.HIncrBy(ctx, s.keys.FlowStats(shop), flow+"|"+a+"|r", units)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("counting a conversion: %w", err)
	}
	return nil
}

// Figures are one flow's or arm's counts.
type Figures struct {
	Sends       int64
	Conversions int64
	// Revenue is a decimal string.
	Revenue string
}

// FlowFigures are a flow's totals and its arms' ("step=arm") figures.
type FlowFigures struct {
	Figures
	Arms map[string]Figures
}

// All returns every flow's figures in a shop.
func (s *FlowStats) All(ctx context.Context, shop string) (map[string]*FlowFigures, error) {
	raw, err := s.client.HGetAll(ctx, s.keys.FlowStats(shop)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading flow figures: %w", err)
	}
	out := map[string]*FlowFigures{}
	revenue := map[string]map[string]int64{}
	for field, v := range raw {
		parts := strings.Split(field, "|")
		if len(parts) != 3 {
			continue
		}
		flow, arm, what := parts[0], parts[1], parts[2]
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		ff := out[flow]
		if ff == nil {
			ff = &FlowFigures{Arms: map[string]Figures{}}
			out[flow] = ff
		}
		fig := ff.Figures
		if arm != "" {
			fig = ff.Arms[arm]
		}
		switch what {
		case "s":
			fig.Sends = n
		case "c":
			fig.Conversions = n
		case "r":
			if revenue[flow] == nil {
				revenue[flow] = map[string]int64{}
			}
			revenue[flow][arm] = n
		}
		if arm == "" {
			ff.Figures = fig
		} else {
			ff.Arms[arm] = fig
		}
	}
	for flow, ff := range out {
		ff.Revenue = decimal(revenue[flow][""])
		for arm, fig := range ff.Arms {
			fig.Revenue = decimal(revenue[flow][arm])
			ff.Arms[arm] = fig
		}
	}
	return out, nil
}

// decimal formats ten-thousandths as a decimal with two places at least.
func decimal(units int64) string {
	r := new(big.Rat).SetFrac64(units, revenueScale)
	s := r.FloatString(4)
	s = strings.TrimRight(s, "0")
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 < 2 {
		s += strings.Repeat("0", 2-(len(s)-i-1))
	}
	return s
}

// Decide records a split test's decision unless one exists; it reports
// whether this call decided.
func (s *FlowStats) Decide(ctx context.Context, shop, flow, step string, decision []byte) (bool, error) {
	ok, err := s.client.HSetNX(ctx, s.keys.SplitDecisions(shop), flow+"|"+step, decision).Result()
	if err != nil {
		return false, fmt.Errorf("recording a split decision: %w", err)
	}
	return ok, nil
}

// Decisions returns a shop's decided split tests: "flow|step" to the
// decision's JSON.
func (s *FlowStats) Decisions(ctx context.Context, shop string) (map[string]string, error) {
	m, err := s.client.HGetAll(ctx, s.keys.SplitDecisions(shop)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading split decisions: %w", err)
	}
	return m, nil
}
