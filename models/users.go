package models

import (
	"errors"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// HashPassword hashes a password with bcrypt.
func HashPassword(pw string) (string, error) {
	if len(pw) < 10 {
		return "", Invalid("password", "Use a password of at least 10 characters")
	}
	if len(pw) > 72 {
		return "", Invalid("password", "Use a password of at most 72 characters")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), 12)
	return string(h), err
}

// CheckPassword reports whether pw matches the user's hash.
func (u *User) CheckPassword(pw string) bool {
	ok := u.PasswordHash != "" && bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(pw)) == nil
	return ok && !u.Disabled
}

// EnsureUser finds the user with email or creates one. The first account is
// always an admin. It reports whether the user was created.
func EnsureUser(db *gorm.DB, email, name string, admin bool, password string, now time.Time) (*User, bool, error) {
	email = NormaliseEmail(email)
	if !ValidEmail(email) {
		return nil, false, Invalid("email", "Enter a valid email address")
	}
	var u User
	created := false
	err := db.Transaction(func(tx *gorm.DB) error {
		err := tx.Where("email = ?", email).Take(&u).Error
		if err == nil {
			changed := false
			if admin && !u.Admin {
				u.Admin, changed = true, true
			}
			if name != "" && u.Name != name {
				u.Name, changed = name, true
			}
			if password != "" {
				h, err := HashPassword(password)
				if err != nil {
					return err
				}
				u.PasswordHash, changed = h, true
			}
			if changed {
				u.UpdatedAt = now
				return tx.Save(&u).Error
			}
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		var n int64
		if err := tx.Model(&User{}).Count(&n).Error; err != nil {
			return err
		}
		u = User{Email: email, Name: strings.TrimSpace(name), Admin: admin || n == 0, CreatedAt: now, UpdatedAt: now}
		if password != "" {
			h, err := HashPassword(password)
			if err != nil {
				return err
			}
			u.PasswordHash = h
		}
		created = true
		return tx.Create(&u).Error
	})
	if err != nil {
		return nil, false, err
	}
	return &u, created, nil
}

// APITokenPrefix starts every API token, so leaked tokens are recognisable.
const APITokenPrefix = "cvn_"

// CreateAPIToken makes a new bearer token for user and returns it; only its
// hash is stored.
func CreateAPIToken(db *gorm.DB, userID uint, name string, now time.Time) (string, error) {
	token := APITokenPrefix + RandomString(32)
	t := APIToken{UserID: userID, Name: name, TokenHash: HashToken(token), CreatedAt: now}
	if err := db.Create(&t).Error; err != nil {
		return "", err
	}
	return token, nil
}

// UserByAPIToken returns the user of a live token and notes its use.
func UserByAPIToken(db *gorm.DB, token string, now time.Time) (*User, error) {
	if !strings.HasPrefix(token, APITokenPrefix) || len(token) > 100 {
		return nil, ErrNotFound
	}
	var t APIToken
	err := db.Preload("User").Preload("User.Memberships").Where("token_hash = ? AND revoked_at IS NULL", HashToken(token)).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && t.User.Disabled) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		db.Model(&APIToken{}).Where("id = ?", t.ID).Update("last_used_at", now)
	}
	return &t.User, nil
}

// OrganisationIDs lists the organisations the user organises (not those
// they only volunteer at the door for).
func (u *User) OrganisationIDs() []uint {
	var ids []uint
	for _, m := range u.Memberships {
		if m.Role != MemberDoor {
			ids = append(ids, m.OrganisationID)
		}
	}
	return ids
}

// CanManage reports whether the user may change ev and see its registrations:
// admins always, organisers when one of their organisations hosts it.
func (u *User) CanManage(ev *Event) bool {
	if u.Admin {
		return true
	}
	for _, h := range ev.Hosts {
		for _, m := range u.Memberships {
			if m.OrganisationID == h.OrganisationID && m.Role != MemberDoor {
				return true
			}
		}
	}
	return ev.CreatedByID != nil && *ev.CreatedByID == u.ID && len(ev.Hosts) == 0
}
