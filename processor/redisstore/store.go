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

var _ processor.BatchStateStore = (*Store)(nil)

// New returns a Store.
func New(customers *redis.CustomerStore) *Store { return &Store{customers: customers} }

// Load implements processor.StateStore.
func (s *Store) Load(ctx context.Context, shop, customer, eventKey string) (*processor.State, error) {
	raw, err := s.customers.Load(ctx, shop, customer, eventKey)
	if err != nil {
		return nil, err
	}
	return decodeState(raw)
}

// LoadMany implements processor.BatchStateStore.
func (s *Store) LoadMany(ctx context.Context, reqs []processor.LoadRequest) ([]*processor.State, error) {
	rr := make([]redis.LoadRequest, len(reqs))
	for i, r := range reqs {
		rr[i] = redis.LoadRequest{Shop: r.Shop, Customer: r.Customer, EventKey: r.EventKey}
	}
	raws, err := s.customers.LoadMany(ctx, rr)
	if err != nil {
		return nil, err
	}
	out := make([]*processor.State, len(raws))
	for i, raw := range raws {
		if out[i], err = decodeState(raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeState(raw *redis.CustomerState) (*processor.State, error) {
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

// Profile reads only a customer's profile, nil when unknown.
func (s *Store) Profile(ctx context.Context, shop, customer string) (*processor.Profile, error) {
	b, err := s.customers.Profile(ctx, shop, customer)
	if err != nil || len(b) == 0 {
		return nil, err
	}
	var p processor.Profile
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("decoding profile of %s: %w", customer, err)
	}
	return &p, nil
}

// Commit implements processor.StateStore. A concurrent duplicate that
// committed first is reported as a conflict: the engine reloads, finds the
// record and re-issues its effects.
func (s *Store) Commit(ctx context.Context, c *processor.Commit) error {
	errs, err := s.CommitMany(ctx, []*processor.Commit{c})
	if err != nil {
		return err
	}
	return errs[0]
}

// CommitMany implements processor.BatchStateStore.
func (s *Store) CommitMany(ctx context.Context, cs []*processor.Commit) ([]error, error) {
	rcs := make([]*redis.CustomerCommit, len(cs))
	for i, c := range cs {
		rc, err := encodeCommit(c)
		if err != nil {
			return nil, err
		}
		rcs[i] = rc
	}
	results, err := s.customers.CommitMany(ctx, rcs)
	if err != nil {
		return nil, err
	}
	for i, r := range results {
		if errors.Is(r, redis.ErrConflict) || errors.Is(r, redis.ErrDuplicate) {
			results[i] = fmt.Errorf("%w: %w", processor.ErrConflict, r)
		}
	}
	return results, nil
}

func encodeCommit(c *processor.Commit) (*redis.CustomerCommit, error) {
	rc := &redis.CustomerCommit{
		Shop: c.Shop, Customer: c.Customer, EventKey: c.EventKey, Version: c.Version,
		Runs: map[string][]byte{}, Finished: map[string][]byte{}, SeenTTL: c.SeenTTL,
	}
	var err error
	if c.Profile != nil {
		if rc.Profile, err = json.Marshal(c.Profile); err != nil {
			return nil, err
		}
	}
	if c.Exits != nil {
		if rc.Exits, err = json.Marshal(c.Exits); err != nil {
			return nil, err
		}
	}
	if c.Reentry != nil {
		if rc.Reentry, err = json.Marshal(c.Reentry); err != nil {
			return nil, err
		}
	}
	for _, r := range c.Runs {
		if rc.Runs[r.ID], err = json.Marshal(r); err != nil {
			return nil, err
		}
	}
	for _, r := range c.Finished {
		if rc.Finished[r.ID], err = json.Marshal(r); err != nil {
			return nil, err
		}
	}
	eff := c.Effects
	if eff == nil {
		eff = &processor.Effects{}
	}
	if rc.Effects, err = json.Marshal(eff); err != nil {
		return nil, err
	}
	for _, t := range eff.Schedule {
		rc.Timers = append(rc.Timers, redis.Timer{ID: t.ID, Due: t.Due, Payload: []byte(t.Payload)})
	}
	return rc, nil
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
