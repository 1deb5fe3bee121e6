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
	name = strings.TrimSpace(name)
	v := &ValidationError{}
	if !ValidEmail(email) {
		v.Add("email", "Enter a valid email address")
	}
	if !CleanName(name) {
		v.Add("name", NameMessage)
	}
	if err := v.Err(); err != nil {
		return nil, false, err
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
			if !changed {
				return nil
			}
			u.UpdatedAt = now
			if err := tx.Save(&u).Error; err != nil {
				return err
			}
			if password == "" {
				return nil
			}
			// A new password ends what the old one opened.
			if err := DeleteUserSessions(tx, u.ID, ""); err != nil {
				return err
			}
			return revokeUserAPITokens(tx, u.ID, "password set from the command line", now)
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		var n int64
		if err := tx.Model(&User{}).Count(&n).Error; err != nil {
			return err
		}
		u = User{Email: email, Name: name, Admin: admin || n == 0, CreatedAt: now, UpdatedAt: now}
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
