package models

import (
	"errors"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Sessions of the organiser workspace live in the database, so that several
// app instances share them. The cookie holds a random 256-bit session id;
// the table keeps only its SHA-256, so a copy of the database cannot be used
// to sign in. A session ends after SessionIdle without use, and in any case
// SessionMaxAge after sign-in.
const (
	SessionIdle   = 12 * time.Hour
	SessionMaxAge = 7 * 24 * time.Hour
	// sessionTouch is how stale LastSeenAt may get before a request updates it.
	sessionTouch = 5 * time.Minute
)

// Session is a signed-in organiser's session.
type Session struct {
	ID         uint      `gorm:"primaryKey"`
	UserID     uint      `gorm:"not null;index"`
	TokenHash  string    `gorm:"size:64;uniqueIndex;not null"`
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	LastSeenAt time.Time
	ExpiresAt  time.Time `gorm:"not null;index"`
}

// ErrBadCredentials is the one answer to a failed sign-in, whether the
// account is unknown, has no password yet, or the password is wrong.
var ErrBadCredentials = errors.New("the email address or password is not right")

var (
	dummyOnce sync.Once
	dummyHash []byte
)

// PrepareSignIn makes the hash that sign-ins for unknown addresses are
// compared against, so that the first of them after a start takes no
// longer than the others. serve calls it as it starts.
func PrepareSignIn() { dummyPasswordHash() }

// dummyPasswordHash is a bcrypt hash of nothing anyone knows, compared
// against when there is no account, so that a sign-in for an unknown address
// takes as long as one for a known address.
func dummyPasswordHash() []byte {
	dummyOnce.Do(func() {
		h, err := bcrypt.GenerateFromPassword([]byte(RandomString(24)), 12)
		if err != nil {
			panic("models: bcrypt: " + err.Error()) // only on invalid cost
		}
		dummyHash = h
	})
	return dummyHash
}

// Authenticate checks an email and password. Every failure is
// ErrBadCredentials and costs one bcrypt comparison.
func Authenticate(db *gorm.DB, email, password string) (*User, error) {
	email = NormaliseEmail(email)
	var u User
	err := db.Preload("Memberships").Where("email = ?", email).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	hash := dummyPasswordHash()
	found := err == nil && u.PasswordHash != ""
	if found {
		hash = []byte(u.PasswordHash)
	}
	if len(password) > 72 {
		password = password[:72] // bcrypt's limit; HashPassword refuses longer
	}
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if !found || !ok || u.Disabled {
		return nil, ErrBadCredentials
	}
	return &u, nil
}

// CreateSession starts a session for userID and returns its id for the
// cookie. It also deletes the sessions that have expired.
func CreateSession(db *gorm.DB, userID uint, now time.Time) (string, error) {
	token := RandomString(32)
	s := Session{UserID: userID, TokenHash: HashToken(token), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionIdle)}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("expires_at < ?", now).Delete(&Session{}).Error; err != nil {
			return err
		}
		return tx.Create(&s).Error
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// UserBySession returns the user of a live session, with memberships, and
// extends the session's idle time (at most up to SessionMaxAge).
func UserBySession(db *gorm.DB, token string, now time.Time) (*User, error) {
	if len(token) != 43 {
		return nil, ErrNotFound
	}
	var s Session
	err := db.Where("token_hash = ? AND expires_at > ?", HashToken(token), now).Take(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var u User
	if err := db.Preload("Memberships").Where("disabled = ?", false).First(&u, s.UserID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if now.Sub(s.LastSeenAt) > sessionTouch {
		exp := now.Add(SessionIdle)
		if limit := s.CreatedAt.Add(SessionMaxAge); exp.After(limit) {
			exp = limit
		}
		db.Model(&Session{}).Where("id = ?", s.ID).Updates(map[string]any{"last_seen_at": now, "expires_at": exp})
	}
	return &u, nil
}

// DeleteSession ends the session with this id, if there is one.
func DeleteSession(db *gorm.DB, token string) error {
	if token == "" {
		return nil
	}
	return db.Where("token_hash = ?", HashToken(token)).Delete(&Session{}).Error
}

// DeleteUserSessions ends every session of a user except the one with
// keepToken (pass "" to end them all).
func DeleteUserSessions(db *gorm.DB, userID uint, keepToken string) error {
	q := db.Where("user_id = ?", userID)
	if keepToken != "" {
		q = q.Where("token_hash <> ?", HashToken(keepToken))
	}
	return q.Delete(&Session{}).Error
}

// ChangePassword checks the user's current password and sets a new one;
// the user's other sessions end.
func ChangePassword(db *gorm.DB, userID uint, current, next, keepSession string, now time.Time) error {
	var u User
	if err := db.First(&u, userID).Error; err != nil {
		return err
	}
	v := &ValidationError{}
	if !u.CheckPassword(current) {
		v.Add("current_password", "Your current password is not right")
	}
	if current != "" && current == next {
		v.Add("new_password", "Choose a password different from your current one")
	}
	hash, err := HashPassword(next)
	if err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		v.Add("new_password", ve.Fields["password"])
	}
	if err := v.Err(); err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", userID).Updates(map[string]any{"password_hash": hash, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := DeleteUserSessions(tx, userID, keepSession); err != nil {
			return err
		}
		if err := revokeUserAPITokens(tx, userID, "password changed", now); err != nil {
			return err
		}
		return LogAccountActivity(tx, &userID, "password_changed", "", now)
	})
}
