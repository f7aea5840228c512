package cli

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/abtest"
)

// flowStats wires redis.FlowStats to the engine (conversions, split
// winners) and the senders (sends), and decides split tests by abtest's
// rule after each conversion.
type flowStats struct {
	stats *redis.FlowStats
	log   *zap.Logger
	now   func() time.Time

	mu    sync.Mutex
	cache map[string]splitCache // by shop
}

type splitCache struct {
	at      time.Time
	winners map[string]string // "flow|step" → arm
}

// splitCacheFor is how long a shop's decisions are cached: a new decision
// reaches every replica within it.
const splitCacheFor = 30 * time.Second

func newFlowStats(s *redis.FlowStats, log *zap.Logger) *flowStats {
	return &flowStats{stats: s, log: log, now: time.Now, cache: map[string]splitCache{}}
}

// Sent counts a message sent (or kept in the dev outbox, which stands for
// a send).
func (f *flowStats) Sent(ctx context.Context, c *processor.SendCommand) error {
	return f.stats.Sent(ctx, c.Shop, c.Flow, c.Split)
}

// Converted counts an attributed order, then decides the flow's split
// tests that the rule can decide now.
func (f *flowStats) Converted(ctx context.Context, c processor.Conversion) error {
	if err := f.stats.Converted(ctx, c.Shop, c.Flow, c.Split, c.Revenue); err != nil {
		return err
	}
	if c.Split == "" {
		return nil
	}
	all, err := f.stats.All(ctx, c.Shop)
	if err != nil {
		return err
	}
	ff := all[c.Flow]
	if ff == nil {
		return nil
	}
	for step, arms := range armsByStep(ff.Arms) {
		d, ok := abtest.Decide(arms, 0, 0)
		if !ok {
			continue
		}
		d.Winner = strings.TrimPrefix(d.Winner, step+"=")
		b, err := json.Marshal(struct {
			abtest.Decision
			DecidedAt time.Time `json:"decided_at"`
		}{d, f.now().UTC()})
		if err != nil {
			return err
		}
		if first, err := f.stats.Decide(ctx, c.Shop, c.Flow, step, b); err != nil {
			return err
		} else if first {
			f.log.Info("split test decided", zap.String("shop", c.Shop), zap.String("flow", c.Flow),
				zap.String("step", step), zap.String("winner", d.Winner), zap.Float64("p_best", d.PBest))
		}
	}
	return nil
}

// armsByStep groups "step=arm" figures by step.
func armsByStep(figs map[string]redis.Figures) map[string][]abtest.Arm {
	out := map[string][]abtest.Arm{}
	keys := make([]string, 0, len(figs))
	for k := range figs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		step, _, ok := strings.Cut(k, "=")
		if !ok {
			continue
		}
		out[step] = append(out[step], abtest.Arm{Name: k, Sends: figs[k].Sends, Conversions: figs[k].Conversions})
	}
	return out
}

// Winner returns a decided split's arm (cached per shop briefly).
func (f *flowStats) Winner(ctx context.Context, shop, flow, step string) (string, bool) {
	f.mu.Lock()
	c, ok := f.cache[shop]
	f.mu.Unlock()
	if !ok || f.now().Sub(c.at) > splitCacheFor {
		c = splitCache{at: f.now(), winners: map[string]string{}}
		m, err := f.stats.Decisions(ctx, shop)
		if err != nil {
			f.log.Warn("reading split decisions; the weights apply meanwhile", zap.Error(err))
		}
		for k, v := range m {
			var d abtest.Decision
			if json.Unmarshal([]byte(v), &d) == nil && d.Winner != "" {
				c.winners[k] = d.Winner
			}
		}
		f.mu.Lock()
		f.cache[shop] = c
		f.mu.Unlock()
	}
	arm, ok := c.winners[flow+"|"+step]
	return arm, ok
}
