package processor

import (
	"time"

	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// ShopConfig is what the engine needs of a shop.
type ShopConfig struct {
	ID       string
	Platform string
	Domain   string
	// Timezone is the shop's IANA zone: the zone of time-of-day waits for
	// customers whose own zone is unknown.
	Timezone string
	// Disabled lists flows the shop switched off; Enabled those it
	// switched on (a flow that ships off, such as smart abandonment).
	Disabled map[string]bool
	Enabled  map[string]bool
	// Params overrides flows' parameters, by flow id.
	Params map[string]map[string]any
	// Attribution are the shop's attribution windows.
	Attribution AttributionWindows
}

// FlowOn reports whether the shop runs f: its own switch when it set one,
// else the flow's default.
func (s ShopConfig) FlowOn(f *flows.Flow) bool {
	switch {
	case s.Disabled[f.ID]:
		return false
	case s.Enabled[f.ID]:
		return true
	}
	return f.Enabled == nil || *f.Enabled
}

// Shops finds a shop's configuration.
type Shops interface {
	Shop(id string) (ShopConfig, bool)
}

func (s ShopConfig) location() *time.Location {
	if s.Timezone == "" {
		return time.UTC
	}
	loc, err := event.LoadLocation(s.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}
