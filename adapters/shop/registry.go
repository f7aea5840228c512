package shop

import (
	"fmt"
	"sort"
	"sync"
)

// Registry holds shops by id and by platform identity. It is safe for
// concurrent use; Put replaces a shop atomically.
type Registry struct {
	mu       sync.RWMutex
	byID     map[string]*Shop
	byDomain map[string]*Shop // platform + "\x00" + normalised domain
}

// NewRegistry returns a registry holding shops, or an error when two shops
// share an id or a platform identity.
func NewRegistry(shops ...*Shop) (*Registry, error) {
	r := &Registry{byID: map[string]*Shop{}, byDomain: map[string]*Shop{}}
	for _, s := range shops {
		if _, dup := r.byID[s.ID]; dup {
			return nil, fmt.Errorf("shop %q is listed twice", s.ID)
		}
		dk := domainKey(s.Platform, s.Domain)
		if other, dup := r.byDomain[dk]; dup {
			return nil, fmt.Errorf("shops %q and %q share %s domain %q", other.ID, s.ID, s.Platform, s.Domain)
		}
		r.byID[s.ID] = s
		r.byDomain[dk] = s
	}
	return r, nil
}

func domainKey(platform, domain string) string {
	return platform + "\x00" + NormalizeDomain(domain)
}

// Lookup finds the shop a platform's webhook names. domain is normalised
// with NormalizeDomain first.
func (r *Registry) Lookup(platform, domain string) (*Shop, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.byDomain[domainKey(platform, domain)]
	return s, ok
}

// Get finds a shop by Boomerang id.
func (r *Registry) Get(id string) (*Shop, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.byID[id]
	return s, ok
}

// Put adds or replaces a shop.
func (r *Registry) Put(s *Shop) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.byID[s.ID]; ok {
		delete(r.byDomain, domainKey(old.Platform, old.Domain))
	}
	r.byID[s.ID] = s
	r.byDomain[domainKey(s.Platform, s.Domain)] = s
}

// Delete removes a shop.
func (r *Registry) Delete(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.byID[id]; ok {
		delete(r.byDomain, domainKey(old.Platform, old.Domain))
		delete(r.byID, id)
	}
}

// All lists the shops sorted by id.
func (r *Registry) All() []*Shop {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Shop, 0, len(r.byID))
	for _, s := range r.byID {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
