package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"
)

// Eraser carries out uninstall and redact requests (ARCHITECTURE.md
// invariant 10): it stops a shop's runs and timers, and erases a customer's
// or a whole shop's data. It keeps the suppression list, so an address that
// opted out is never mailed again, and the aggregate figures (co-purchase
// counts, flow statistics hold no personal data) until the shop itself is
// erased.
type Eraser struct {
	client goredis.UniversalClient
	keys   Keys
	timers *Timers
}

// NewEraser returns the eraser on client.
func NewEraser(client goredis.UniversalClient, keys Keys, timers *Timers) *Eraser {
	return &Eraser{client: client, keys: keys, timers: timers}
}

// stopRuns cancels the timers of a customer's active runs and removes the
// runs; it returns how many it stopped.
func (e *Eraser) stopRuns(ctx context.Context, shop, customer string) (int, error) {
	runs, err := e.client.HGetAll(ctx, e.keys.CustomerRuns(shop, customer)).Result()
	if err != nil {
		return 0, fmt.Errorf("reading runs: %w", err)
	}
	var ids []string
	for _, raw := range runs {
		var r struct {
			Wait *struct {
				TimerID string `json:"timer_id"`
			} `json:"wait"`
		}
		if json.Unmarshal([]byte(raw), &r) == nil && r.Wait != nil && r.Wait.TimerID != "" {
			ids = append(ids, r.Wait.TimerID)
		}
	}
	if len(ids) > 0 {
		if err := e.timers.CancelMany(ctx, ids); err != nil {
			return 0, err
		}
	}
	if err := e.client.Del(ctx, e.keys.CustomerRuns(shop, customer)).Err(); err != nil {
		return 0, fmt.Errorf("removing runs: %w", err)
	}
	return len(runs), nil
}

// EraseCustomer removes everything Boomerang keeps about one customer of a
// shop: profile, runs (their timers cancelled), history, recent sends,
// idempotency records, date-index entries and outbox messages. to lists
// the customer's addresses, whose outbox messages go too.
func (e *Eraser) EraseCustomer(ctx context.Context, shop, customer string, to []string) error {
	if _, err := e.stopRuns(ctx, shop, customer); err != nil {
		return err
	}
	// Every key of the customer shares its hash tag.
	if err := e.unlinkMatching(ctx, e.keys.prefix()+":"+e.keys.customerTag(shop, customer)+":*"); err != nil {
		return err
	}
	if err := e.client.SRem(ctx, e.keys.ShopCustomers(shop), customer).Err(); err != nil {
		return fmt.Errorf("removing from the shop's customers: %w", err)
	}
	if err := e.forgetDates(ctx, shop, map[string]bool{customer: true}); err != nil {
		return err
	}
	return e.forgetOutbox(ctx, shop, to)
}

// StopShop stops every run of a shop and cancels its timers (the app was
// uninstalled), keeping the data until the shop is redacted, and marks the
// shop uninstalled. It returns how many runs it stopped.
func (e *Eraser) StopShop(ctx context.Context, shop string) (int, error) {
	if err := e.client.SAdd(ctx, e.keys.UninstalledShops(), shop).Err(); err != nil {
		return 0, fmt.Errorf("marking the shop uninstalled: %w", err)
	}
	stopped := 0
	err := e.eachCustomer(ctx, shop, func(c string) error {
		n, err := e.stopRuns(ctx, shop, c)
		stopped += n
		return err
	})
	return stopped, err
}

// EraseShop removes all of a shop's data: every customer's, its date index,
// catalogue, co-purchase counts, flow figures, outbox, suppression list,
// data exports and installed record.
func (e *Eraser) EraseShop(ctx context.Context, shop string) error {
	if _, err := e.StopShop(ctx, shop); err != nil {
		return err
	}
	err := e.eachCustomer(ctx, shop, func(c string) error {
		return e.unlinkMatching(ctx, e.keys.prefix()+":"+e.keys.customerTag(shop, c)+":*")
	})
	if err != nil {
		return err
	}
	p := e.keys.prefix()
	for _, pattern := range []string{
		p + ":{d:" + shop + "}:*", p + ":{s:" + shop + "}:*", p + ":{p:" + shop + "}:*",
		p + ":{r:" + shop + "}:*", p + ":{f:" + shop + "}:*", p + ":{o:" + shop + "}:*",
		p + ":{x:" + shop + "}:*", // data exports (export.go)
	} {
		if err := e.unlinkMatching(ctx, pattern); err != nil {
			return err
		}
	}
	return e.client.HDel(ctx, e.keys.InstalledShops(), shop).Err()
}

func (e *Eraser) eachCustomer(ctx context.Context, shop string, fn func(string) error) error {
	return NewDates(e.client, e.keys).Customers(ctx, shop, func(keys []string) error {
		for _, c := range keys {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	})
}

// unlinkMatching removes the keys matching pattern.
func (e *Eraser) unlinkMatching(ctx context.Context, pattern string) error {
	return UnlinkMatching(ctx, e.client, pattern)
}

// UnlinkMatching removes the keys matching pattern: SCAN (on a Redis
// Cluster, every master's unless the pattern names one hash tag), then one
// UNLINK a key, 500 to a pipeline (in a Redis Cluster the keys may span
// slots).
func UnlinkMatching(ctx context.Context, client goredis.UniversalClient, pattern string) error {
	pipe := client.Pipeline()
	flush := func() error {
		if pipe.Len() == 0 {
			return nil
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("erasing keys: %w", err)
		}
		return nil
	}
	err := scanMatching(ctx, client, pattern, func(key string) error {
		pipe.Unlink(ctx, key)
		if pipe.Len() == 500 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// scanMatching calls fn with every key matching pattern, one call at a
// time. On a Redis Cluster, a pattern with a literal hash tag is scanned on
// the master of the tag's slot (go-redis routes it there), any other on
// every master: a cluster client's plain SCAN asks one node only.
func scanMatching(ctx context.Context, client goredis.UniversalClient, pattern string, fn func(key string) error) error {
	scan := func(ctx context.Context, c goredis.Cmdable, fn func(string) error) error {
		iter := c.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			if err := fn(iter.Val()); err != nil {
				return err
			}
		}
		if err := iter.Err(); err != nil {
			return fmt.Errorf("finding keys matching %q: %w", pattern, err)
		}
		return nil
	}
	cc, ok := client.(*goredis.ClusterClient)
	if !ok || literalHashTag(pattern) {
		return scan(ctx, client, fn)
	}
	var mu sync.Mutex
	return cc.ForEachMaster(ctx, func(ctx context.Context, node *goredis.Client) error {
		return scan(ctx, node, func(key string) error {
			mu.Lock()
			defer mu.Unlock()
			return fn(key)
		})
	})
}

// literalHashTag reports whether every key matching pattern has the same
// hash tag: the pattern has one ({...}, not empty) with no glob character
// before its end.
func literalHashTag(pattern string) bool {
	i := strings.IndexByte(pattern, '{')
	if i < 0 {
		return false
	}
	j := strings.IndexByte(pattern[i+1:], '}')
	return j > 0 && !strings.ContainsAny(pattern[:i+1+j], `*?[\`)
}

// forgetDates removes the customers from every day of the shop's date
// index.
func (e *Eraser) forgetDates(ctx context.Context, shop string, customers map[string]bool) error {
	return scanMatching(ctx, e.client, e.keys.prefix()+":{d:"+shop+"}:dates:*", func(key string) error {
		members, err := e.client.SMembers(ctx, key).Result()
		if err != nil {
			return err
		}
		for _, m := range members {
			if _, c, ok := strings.Cut(m, "|"); ok && customers[c] {
				if err := e.client.SRem(ctx, key, m).Err(); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// forgetOutbox removes the outbox messages sent to any of the addresses.
func (e *Eraser) forgetOutbox(ctx context.Context, shop string, to []string) error {
	if len(to) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, a := range to {
		want[strings.ToLower(strings.TrimSpace(a))] = true
	}
	msgs, err := e.client.HGetAll(ctx, e.keys.OutboxMessages(shop)).Result()
	if err != nil {
		return fmt.Errorf("reading the outbox: %w", err)
	}
	for id, raw := range msgs {
		var m struct {
			To string `json:"to"`
		}
		if json.Unmarshal([]byte(raw), &m) != nil || !want[strings.ToLower(m.To)] {
			continue
		}
		pipe := e.client.TxPipeline()
		pipe.HDel(ctx, e.keys.OutboxMessages(shop), id)
		pipe.ZRem(ctx, e.keys.Outbox(shop), id)
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("erasing an outbox message: %w", err)
		}
	}
	return nil
}
