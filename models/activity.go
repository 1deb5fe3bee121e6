package models

import (
	"strings"
	"time"

	"gorm.io/gorm"
)

// The audit log is the activities table: event changes, capacity changes,
// promotions, check-ins and exports carry their event; sign-ins,
// invitations and API tokens have EventID 0. Details never hold passwords,
// tokens or attendees' personal data (registrations are named by id).

// RecordActivity adds an entry about an event (and optionally one of its
// registrations) to the audit log.
func RecordActivity(db *gorm.DB, eventID uint, regID, userID *uint, action, detail string, now time.Time) error {
	return logActivity(db, eventID, regID, userID, action, detail, now)
}

// AuditEntry is an audit-log line with who, which event and, for an entry
// about a registration, its name and party as they are now (none once the
// retention policy has removed them).
type AuditEntry struct {
	Activity
	UserEmail   string
	UserName    string
	EventSlug   string
	EventTitle  string
	RegName     string
	RegGuests   int
	RegPurgedAt *time.Time
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Action string
	Event  string // slug
	// BeforeID pages back: only entries older than this id.
	BeforeID uint
	Limit    int
}

// AuditLog lists audit entries, newest first.
func AuditLog(db *gorm.DB, f AuditFilter) ([]AuditEntry, error) {
	q := db.Table("activities").
		Select("activities.*, users.email AS user_email, users.name AS user_name, events.slug AS event_slug, events.title AS event_title, " +
			"registrations.name AS reg_name, COALESCE(registrations.guests, 0) AS reg_guests, registrations.purged_at AS reg_purged_at").
		Joins("LEFT JOIN users ON users.id = activities.user_id").
		Joins("LEFT JOIN events ON events.id = activities.event_id").
		Joins("LEFT JOIN registrations ON registrations.id = activities.registration_id")
	if f.Action != "" {
		q = q.Where("activities.action = ?", f.Action)
	}
	if f.Event != "" {
		q = q.Where("events.slug = ?", f.Event)
	}
	if f.BeforeID > 0 {
		q = q.Where("activities.id < ?", f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var out []AuditEntry
	err := q.Order("activities.id DESC").Limit(f.Limit).Scan(&out).Error
	return out, err
}

// AuditActions lists the actions present in the log, for a filter.
func AuditActions(db *gorm.DB) ([]string, error) {
	var out []string
	err := db.Model(&Activity{}).Distinct("action").Order("action").Pluck("action", &out).Error
	return out, err
}

// LogAccountActivity records an action that concerns no event (a sign-in,
// an invitation, an API token) in the audit log.
func LogAccountActivity(db *gorm.DB, userID *uint, action, detail string, now time.Time) error {
	return logActivity(db, 0, nil, userID, action, strings.TrimSpace(detail), now)
}

func logActivity(tx *gorm.DB, eventID uint, regID *uint, userID *uint, action, detail string, now time.Time) error {
	return tx.Create(&Activity{EventID: eventID, RegistrationID: regID, UserID: userID, Action: action, Detail: detail, CreatedAt: now}).Error
}
