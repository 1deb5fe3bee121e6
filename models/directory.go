package models

import (
	"slices"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"gorm.io/gorm"
)

// The public indexes of organisations and series (/organisations, /series):
// only what their own pages show, and how many events are coming up, counted
// as those pages list them (published or postponed, not yet ended).

// OrganisationEntry is an organisation as the public index lists it.
type OrganisationEntry struct {
	Slug, Name, Kind, Description string
	// Upcoming counts the events it hosts or co-hosts that have not ended.
	Upcoming int
}

// OrganisationDirectory lists every organisation by name, as people read
// names: case and accents aside, whatever the database's collation.
func OrganisationDirectory(db *gorm.DB, now time.Time) ([]OrganisationEntry, error) {
	var out []OrganisationEntry
	err := db.Raw(`SELECT slug, name, kind, description,
		(SELECT COUNT(DISTINCT events.id) FROM event_hosts JOIN events ON events.id = event_hosts.event_id
			WHERE event_hosts.organisation_id = organisations.id AND events.status IN ? AND events.ends_at >= ?) AS upcoming
		FROM organisations ORDER BY name, id`, upcomingStatuses, now).Scan(&out).Error
	if err != nil {
		return nil, notFound("organisations", err)
	}
	c := collate.New(language.BritishEnglish, collate.IgnoreCase, collate.IgnoreDiacritics)
	slices.SortStableFunc(out, func(a, b OrganisationEntry) int { return c.CompareString(a.Name, b.Name) })
	return out, nil
}

// upcomingStatuses are the statuses of events listed as coming up.
var upcomingStatuses = []string{StatusPublished, StatusPostponed}

// SeriesEntry is a series as the public index lists it.
type SeriesEntry struct {
	Slug, Title, Description string
	// Upcoming counts its events that have not ended; Past those that have.
	Upcoming, Past int
	// Next is its next published event (slug, title, times, timezone,
	// tentative), or nil when none is coming up or all are postponed.
	Next *Event
}

// Active reports whether the series has events coming up.
func (s SeriesEntry) Active() bool { return s.Upcoming > 0 }

// SeriesDirectory lists every series: those with events coming up first,
// soonest next event first, then the others by title.
func SeriesDirectory(db *gorm.DB, now time.Time) ([]SeriesEntry, error) {
	var series []Series
	if err := db.Select("id", "slug", "title", "description").Find(&series).Error; err != nil {
		return nil, notFound("series", err)
	}
	var upcoming []Event
	err := db.Select("id", "slug", "title", "status", "tentative", "starts_at", "ends_at", "timezone", "series_id").
		Where("series_id IS NOT NULL AND status IN ? AND ends_at >= ?", upcomingStatuses, now).
		Order("starts_at, id").Find(&upcoming).Error
	if err != nil {
		return nil, notFound("series events", err)
	}
	var past []struct {
		SeriesID uint
		N        int
	}
	err = db.Model(&Event{}).Select("series_id, COUNT(*) AS n").
		Where("series_id IS NOT NULL AND status IN ? AND ends_at < ?", upcomingStatuses, now).
		Group("series_id").Scan(&past).Error
	if err != nil {
		return nil, notFound("series events", err)
	}
	byID := make(map[uint]*SeriesEntry, len(series))
	out := make([]SeriesEntry, len(series))
	for i, s := range series {
		out[i] = SeriesEntry{Slug: s.Slug, Title: s.Title, Description: s.Description}
		byID[s.ID] = &out[i]
	}
	for i, ev := range upcoming {
		e := byID[*ev.SeriesID]
		if e == nil {
			continue
		}
		e.Upcoming++
		if e.Next == nil && ev.Status == StatusPublished {
			e.Next = &upcoming[i]
		}
	}
	for _, p := range past {
		if e := byID[p.SeriesID]; e != nil {
			e.Past = p.N
		}
	}
	c := collate.New(language.BritishEnglish, collate.IgnoreCase, collate.IgnoreDiacritics)
	slices.SortStableFunc(out, func(a, b SeriesEntry) int {
		switch {
		case a.Active() != b.Active():
			if a.Active() {
				return -1
			}
			return 1
		case a.Next != nil && b.Next != nil && !a.Next.StartsAt.Equal(b.Next.StartsAt):
			return a.Next.StartsAt.Compare(b.Next.StartsAt)
		case (a.Next == nil) != (b.Next == nil):
			if a.Next != nil {
				return -1
			}
			return 1
		}
		if n := c.CompareString(a.Title, b.Title); n != 0 {
			return n
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	return out, nil
}
