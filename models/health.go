package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Heartbeat writes the one row of the heartbeats table: a real write, cheap
// enough for a readiness check, that fails while the database cannot take
// writes (a full disk, a read-only file or server, a lost primary) even
// though it still answers queries.
func Heartbeat(db *gorm.DB, now time.Time) error {
	err := db.Exec(`INSERT INTO heartbeats (id, beat_at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at`, now.UTC()).Error
	if err != nil {
		return fmt.Errorf("models: heartbeat write failed: %w", err)
	}
	return nil
}

// OutboxHealth is what monitoring needs to know about the outbox.
type OutboxHealth struct {
	ByStatus map[string]int64
	// OldestWaiting is when the oldest mail still to be sent (pending or
	// being sent) was queued; nil when none waits.
	OldestWaiting *time.Time
}

// OutboxStats counts the outbox by status and finds the oldest waiting mail.
func OutboxStats(db *gorm.DB) (OutboxHealth, error) {
	h := OutboxHealth{ByStatus: map[string]int64{}}
	var rows []struct {
		Status string
		N      int64
	}
	if err := db.Model(&OutboxMail{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return h, fmt.Errorf("models: unable to count the outbox: %w", err)
	}
	for _, r := range rows {
		h.ByStatus[r.Status] = r.N
	}
	if h.ByStatus[MailPending]+h.ByStatus[MailSending] == 0 {
		return h, nil
	}
	var oldest OutboxMail
	err := db.Select("created_at").Where("status IN ?", []string{MailPending, MailSending}).
		Order("created_at").Limit(1).Take(&oldest).Error
	if err != nil {
		return h, fmt.Errorf("models: unable to find the oldest waiting mail: %w", err)
	}
	h.OldestWaiting = &oldest.CreatedAt
	return h, nil
}
