package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/processor"
)

// Store implements processor.StateStore on a redis.CustomerStore.
type Store struct {
	customers *redis.CustomerStore
}

var _ processor.StateStore = (*Store)(nil)

// New returns a Store.
func New(customers *redis.CustomerStore) *Store { return &Store{customers: customers} }

// Load implements processor.StateStore.
func (s *Store) Load(ctx context.Context, shop, customer, eventKey string) (*processor.State, error) {
	raw, err := s.customers.Load(ctx, shop, customer, eventKey)
	if err != nil {
		return nil, err
	}
	st := &processor.State{Version: raw.Version, Runs: map[string]*processor.Run{}}
	if raw.Profile != nil {
		st.Profile = &processor.Profile{}
		if err := json.Unmarshal(raw.Profile, st.Profile); err != nil {
			return nil, fmt.Errorf("decoding profile: %w", err)
		}
	}
	if raw.Exits != nil {
		if err := json.Unmarshal(raw.Exits, &st.Exits); err != nil {
			return nil, fmt.Errorf("decoding remembered events: %w", err)
		}
	}
	if raw.Reentry != nil {
		if err := json.Unmarshal(raw.Reentry, &st.Reentry); err != nil {
			return nil, fmt.Errorf("decoding reentry markers: %w", err)
		}
	}
	for id, b := range raw.Runs {
		r := &processor.Run{}
		if err := json.Unmarshal(b, r); err != nil {
			return nil, fmt.Errorf("decoding run %s: %w", id, err)
		}
		st.Runs[id] = r
	}
	if raw.Seen != nil {
		st.Seen = &processor.Effects{}
		if err := json.Unmarshal(raw.Seen, st.Seen); err != nil {
			return nil, fmt.Errorf("decoding idempotency record: %w", err)
		}
	}
	return st, nil
}

// Commit implements processor.StateStore. A concurrent duplicate that
// committed first is reported as a conflict: the engine reloads, finds the
// record and re-issues its effects.
func (s *Store) Commit(ctx context.Context, c *processor.Commit) error {
	rc := &redis.CustomerCommit{
		Shop: c.Shop, Customer: c.Customer, EventKey: c.EventKey, Version: c.Version,
		Runs: map[string][]byte{}, Finished: map[string][]byte{}, SeenTTL: c.SeenTTL,
	}
	var err error
	if c.Profile != nil {
		if rc.Profile, err = json.Marshal(c.Profile); err != nil {
			return err
		}
	}
	if c.Exits != nil {
		if rc.Exits, err = json.Marshal(c.Exits); err != nil {
			return err
		}
	}
	if c.Reentry != nil {
		if rc.Reentry, err = json.Marshal(c.Reentry); err != nil {
			return err
		}
	}
	for _, r := range c.Runs {
		if rc.Runs[r.ID], err = json.Marshal(r); err != nil {
			return err
		}
	}
	for _, r := range c.Finished {
		if rc.Finished[r.ID], err = json.Marshal(r); err != nil {
			return err
		}
	}
	eff := c.Effects
	if eff == nil {
		eff = &processor.Effects{}
	}
	if rc.Effects, err = json.Marshal(eff); err != nil {
		return err
	}
	for _, t := range eff.Schedule {
		rc.Timers = append(rc.Timers, redis.Timer{ID: t.ID, Due: t.Due, Payload: []byte(t.Payload)})
	}
	err = s.customers.Commit(ctx, rc)
	if errors.Is(err, redis.ErrConflict) || errors.Is(err, redis.ErrDuplicate) {
		return fmt.Errorf("%w: %w", processor.ErrConflict, err)
	}
	return err
}

// Runs returns a customer's active and finished runs (for explain and
// tests).
func (s *Store) Runs(ctx context.Context, shop, customer string) (active, finished []*processor.Run, err error) {
	raw, err := s.customers.Load(ctx, shop, customer, "")
	if err != nil {
		return nil, nil, err
	}
	for _, b := range raw.Runs {
		r := &processor.Run{}
		if err := json.Unmarshal(b, r); err != nil {
			return nil, nil, err
		}
		active = append(active, r)
	}
	hist, err := s.customers.History(ctx, shop, customer)
	if err != nil {
		return nil, nil, err
	}
	for _, b := range hist {
		r := &processor.Run{}
		if err := json.Unmarshal(b, r); err != nil {
			return nil, nil, err
		}
		finished = append(finished, r)
	}
	return active, finished, nil
}
