package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/processor"
)

// Archive implements processor.Archive on stored flow sources: a version
// no longer loaded is read from Redis, compiled once and cached.
type Archive struct {
	defs  *redis.FlowDefs
	cache sync.Map // "id@version" → *flows.Program
}

var _ processor.Archive = (*Archive)(nil)

// NewArchive returns an Archive on defs.
func NewArchive(defs *redis.FlowDefs) *Archive { return &Archive{defs: defs} }

// Store saves the source of every program, so its version outlives the
// deploy that ships it.
func (a *Archive) Store(ctx context.Context, progs []*flows.Program) error {
	for _, p := range progs {
		if len(p.Flow.Raw) == 0 {
			continue
		}
		if err := a.defs.Put(ctx, p.Flow.ID, p.Flow.Version, p.Flow.Raw); err != nil {
			return err
		}
	}
	return nil
}

// Program implements processor.Archive.
func (a *Archive) Program(ctx context.Context, id string, version int) (*flows.Program, error) {
	k := id + "@" + strconv.Itoa(version)
	if p, ok := a.cache.Load(k); ok {
		return p.(*flows.Program), nil
	}
	src, err := a.defs.Get(ctx, id, version)
	if err != nil {
		return nil, err
	}
	f, errs := flows.Parse("stored:"+k, src)
	if len(errs) > 0 {
		return nil, fmt.Errorf("stored flow %s: %w", k, flows.Errors(errs))
	}
	p, err := flows.Compile(f)
	if err != nil {
		return nil, err
	}
	a.cache.Store(k, p)
	return p, nil
}
