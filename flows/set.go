package flows

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// Set is the flows a processor runs, indexed by the event types they react
// to. It may hold several versions of one flow: Get and Triggered use the
// current one (the highest version), Version finds the one a run is
// pinned to. A Set is immutable and safe for concurrent use; the slices it
// returns are shared and must not be modified.
type Set struct {
	all       []*Program
	current   map[string]*Program
	versions  map[string]map[int]*Program
	triggered map[string][]*Program
	exits     map[string][]*Program
}

// NewSet indexes progs. Two programs with the same id and version are an
// error.
func NewSet(progs ...*Program) (*Set, error) {
	s := &Set{
		current:   map[string]*Program{},
		versions:  map[string]map[int]*Program{},
		triggered: map[string][]*Program{},
		exits:     map[string][]*Program{},
	}
	for _, p := range progs {
		if p == nil || p.Flow == nil {
			return nil, errors.New("flow set: a nil program or a program without its flow")
		}
		id, v := p.Flow.ID, p.Flow.Version
		if s.versions[id] == nil {
			s.versions[id] = map[int]*Program{}
		}
		if _, dup := s.versions[id][v]; dup {
			return nil, fmt.Errorf("flow set: flow %q version %d is given twice", id, v)
		}
		s.versions[id][v] = p
		if cur := s.current[id]; cur == nil || v > cur.Flow.Version {
			s.current[id] = p
		}
		s.all = append(s.all, p)
	}
	slices.SortFunc(s.all, func(a, b *Program) int {
		return cmp.Or(cmp.Compare(a.Flow.ID, b.Flow.ID), cmp.Compare(a.Flow.Version, b.Flow.Version))
	})
	for _, p := range s.current {
		conds := p.Triggers
		if len(conds) == 0 {
			conds = []Cond{p.Trigger}
		}
		for _, c := range conds {
			view := p
			if len(conds) > 1 {
				// A flow with several triggers: a shallow copy whose
				// Trigger is the one for this event type.
				cp := *p
				cp.Trigger = c
				view = &cp
			}
			s.triggered[c.Event] = append(s.triggered[c.Event], view)
		}
	}
	for t := range s.triggered {
		slices.SortFunc(s.triggered[t], func(a, b *Program) int {
			return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.Flow.ID, b.Flow.ID))
		})
	}
	for _, p := range s.all {
		seen := map[string]bool{}
		add := func(t string) {
			if t != "" && !seen[t] {
				seen[t] = true
				s.exits[t] = append(s.exits[t], p)
			}
		}
		for _, c := range p.ExitOn {
			add(c.Event)
		}
		for i := range p.Code {
			if p.Code[i].Op == OpWait && p.Code[i].Wait != nil {
				add(p.Code[i].Wait.Event)
			}
		}
	}
	return s, nil
}

// Triggered lists the current programs with a trigger naming eventType,
// highest priority first, then by id. For a flow with several triggers the
// program's Trigger is the one naming eventType (a shallow copy sharing
// everything else).
func (s *Set) Triggered(eventType string) []*Program { return s.triggered[eventType] }

// Exits lists the programs (every version) whose exit_on or an event wait
// names eventType, by id and version.
func (s *Set) Exits(eventType string) []*Program { return s.exits[eventType] }

// Get returns the current (highest) version of flow id, or nil.
func (s *Set) Get(id string) *Program { return s.current[id] }

// Version returns version v of flow id, or nil.
func (s *Set) Version(id string, v int) *Program { return s.versions[id][v] }

// All lists every program, by id and version.
func (s *Set) All() []*Program { return slices.Clone(s.all) }
