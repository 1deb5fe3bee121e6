package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
)

// statusOrder sorts registrations for organisers: confirmed, waitlisted,
// pending, unconfirmed, declined, cancelled.
const statusOrder = "CASE status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 WHEN 'pending' THEN 2 WHEN 'unconfirmed' THEN 3 WHEN 'declined' THEN 4 ELSE 5 END"

// EventRegistrations lists an event's registrations: confirmed and cancelled
// in order of arrival, waitlisted in waitlist order.
func EventRegistrations(db *gorm.DB, eventID uint) ([]Registration, error) {
	var regs []Registration
	err := db.Where("event_id = ?", eventID).
		Order(statusOrder + ", waitlist_seq, id").
		Find(&regs).Error
	return regs, err
}

// CheckIn marks a confirmed registration of an event as arrived. Checking in
// twice keeps the first time.
func CheckIn(db *gorm.DB, eventID, regID uint, userID *uint, now time.Time) (*Registration, error) {
	var r Registration
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND event_id = ?", regID, eventID).Take(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		if r.Status != RegConfirmed {
			return Invalid("status", "Only confirmed registrations can be checked in")
		}
		if r.CheckedInAt != nil {
			return nil
		}
		r.CheckedInAt, r.UpdatedAt = &now, now
		if err := tx.Model(&r).Updates(map[string]any{"checked_in_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		return logActivity(tx, eventID, &r.ID, userID, "checked_in", "", now)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}
