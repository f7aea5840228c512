package event

import (
	"sync"
	"time"
)

// zones caches loaded time zones: time.LoadLocation reads and parses the
// zone database on every call, and the processor and the senders ask for a
// shop's or a customer's zone on every event and message.
var zones sync.Map // name → *time.Location

// LoadLocation is time.LoadLocation with a cache: the same *time.Location
// for a name every time. Failures are not cached.
func LoadLocation(name string) (*time.Location, error) {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location), nil //nolint:forcetypeassert // only *time.Location is stored
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
