package models

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Private calendar feeds come in two kinds, both resolved by the SHA-256 of
// their token:
//
//   - a registration's own feed (Registration.FeedNonce/FeedTokenHash): its
//     address is handed out in HTTP answers and on the manage page, so it
//     shows that one registration and nothing else. Registering needs no
//     sign-in, so anyone may register with anyone's address; a feed of every
//     registration of an email handed out that way would leak them.
//   - an attendee's feed (AttendeeFeed): every active registration of one
//     email address. Its token is only ever sent to that address by mail.

// AttendeeFeed is the private feed of all of one email address's active
// registrations. The token is derived from Nonce and the server's secret
// (Tokens.Feed("email:"+Nonce)); only its SHA-256 is kept for lookup.
type AttendeeFeed struct {
	ID        uint      `gorm:"primaryKey"`
	EmailNorm string    `gorm:"size:254;uniqueIndex;not null"`
	Nonce     string    `gorm:"size:32;not null"`
	TokenHash string    `gorm:"size:64;uniqueIndex;not null"`
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

// attendeeFeedToken derives the token of an attendee feed nonce; the prefix
// keeps it apart from registration feed tokens made from the same secret.
func attendeeFeedToken(tok Tokens, nonce string) string { return tok.Feed("email:" + nonce) }

// AttendeeFeedToken returns the token of the private feed of every active
// registration of email, creating the feed on first use. Put it only in mail
// sent to that address (see the comment at the top of this file).
func AttendeeFeedToken(db *gorm.DB, tok Tokens, email string, now time.Time) (string, error) {
	norm := NormaliseEmail(email)
	if !ValidEmail(norm) {
		return "", Invalid("email", "Enter an email address like name@example.org")
	}
	nonce := NewNonce()
	row := AttendeeFeed{EmailNorm: norm, Nonce: nonce, TokenHash: HashToken(attendeeFeedToken(tok, nonce)), CreatedAt: now}
	// Two mails composed at once for the same address must agree on one feed:
	// insert if missing, then read whichever row won.
	if err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "email_norm"}}, DoNothing: true}).Create(&row).Error; err != nil {
		return "", err
	}
	var feed AttendeeFeed
	if err := db.Where("email_norm = ?", norm).Take(&feed).Error; err != nil {
		return "", err
	}
	return attendeeFeedToken(tok, feed.Nonce), nil
}

// FeedRegistrations resolves a private feed token, of a registration or of an
// attendee, and returns its active registrations with their events (hosts and
// series loaded), in start order. Draft events are left out, and so are events
// that ended before since and cancelled events last changed before since (the
// rule of EventFilter.From and CancelledSince). An unknown token is
// ErrNotFound; a known one with nothing to show is an empty list.
func FeedRegistrations(db *gorm.DB, token string, since time.Time) ([]Registration, error) {
	if len(token) < 20 || len(token) > 64 {
		return nil, ErrNotFound
	}
	q := db.Model(&Registration{}).
		Joins("JOIN events ON events.id = registrations.event_id").
		Where("registrations.status IN ?", []string{RegConfirmed, RegWaitlisted}).
		Where("events.ends_at >= ?", since).
		Where("(events.status IN ? OR (events.status = ? AND events.updated_at >= ?))",
			[]string{StatusPublished, StatusPostponed}, StatusCancelled, since)
	if id, secret, ok := splitToken(token); ok {
		// A registration's own feed: "<id>_<secret>".
		var reg Registration
		err := db.Select("id", "feed_token_hash").Take(&reg, id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !sameHash(secret, reg.FeedTokenHash)) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		q = q.Where("registrations.id = ?", reg.ID)
	} else {
		// An address's feed (sent by mail only).
		var feed AttendeeFeed
		if err := db.Where("token_hash = ?", HashToken(token)).Take(&feed).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, ErrNotFound
			}
			return nil, err
		}
		q = q.Where("registrations.email_norm = ?", feed.EmailNorm)
	}
	regs := []Registration{}
	err := q.Preload("Event").
		Preload("Event.Hosts", func(d *gorm.DB) *gorm.DB { return d.Order("position, id") }).
		Preload("Event.Hosts.Organisation").Preload("Event.Series").
		Order("events.starts_at, events.id").Find(&regs).Error
	return regs, err
}

// RotateFeedToken gives a registration a new feed token: the old feed
// address stops working at once. It returns the changed registration.
func RotateFeedToken(db *gorm.DB, tok Tokens, regID uint, now time.Time) (*Registration, error) {
	var r Registration
	if err := db.Take(&r, regID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	r.FeedNonce = NewNonce()
	r.FeedTokenHash = HashToken(tok.Feed(r.FeedNonce))
	r.UpdatedAt = now
	// UpdateColumns: Updates would stamp updated_at with the clock, not now.
	if err := db.Model(&r).UpdateColumns(map[string]any{"feed_nonce": r.FeedNonce, "feed_token_hash": r.FeedTokenHash, "updated_at": now}).Error; err != nil {
		return nil, err
	}
	return &r, nil
}

// FeedFingerprint is a cheap summary of everything public feeds show: per
// table of events, organisations and series, the number of rows and the sum
// of their revisions. Every change this package makes bumps a revision, so
// the sum grows with each committed change (and a deletion changes the
// count): two equal fingerprints mean no public feed changed, except by time
// passing (events leaving a feed's window), which callers track themselves.
// No clock is involved, so instances whose clocks differ agree.
//
// On SQLite the triggers of migration 90 keep that summary as one counter,
// read in one row; PostgreSQL sums.
func FeedFingerprint(db *gorm.DB) (string, error) {
	if db.Dialector.Name() != "postgres" {
		var changes int64
		if err := db.Raw("SELECT changes FROM feed_changes WHERE id = 1").Row().Scan(&changes); err != nil {
			return "", err
		}
		return "c" + strconv.FormatInt(changes, 10), nil
	}
	var n, sum [3]int64
	err := db.Raw(`SELECT
		(SELECT COUNT(*) FROM events), (SELECT COALESCE(SUM(revision), 0) FROM events),
		(SELECT COUNT(*) FROM organisations), (SELECT COALESCE(SUM(revision), 0) FROM organisations),
		(SELECT COUNT(*) FROM series), (SELECT COALESCE(SUM(revision), 0) FROM series)`).
		Row().Scan(&n[0], &sum[0], &n[1], &sum[1], &n[2], &sum[2])
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i := range n {
		b.WriteString(strconv.FormatInt(n[i], 10))
		b.WriteByte('/')
		b.WriteString(strconv.FormatInt(sum[i], 10))
		b.WriteByte(';')
	}
	return b.String(), nil
}
