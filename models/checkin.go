package models

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// CheckInCode is the code in a registration's QR code: its id and an HMAC
// of the id and its random nonce under the server's secret. It opens the
// organiser check-in page for that registration and nothing else; unlike
// the manage token, it gives the attendee's page no access.
func (t Tokens) CheckInCode(r *Registration) string {
	return strconv.FormatUint(uint64(r.ID), 10) + "-" + t.derive("checkin:", strconv.FormatUint(uint64(r.ID), 10)+":"+r.TokenNonce)
}

// RegistrationByCheckInCode returns the registration a check-in code names,
// or ErrNotFound when the code is malformed or forged.
func RegistrationByCheckInCode(db *gorm.DB, tok Tokens, code string) (*Registration, error) {
	idPart, _, ok := strings.Cut(code, "-")
	id, err := strconv.ParseUint(idPart, 10, 32)
	if !ok || err != nil || len(code) > 80 {
		return nil, ErrNotFound
	}
	var r Registration
	if err := db.First(&r, uint(id)).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if r.PurgedAt != nil || subtle.ConstantTimeCompare([]byte(tok.CheckInCode(&r)), []byte(code)) != 1 {
		return nil, ErrNotFound // an erased registration's code opens nothing
	}
	return &r, nil
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

// UndoCheckIn clears the check-in of a registration of an event, the whole
// party (a wrong tap at the door; to put a number right, CheckIn with the
// right one). Undoing when not checked in changes nothing.
func UndoCheckIn(db *gorm.DB, eventID, regID uint, userID *uint, now time.Time) (*Registration, error) {
	var r Registration
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND event_id = ?", regID, eventID).Take(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		if r.CheckedInAt == nil {
			return nil
		}
		was := fmt.Sprintf("%d of %d", r.Arrived(), r.Places())
		r.CheckedInAt, r.CheckedInPeople, r.UpdatedAt = nil, 0, now
		if err := tx.Model(&Registration{}).Where("id = ?", r.ID).
			Updates(map[string]any{"checked_in_at": nil, "checked_in_people": 0, "updated_at": now}).Error; err != nil {
			return err
		}
		return logActivity(tx, eventID, &r.ID, userID, "check_in_undone", was, now)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// likePattern escapes s for a LIKE … ESCAPE '\' match anywhere.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(strings.TrimSpace(s))) + "%"
}

// DoorList lists the confirmed registrations that come to the door (in
// person; online ones too for an online-only event), by name, optionally
// only those whose name contains q.
func DoorList(db *gorm.DB, ev *Event, q string) ([]Registration, error) {
	mode := InPerson
	if !ev.InPerson {
		mode = Online
	}
	query := db.Where("event_id = ? AND status = ? AND attendance = ?", ev.ID, RegConfirmed, mode)
	if strings.TrimSpace(q) != "" {
		query = query.Where(`LOWER(name) LIKE ? ESCAPE '\'`, likePattern(q))
	}
	var out []Registration
	err := query.Order("LOWER(name), id").Find(&out).Error
	return out, err
}

// DoorCounts counts people (registrants and guests) at the door.
type DoorCounts struct {
	CheckedIn int `json:"checked_in"`
	Expected  int `json:"expected"`
}

// CountDoor counts the people checked in and expected at an event's door.
func CountDoor(db *gorm.DB, ev *Event) (DoorCounts, error) {
	mode := InPerson
	if !ev.InPerson {
		mode = Online
	}
	var row struct {
		Expected  int
		CheckedIn int
	}
	err := db.Model(&Registration{}).
		// As Registration.Arrived: never more than the party.
		Select("COALESCE(SUM(1 + guests), 0) AS expected, COALESCE(SUM(CASE WHEN checked_in_at IS NULL THEN 0 "+
			"WHEN checked_in_people <= 0 OR checked_in_people > 1 + guests THEN 1 + guests ELSE checked_in_people END), 0) AS checked_in").
		Where("event_id = ? AND status = ? AND attendance = ?", ev.ID, RegConfirmed, mode).Scan(&row).Error
	return DoorCounts{CheckedIn: row.CheckedIn, Expected: row.Expected}, err
}
