package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// CoPurchase keeps a shop's co-purchase counts as orders arrive: per item,
// how many orders held it, and with which other items; and per day, which
// items sold, for popularity over a window.
type CoPurchase struct {
	client goredis.UniversalClient
	keys   Keys
}

// NewCoPurchase returns the store on client.
func NewCoPurchase(client goredis.UniversalClient, keys Keys) *CoPurchase {
	return &CoPurchase{client: client, keys: keys}
}

// popularityDays is how long a day's popularity set is kept.
const popularityDays = 91

// maxBasket bounds the items of one order that count (a wholesale order of
// 500 lines would add 250,000 pairs).
const maxBasket = 40

// Observe counts one order's distinct items, bought at at.
func (c *CoPurchase) Observe(ctx context.Context, shop string, items []string, at time.Time) error {
	if len(items) == 0 {
		return nil
	}
	if len(items) > maxBasket {
		items = items[:maxBasket]
	}
	day := c.keys.Popularity(shop, at.UTC().Format("20060102"))
	pipe := c.client.Pipeline()
	for i, a := range items {
		pipe.HIncrBy(ctx, c.keys.ItemOrders(shop), a, 1)
		pipe.ZIncrBy(ctx, day, 1, a)
		for j, b := range items {
			if i != j {
				pipe.HIncrBy(ctx, c.keys.CoPurchase(shop, a), b, 1)
			}
		}
	}
	pipe.Expire(ctx, day, popularityDays*24*time.Hour)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("counting an order's items: %w", err)
	}
	return nil
}

// Neighbours returns, for each query item, the items bought with it and how
// often, and the order counts of the query items and of every neighbour.
func (c *CoPurchase) Neighbours(ctx context.Context, shop string, query []string) (co map[string]map[string]int64, orders map[string]int64, err error) {
	pipe := c.client.Pipeline()
	cmds := make([]*goredis.MapStringStringCmd, len(query))
	for i, q := range query {
		cmds[i] = pipe.HGetAll(ctx, c.keys.CoPurchase(shop, q))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("reading co-purchases: %w", err)
	}
	co = map[string]map[string]int64{}
	want := map[string]bool{}
	for i, q := range query {
		want[q] = true
		m := map[string]int64{}
		for item, v := range cmds[i].Val() {
			n, err := strconv.ParseInt(v, 10, 64)
			if err == nil && n > 0 {
				m[item] = n
				want[item] = true
			}
		}
		co[q] = m
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	orders = map[string]int64{}
	if len(ids) == 0 {
		return co, orders, nil
	}
	vals, err := c.client.HMGet(ctx, c.keys.ItemOrders(shop), ids...).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("reading item counts: %w", err)
	}
	for i, v := range vals {
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				orders[ids[i]] = n
			}
		}
	}
	return co, orders, nil
}

// Popular returns up to n items by orders over the days days ending on
// now's day, most first.
func (c *CoPurchase) Popular(ctx context.Context, shop string, now time.Time, days, n int) ([]string, error) {
	keys := make([]string, days)
	for i := range days {
		keys[i] = c.keys.Popularity(shop, now.UTC().AddDate(0, 0, -i).Format("20060102"))
	}
	zs, err := c.client.ZUnionWithScores(ctx, goredis.ZStore{Keys: keys}).Result()
	if err != nil {
		return nil, fmt.Errorf("reading popularity: %w", err)
	}
	// ZUNION returns ascending scores; most popular first, ties by id.
	out := make([]string, 0, min(n, len(zs)))
	for i := len(zs) - 1; i >= 0 && len(out) < n; i-- {
		if s, ok := zs[i].Member.(string); ok {
			out = append(out, s)
		}
	}
	return out, nil
}
