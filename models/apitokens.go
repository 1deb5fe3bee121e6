package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// APITokenPrefix starts every API token, so leaked tokens are recognisable.
const APITokenPrefix = "cvn_"

// Scopes of API tokens. A token may do what its scope allows, and never more
// than its account may: the scope narrows the account's rights (checked by
// models.Authorize on every request), it never widens them.
const (
	// ScopeRead: read what the account may see (events as organisers see
	// them, registrations).
	ScopeRead = "read"
	// ScopeWrite: everything the account may do (create and change events,
	// check people in), reading included.
	ScopeWrite = "write"
	// ScopeDoor: check people in, nothing else; the only scope a door
	// volunteer's account may hold.
	ScopeDoor = "door"
)

// Scopes lists the token scopes, narrowest reading first.
var Scopes = []string{ScopeRead, ScopeWrite, ScopeDoor}

// Token lifetimes: a token made without a chosen expiry lasts
// DefaultTokenLifetime; none may last longer than MaxTokenLifetime.
const (
	DefaultTokenLifetime = 90 * 24 * time.Hour
	MaxTokenLifetime     = 365 * 24 * time.Hour
)

// APITokenInput describes a new API token.
type APITokenInput struct {
	Name string
	// Scope is one of Scopes; empty means the widest the account may hold
	// (ScopeWrite, or ScopeDoor for a door volunteer).
	Scope string
	// ExpiresAt is when the token stops working; nil means
	// DefaultTokenLifetime from now.
	ExpiresAt *time.Time
}

// WidestScope is the widest scope the user's tokens may have.
func (u *User) WidestScope() string {
	if u.IsOrganiser() {
		return ScopeWrite
	}
	return ScopeDoor
}

// UserAPITokens lists a user's API tokens, newest first (hashes only).
func UserAPITokens(db *gorm.DB, userID uint) ([]APIToken, error) {
	var out []APIToken
	err := db.Where("user_id = ?", userID).Order("id DESC").Find(&out).Error
	return out, err
}

// NewAPIToken creates a token for a user as in says (see
// ValidateAPIToken), records it in the audit log, and returns the token (to
// be shown once) and its row.
func NewAPIToken(db *gorm.DB, userID uint, in APITokenInput, now time.Time) (string, *APIToken, error) {
	var u User
	if err := db.Preload("Memberships").First(&u, userID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return "", nil, ErrNotFound
		}
		return "", nil, err
	}
	if err := ValidateAPIToken(&u, &in, now); err != nil {
		return "", nil, err
	}
	token := APITokenPrefix + RandomString(32)
	t := APIToken{UserID: userID, Name: in.Name, TokenHash: HashToken(token), Scope: in.Scope, ExpiresAt: in.ExpiresAt, CreatedAt: now}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("User").Create(&t).Error; err != nil {
			return err
		}
		detail := fmt.Sprintf("%s (%s, expires %s)", t.Name, t.Scope, t.ExpiresAt.UTC().Format("2006-01-02"))
		return LogAccountActivity(tx, &userID, "api_token_created", detail, now)
	})
	if err != nil {
		return "", nil, err
	}
	return token, &t, nil
}

// ValidateAPIToken checks a new token of u, filling in the defaults (the
// widest scope u may hold, DefaultTokenLifetime): a one-line name, a scope
// u may hold (a door volunteer only door), an expiry in the future and at
// most MaxTokenLifetime away.
func ValidateAPIToken(u *User, in *APITokenInput, now time.Time) error {
	v := &ValidationError{}
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		v.Add("name", "Enter a name for the token, such as the tool that will use it")
	case len([]rune(in.Name)) > 100:
		v.Add("name", "Name must be 100 characters or fewer")
	case !CleanName(in.Name):
		v.Add("name", NameMessage)
	}
	if in.Scope == "" {
		in.Scope = u.WidestScope()
	}
	switch {
	case !contains(Scopes, in.Scope):
		v.Add("scope", "Choose what the token may do: read, write or door")
	case !u.IsOrganiser() && in.Scope != ScopeDoor:
		v.Add("scope", "Your account checks people in at the door: its tokens can only check people in (door)")
	}
	if in.ExpiresAt == nil {
		t := now.Add(DefaultTokenLifetime)
		in.ExpiresAt = &t
	}
	switch {
	case !in.ExpiresAt.After(now):
		v.Add("expires", "Choose an expiry in the future")
	case in.ExpiresAt.After(now.Add(MaxTokenLifetime)):
		v.Add("expires", fmt.Sprintf("A token may last at most %d days", int(MaxTokenLifetime.Hours()/24)))
	}
	return v.Err()
}

// AuthenticateAPIToken returns a live token (not revoked, not expired, of
// an account that is not disabled) with its user and memberships, and
// notes its use. Any other token is ErrNotFound.
func AuthenticateAPIToken(db *gorm.DB, token string, now time.Time) (*APIToken, error) {
	if !strings.HasPrefix(token, APITokenPrefix) || len(token) > 100 {
		return nil, ErrNotFound
	}
	var t APIToken
	err := db.Preload("User").Preload("User.Memberships").
		Where("token_hash = ? AND revoked_at IS NULL AND expires_at > ?", HashToken(token), now).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && t.User.Disabled) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		db.Model(&APIToken{}).Where("id = ?", t.ID).Update("last_used_at", now)
	}
	return &t, nil
}

// RevokeAPIToken revokes one of the user's tokens; revoking twice is fine.
// A token of another user is ErrNotFound.
func RevokeAPIToken(db *gorm.DB, userID, tokenID uint, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var t APIToken
		if err := tx.Where("id = ? AND user_id = ?", tokenID, userID).Take(&t).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		if t.RevokedAt != nil {
			return nil
		}
		if err := tx.Model(&APIToken{}).Where("id = ?", t.ID).Update("revoked_at", now).Error; err != nil {
			return err
		}
		return LogAccountActivity(tx, &userID, "api_token_revoked", t.Name, now)
	})
}

// revokeUserAPITokens revokes every live token of a user, when their
// password changes or is reset: whoever knew the old password may have
// made tokens with it. why goes to the audit log.
func revokeUserAPITokens(tx *gorm.DB, userID uint, why string, now time.Time) error {
	res := tx.Model(&APIToken{}).Where("user_id = ? AND revoked_at IS NULL AND expires_at > ?", userID, now).Update("revoked_at", now)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	return LogAccountActivity(tx, &userID, "api_tokens_revoked", fmt.Sprintf("%d %s: %s", res.RowsAffected, Plural(int(res.RowsAffected), "token", "tokens"), why), now)
}
