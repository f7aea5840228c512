package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// RecentSends records when each customer last got marketing per channel
// and priority, for smart sending.
type RecentSends struct {
	client goredis.UniversalClient
	keys   Keys
}

// NewRecentSends returns the store on client.
func NewRecentSends(client goredis.UniversalClient, keys Keys) *RecentSends {
	return &RecentSends{client: client, keys: keys}
}

// Record notes a marketing message sent at at.
func (r *RecentSends) Record(ctx context.Context, shop, customer, channel string, priority int, at time.Time) error {
	k := r.keys.CustomerSends(shop, customer)
	pipe := r.client.Pipeline()
	pipe.HSet(ctx, k, channel+":"+strconv.Itoa(priority), at.UnixMilli())
	pipe.Expire(ctx, k, 30*24*time.Hour)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("recording a send: %w", err)
	}
	return nil
}

// On returns the last marketing send per priority on channel.
func (r *RecentSends) On(ctx context.Context, shop, customer, channel string) (map[int]time.Time, error) {
	all, err := r.client.HGetAll(ctx, r.keys.CustomerSends(shop, customer)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading recent sends: %w", err)
	}
	return parseRecent(all, channel), nil
}

// parseRecent reads the recent-sends hash for one channel.
func parseRecent(all map[string]string, channel string) map[int]time.Time {
	out := map[int]time.Time{}
	for k, v := range all {
		ch, p, ok := strings.Cut(k, ":")
		if !ok || ch != channel {
			continue
		}
		prio, err1 := strconv.Atoi(p)
		ms, err2 := strconv.ParseInt(v, 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out[prio] = time.UnixMilli(ms).UTC()
	}
	return out
}
