package models

import (
	"time"

	"gorm.io/gorm"
)

// WaitlistPosition is reg's 1-based place among the waitlisted registrations
// of its event and attendance mode, or 0 when it is not waitlisted.
func WaitlistPosition(db *gorm.DB, reg *Registration) (int, error) {
	if reg.Status != RegWaitlisted {
		return 0, nil
	}
	var n int64
	err := db.Model(&Registration{}).
		Where("event_id = ? AND attendance = ? AND status = ? AND waitlist_seq <= ?", reg.EventID, reg.Attendance, RegWaitlisted, reg.WaitlistSeq).
		Count(&n).Error
	return int(n), err
}

// WaitlistLength counts the waitlisted registrations of an event per mode.
func WaitlistLength(db *gorm.DB, eventID uint) (map[string]int, error) {
	var rows []struct {
		Attendance string
		N          int
	}
	err := db.Model(&Registration{}).Select("attendance, COUNT(*) AS n").
		Where("event_id = ? AND status = ?", eventID, RegWaitlisted).
		Group("attendance").Scan(&rows).Error
	out := map[string]int{}
	for _, r := range rows {
		out[r.Attendance] = r.N
	}
	return out, err
}

// PromoteWaitlist confirms waitlisted registrations that fit the free places
// of both modes and returns them.
func PromoteWaitlist(db *gorm.DB, eventID uint, now time.Time) ([]Registration, error) {
	var out []Registration
	err := db.Transaction(func(tx *gorm.DB) error {
		ev, err := lockEvent(tx, eventID)
		if err != nil {
			return err
		}
		out, err = newLedger(tx, ev).promoteAll(now)
		return err
	})
	return out, err
}

// WaitlistLengths counts waitlisted registrations for several events:
// event ID → mode → count.
func WaitlistLengths(db *gorm.DB, eventIDs []uint) (map[uint]map[string]int, error) {
	out := map[uint]map[string]int{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		EventID    uint
		Attendance string
		N          int
	}
	err := db.Model(&Registration{}).Select("event_id, attendance, COUNT(*) AS n").
		Where("event_id IN ? AND status = ?", eventIDs, RegWaitlisted).
		Group("event_id, attendance").Scan(&rows).Error
	for _, r := range rows {
		if out[r.EventID] == nil {
			out[r.EventID] = map[string]int{}
		}
		out[r.EventID][r.Attendance] = r.N
	}
	return out, err
}
