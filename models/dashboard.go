package models

import (
	"time"

	"gorm.io/gorm"
)

// Thresholds for events that need an organiser's attention.
const (
	// NearlyFullPercent of a capacity taken makes an event nearly full.
	NearlyFullPercent = 90
	// WaitlistGrowthWindow is how far back new waitlist entries count as growth.
	WaitlistGrowthWindow = 7 * 24 * time.Hour
)

// StaffEvents lists the events u may act on with act that have not ended
// more than a day before now, soonest first, with hosts.
func StaffEvents(db *gorm.DB, u *User, act Action, now time.Time) ([]Event, error) {
	q := ScopeEvents(db.Model(&Event{}), u, act).
		Preload("Hosts", func(d *gorm.DB) *gorm.DB { return d.Order("position, id") }).Preload("Hosts.Organisation").
		Where("events.ends_at >= ?", now.Add(-24*time.Hour))
	var evs []Event
	err := q.Order("events.starts_at, events.id").Find(&evs).Error
	return evs, err
}

// PastStaffEvents lists the events u manages that ended more than a day
// before now, latest first.
func PastStaffEvents(db *gorm.DB, u *User, now time.Time, limit int) ([]Event, error) {
	var evs []Event
	err := ScopeEvents(db.Model(&Event{}), u, ActManage).Where("events.ends_at < ?", now.Add(-24*time.Hour)).
		Order("events.starts_at DESC, events.id DESC").Limit(limit).Find(&evs).Error
	return evs, err
}

// RecentRegistrations lists the newest registrations of events u manages.
func RecentRegistrations(db *gorm.DB, u *User, limit int) ([]Registration, error) {
	ids := ScopeEvents(db.Model(&Event{}), u, ActManage).Select("events.id")
	var regs []Registration
	err := db.Preload("Event").Where("event_id IN (?)", ids).Order("created_at DESC, id DESC").Limit(limit).Find(&regs).Error
	return regs, err
}

// WaitlistGrowth counts, per event, the registrations that joined the
// waitlist since and are still on it.
func WaitlistGrowth(db *gorm.DB, eventIDs []uint, since time.Time) (map[uint]int, error) {
	return countPerEvent(db, eventIDs, "status = ? AND created_at >= ?", RegWaitlisted, since)
}

// PendingRequestCounts counts, per event, the registration requests waiting for
// an organiser to approve or decline them (approval mode).
func PendingRequestCounts(db *gorm.DB, eventIDs []uint) (map[uint]int, error) {
	return countPerEvent(db, eventIDs, "status = ?", RegPending)
}

// countPerEvent counts the registrations of each event that match where.
func countPerEvent(db *gorm.DB, eventIDs []uint, where string, args ...any) (map[uint]int, error) {
	out := map[uint]int{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		EventID uint
		N       int
	}
	err := db.Model(&Registration{}).Select("event_id, COUNT(*) AS n").
		Where("event_id IN ?", eventIDs).Where(where, args...).
		Group("event_id").Scan(&rows).Error
	for _, r := range rows {
		out[r.EventID] = r.N
	}
	return out, err
}

// PercentTaken is how full a mode is, 0–100, or -1 when unlimited.
func (e *Event) PercentTaken(mode string) int {
	c := e.CapacityFor(mode)
	if c == nil {
		return -1
	}
	if *c == 0 {
		return 100
	}
	p := e.TakenFor(mode) * 100 / *c
	if p > 100 {
		p = 100
	}
	return p
}
