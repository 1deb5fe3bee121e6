package models

import (
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

// PromoteRegistration confirms one waitlisted registration ahead of its
// turn, when its places fit the free capacity; otherwise it says how many
// places are free. Confirmed registrations are left as they are.
func PromoteRegistration(db *gorm.DB, regID uint, userID *uint, now time.Time) (*Registration, error) {
	var r Registration
	err := db.Transaction(func(tx *gorm.DB) error {
		var ev *Event
		var err error
		if r, ev, err = lockRegistration(tx, regID); err != nil {
			return err
		}
		if r.Status != RegWaitlisted {
			return Invalid("status", "Only a registration on the waitlist can be moved up")
		}
		ok, err := ledger{tx, ev}.take(&r, r.Places())
		if err != nil {
			return err
		}
		if !ok {
			left := 0
			if l := ev.PlacesLeft(r.Attendance); l != nil {
				left = *l
			}
			return Invalid("status", fmt.Sprintf("Only %d %s free: this registration needs %d", left, plural(left, "place is", "places are"), r.Places()))
		}
		r.Status, r.PromotedAt, r.UpdatedAt = RegConfirmed, &now, now
		if err := tx.Model(&r).Select("status", "promoted_at", "updated_at").Updates(&r).Error; err != nil {
			return err
		}
		if err := logActivity(tx, ev.ID, &r.ID, userID, "promoted", fmt.Sprintf("moved up from the waitlist by an organiser (%d places)", r.Places()), now); err != nil {
			return err
		}
		return enqueue(tx, MailPromoted, ev, &r, now)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}
