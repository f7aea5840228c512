package cli

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/processor"
)

func TestSplitTestIsDecidedAndReported(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	ctx := context.Background()
	store := redis.NewFlowStats(env.Client, keys)
	fs := newFlowStats(store, zap.NewNop())
	for range 600 {
		require.NoError(t, fs.Sent(ctx, &processor.SendCommand{Shop: "demo", Flow: "welcome-series", Split: "subject=a"}))
		require.NoError(t, fs.Sent(ctx, &processor.SendCommand{Shop: "demo", Flow: "welcome-series", Split: "subject=b"}))
	}
	conv := func(arm string) processor.Conversion {
		return processor.Conversion{Shop: "demo", Flow: "welcome-series", Split: "subject=" + arm, Revenue: "10.00", At: time.Now()}
	}
	require.NoError(t, fs.Converted(ctx, conv("a")))
	_, decided := fs.Winner(ctx, "demo", "welcome-series", "subject")
	require.False(t, decided, "1 of 600 against 0 of 600 decides nothing")
	fs.cache = map[string]splitCache{} // drop the cached answer
	for range 30 {
		require.NoError(t, fs.Converted(ctx, conv("b")))
	}
	fs.cache = map[string]splitCache{}
	arm, decided := fs.Winner(ctx, "demo", "welcome-series", "subject")
	require.True(t, decided)
	require.Equal(t, "b", arm, "30 of 600 against 1 of 600")

	set, err := loadFlows("")
	require.NoError(t, err)
	reg, err := shop.NewRegistry(shop.Demo("s"))
	require.NoError(t, err)
	v, err := flowsReport(set, reg, store)(ctx, "demo")
	require.NoError(t, err)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var got struct {
		Flows []struct {
			ID          string  `json:"id"`
			Enabled     bool    `json:"enabled"`
			Sends       int64   `json:"sends"`
			Conversions int64   `json:"conversions"`
			Revenue     string  `json:"revenue"`
			Rate        float64 `json:"conversion_rate"`
			Arms        []struct {
				Split       string `json:"split"`
				Sends       int64  `json:"sends"`
				Conversions int64  `json:"conversions"`
			} `json:"arms"`
			Splits map[string]struct {
				Winner string `json:"winner"`
			} `json:"splits"`
		} `json:"flows"`
	}
	require.NoError(t, json.Unmarshal(b, &got))
	byID := map[string]int{}
	for i, f := range got.Flows {
		byID[f.ID] = i
	}
	w := got.Flows[byID["welcome-series"]]
	require.Equal(t, int64(1200), w.Sends)
	require.Equal(t, int64(31), w.Conversions)
	require.Equal(t, "310.00", w.Revenue)
	require.InDelta(t, 31.0/1200, w.Rate, 1e-9)
	require.Len(t, w.Arms, 2)
	require.Equal(t, "b", w.Splits["subject"].Winner)
	require.False(t, got.Flows[byID["smart-abandonment"]].Enabled, "ships switched off")
	require.True(t, got.Flows[byID["abandoned-checkout"]].Enabled)
}
