package redis

import (
	"context"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
)

// ErrNoFlowDef means no definition is stored for a flow version.
var ErrNoFlowDef = errors.New("flow version not stored")

// FlowDefs keeps the source of every flow version a process has loaded, so
// a run pinned to a version that a later deploy no longer ships can still
// advance.
type FlowDefs struct {
	client goredis.UniversalClient
	keys   Keys
}

// NewFlowDefs returns the store on client.
func NewFlowDefs(client goredis.UniversalClient, keys Keys) *FlowDefs {
	return &FlowDefs{client: client, keys: keys}
}

// Put stores the source of one flow version (the latest text of a version
// wins).
func (f *FlowDefs) Put(ctx context.Context, id string, version int, src []byte) error {
	if err := f.client.Set(ctx, f.keys.FlowDef(id, version), src, 0).Err(); err != nil {
		return fmt.Errorf("storing flow %s version %d: %w", id, version, err)
	}
	return nil
}

// Get returns the stored source of one flow version, or ErrNoFlowDef.
func (f *FlowDefs) Get(ctx context.Context, id string, version int) ([]byte, error) {
	b, err := f.client.Get(ctx, f.keys.FlowDef(id, version)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, ErrNoFlowDef
	}
	if err != nil {
		return nil, fmt.Errorf("reading flow %s version %d: %w", id, version, err)
	}
	return b, nil
}
