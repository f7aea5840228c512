package processor

import "time"

// ShopConfig is what the engine needs of a shop.
type ShopConfig struct {
	ID       string
	Platform string
	Domain   string
	// Timezone is the shop's IANA zone: the zone of time-of-day waits for
	// customers whose own zone is unknown.
	Timezone string
	// Disabled lists flows the shop switched off.
	Disabled map[string]bool
}

// Shops finds a shop's configuration.
type Shops interface {
	Shop(id string) (ShopConfig, bool)
}

func (s ShopConfig) location() *time.Location {
	if s.Timezone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}
