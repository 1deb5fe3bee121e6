package models

import (
	"sync"
	"time"
)

var zones sync.Map // name → *time.Location

// Zone loads an IANA time zone once and keeps it; unknown names give UTC and
// false. time.LoadLocation reads and parses the zone file on every call.
func Zone(name string) (*time.Location, bool) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), true
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		return time.UTC, false
	}
	zones.Store(name, loc)
	return loc, true
}
