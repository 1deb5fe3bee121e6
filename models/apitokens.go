package models

import (
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// UserAPITokens lists a user's API tokens, newest first (hashes only).
func UserAPITokens(db *gorm.DB, userID uint) ([]APIToken, error) {
	var out []APIToken
	err := db.Where("user_id = ?", userID).Order("id DESC").Find(&out).Error
	return out, err
}

// NewAPIToken creates a named token for a user, recording it in the audit
// log, and returns the token (to be shown once).
func NewAPIToken(db *gorm.DB, userID uint, name string, now time.Time) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", Invalid("name", "Enter a name for the token, such as the tool that will use it")
	case len([]rune(name)) > 100:
		return "", Invalid("name", "Name must be 100 characters or fewer")
	}
	var token string
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		if token, err = CreateAPIToken(tx, userID, name, now); err != nil {
			return err
		}
		return LogAccountActivity(tx, &userID, "api_token_created", name, now)
	})
	return token, err
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
