package redis

import (
	"context"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// Dates indexes customers by the days their dates fall on, and keeps each
// shop's set of customers, for the daily date.reached job.
type Dates struct {
	client goredis.UniversalClient
	keys   Keys
}

// NewDates returns the index on client.
func NewDates(client goredis.UniversalClient, keys Keys) *Dates {
	return &Dates{client: client, keys: keys}
}

// DateMove moves one customer's date of a kind from one day to another;
// an empty From adds, an empty To removes.
type DateMove struct {
	Kind     string
	From, To string // "MM-DD"
}

// Update applies moves for a customer and, when isNew, adds it to the
// shop's customers, in one round trip.
func (d *Dates) Update(ctx context.Context, shop, customer string, isNew bool, moves []DateMove) error {
	if !isNew && len(moves) == 0 {
		return nil
	}
	pipe := d.client.Pipeline()
	if isNew {
		pipe.SAdd(ctx, d.keys.ShopCustomers(shop), customer)
	}
	for _, m := range moves {
		member := m.Kind + "|" + customer
		if m.From != "" {
			pipe.SRem(ctx, d.keys.DateIndex(shop, m.From), member)
		}
		if m.To != "" {
			pipe.SAdd(ctx, d.keys.DateIndex(shop, m.To), member)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("updating the date index: %w", err)
	}
	return nil
}

// DateEntry is one customer's date on a day.
type DateEntry struct{ Kind, Customer string }

// On lists the dates that fall on mmdd.
func (d *Dates) On(ctx context.Context, shop, mmdd string) ([]DateEntry, error) {
	members, err := d.client.SMembers(ctx, d.keys.DateIndex(shop, mmdd)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading the date index: %w", err)
	}
	out := make([]DateEntry, 0, len(members))
	for _, m := range members {
		kind, cust, ok := strings.Cut(m, "|")
		if ok {
			out = append(out, DateEntry{Kind: kind, Customer: cust})
		}
	}
	return out, nil
}

// Customers calls fn with batches of a shop's customer keys until fn
// returns an error or the set is exhausted.
func (d *Dates) Customers(ctx context.Context, shop string, fn func([]string) error) error {
	var cursor uint64
	for {
		keys, next, err := d.client.SScan(ctx, d.keys.ShopCustomers(shop), cursor, "", 1000).Result()
		if err != nil {
			return fmt.Errorf("reading a shop's customers: %w", err)
		}
		if len(keys) > 0 {
			if err := fn(keys); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}
