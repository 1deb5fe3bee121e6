package models

import (
	"errors"
	"fmt"
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

// CheckIn records how many of a confirmed registration's party have
// arrived: people is the number in now, from 1 to Places(), and 0 means the
// whole party. The first check-in sets CheckedInAt; a later one changes the
// number (the rest of the party arriving, or a count put right) and keeps
// that time. Asking for the number already recorded changes nothing, so
// retries are harmless.
func CheckIn(db *gorm.DB, eventID, regID uint, people int, userID *uint, now time.Time) (*Registration, error) {
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
		if people == 0 {
			people = r.Places()
		}
		if people < 0 || people > r.Places() {
			return Invalid("arrived", fmt.Sprintf("Enter how many of the party of %d have arrived, from 1 to %d", r.Places(), r.Places()))
		}
		if r.CheckedInAt != nil && r.Arrived() == people {
			return nil
		}
		if r.CheckedInAt == nil {
			r.CheckedInAt = &now
		}
		r.CheckedInPeople, r.UpdatedAt = people, now
		if err := tx.Model(&Registration{}).Where("id = ?", r.ID).
			Updates(map[string]any{"checked_in_at": *r.CheckedInAt, "checked_in_people": people, "updated_at": now}).Error; err != nil {
			return err
		}
		return logActivity(tx, eventID, &r.ID, userID, "checked_in", fmt.Sprintf("%d of %d", people, r.Places()), now)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}
