package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// An admin invites an organiser or door volunteer by creating their account
// without a password; the invitee chooses one through a one-time link. Only
// the link token's SHA-256 is stored; it works once, until InviteValidity
// has passed, and a new link replaces the old ones.

// InviteValidity is how long an invitation link works.
const InviteValidity = 7 * 24 * time.Hour

// PasswordToken is a one-time link to set a password.
type PasswordToken struct {
	ID          uint   `gorm:"primaryKey"`
	UserID      uint   `gorm:"not null;index"`
	TokenHash   string `gorm:"size:64;uniqueIndex;not null"`
	ExpiresAt   time.Time
	UsedAt      *time.Time
	CreatedByID *uint
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
}

// Account kinds offered when inviting.
const (
	AccountAdmin     = "admin"
	AccountOrganiser = "organiser"
	AccountDoor      = "door"
)

// InviteInput is who to invite and with which role.
type InviteInput struct {
	Email string
	Name  string
	// Kind is AccountAdmin, AccountOrganiser or AccountDoor.
	Kind string
	// Organisations the invitee organises, or volunteers for at the door
	// (required for organisers and door volunteers; optional for admins).
	Organisations []uint
}

// InviteUser creates an account without a password and returns it with a
// one-time link token. An address that already has an account is refused,
// unless that account never set a password: then it gets a new link.
func InviteUser(db *gorm.DB, in InviteInput, byID *uint, now time.Time) (*User, string, error) {
	v := &ValidationError{}
	email := NormaliseEmail(in.Email)
	name := strings.TrimSpace(in.Name)
	checkEmail(v, "email", email, "Enter the email address of the person to invite")
	checkName(v, "name", name, "")
	switch in.Kind {
	case AccountAdmin:
	case AccountOrganiser, AccountDoor:
		if len(in.Organisations) == 0 {
			v.Add("organisations", "Choose at least one organisation")
		}
	default:
		v.Add("kind", "Choose admin, organiser or door volunteer")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	var u User
	var token string
	err := db.Transaction(func(tx *gorm.DB) error {
		err := tx.Where("email = ?", email).Take(&u).Error
		switch {
		case err == nil && u.PasswordHash != "":
			return Invalid("email", "There is already an account with this email address")
		case err == nil:
		case errors.Is(err, gorm.ErrRecordNotFound):
			u = User{Email: email, Name: name, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&u).Error; err != nil {
				return err
			}
		default:
			return err
		}
		organises, door := in.Organisations, []uint(nil)
		if in.Kind == AccountDoor {
			organises, door = nil, in.Organisations
		}
		if err := setRoles(tx, &u, in.Kind == AccountAdmin, organises, door, now); err != nil {
			return err
		}
		if token, err = newPasswordToken(tx, u.ID, byID, now); err != nil {
			return err
		}
		return LogAccountActivity(tx, byID, "user_invited", fmt.Sprintf("invited %s as %s", email, in.Kind), now)
	})
	if err != nil {
		return nil, "", err
	}
	return &u, token, nil
}

// NewInviteLink replaces a user's unused links with a new one.
func NewInviteLink(db *gorm.DB, userID uint, byID *uint, now time.Time) (string, error) {
	var token string
	err := db.Transaction(func(tx *gorm.DB) error {
		var u User
		if err := tx.First(&u, userID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		var err error
		if token, err = newPasswordToken(tx, userID, byID, now); err != nil {
			return err
		}
		return LogAccountActivity(tx, byID, "invite_link_issued", "for "+u.Email, now)
	})
	return token, err
}

func newPasswordToken(tx *gorm.DB, userID uint, byID *uint, now time.Time) (string, error) {
	if err := tx.Where("user_id = ? AND used_at IS NULL", userID).Delete(&PasswordToken{}).Error; err != nil {
		return "", err
	}
	token := RandomString(32)
	pt := PasswordToken{UserID: userID, TokenHash: HashToken(token), ExpiresAt: now.Add(InviteValidity), CreatedByID: byID, CreatedAt: now}
	if err := tx.Create(&pt).Error; err != nil {
		return "", err
	}
	return token, nil
}

// UserByInvite returns the user a live, unused link token belongs to.
func UserByInvite(db *gorm.DB, token string, now time.Time) (*User, error) {
	if len(token) != 43 {
		return nil, ErrNotFound
	}
	var pt PasswordToken
	err := db.Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", HashToken(token), now).Take(&pt).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var u User
	if err := db.Preload("Memberships").First(&u, pt.UserID).Error; err != nil {
		return nil, err
	}
	return &u, nil
}

// AcceptInvite sets the password of the link's user and spends the link.
// A link that is unknown, used or expired is ErrNotFound.
func AcceptInvite(db *gorm.DB, token, password, confirm string, now time.Time) (*User, error) {
	v := &ValidationError{}
	hash, err := HashPassword(password)
	if err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return nil, err
		}
		v.Add("password", ve.Fields["password"])
	}
	if password != confirm {
		v.Add("confirm_password", "The two passwords are not the same")
	}
	var u *User
	err = db.Transaction(func(tx *gorm.DB) error {
		var err error
		if u, err = UserByInvite(tx, token, now); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		res := tx.Model(&PasswordToken{}).Where("token_hash = ? AND used_at IS NULL", HashToken(token)).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrNotFound
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": hash, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := DeleteUserSessions(tx, u.ID, ""); err != nil {
			return err
		}
		if err := revokeUserAPITokens(tx, u.ID, "password reset", now); err != nil {
			return err
		}
		return LogAccountActivity(tx, &u.ID, "invite_accepted", "", now)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetUserRoles makes a user an admin or not, an organiser of exactly the
// organisations orgIDs and a door volunteer for doorOrgIDs (an organiser
// role wins where both are given). The last admin cannot stop being one.
func SetUserRoles(db *gorm.DB, userID uint, admin bool, orgIDs, doorOrgIDs []uint, byID *uint, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var u User
		if err := tx.Preload("Memberships").First(&u, userID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		if u.Admin && !admin {
			var n int64
			if err := tx.Model(&User{}).Where("admin = ?", true).Count(&n).Error; err != nil {
				return err
			}
			if n <= 1 {
				return Invalid("admin", "This is the only admin account: make someone else an admin first")
			}
		}
		if err := setRoles(tx, &u, admin, orgIDs, doorOrgIDs, now); err != nil {
			return err
		}
		// No role at all means no access: end its sessions, revoke its tokens.
		disabled := !admin && len(orgIDs) == 0 && len(doorOrgIDs) == 0
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"disabled": disabled, "updated_at": now}).Error; err != nil {
			return err
		}
		if disabled {
			if err := tx.Where("user_id = ?", u.ID).Delete(&Session{}).Error; err != nil {
				return err
			}
			if err := tx.Model(&APIToken{}).Where("user_id = ? AND revoked_at IS NULL", u.ID).Update("revoked_at", now).Error; err != nil {
				return err
			}
		}
		return LogAccountActivity(tx, byID, "roles_changed", fmt.Sprintf("%s: admin %t, organiser of %d, door volunteer for %d", u.Email, admin, len(orgIDs), len(doorOrgIDs)), now)
	})
}

// setRoles replaces the admin flag and the memberships of u.
func setRoles(tx *gorm.DB, u *User, admin bool, orgIDs, doorOrgIDs []uint, now time.Time) error {
	for _, id := range append(append([]uint{}, orgIDs...), doorOrgIDs...) {
		var n int64
		if err := tx.Model(&Organisation{}).Where("id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return Invalid("organisations", "Choose organisations from the list")
		}
	}
	if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"admin": admin, "updated_at": now}).Error; err != nil {
		return err
	}
	if err := tx.Where("user_id = ?", u.ID).Delete(&Membership{}).Error; err != nil {
		return err
	}
	u.Admin, u.Memberships = admin, nil
	seen := map[uint]bool{}
	add := func(ids []uint, role string) error {
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			m := Membership{UserID: u.ID, OrganisationID: id, Role: role}
			if err := tx.Create(&m).Error; err != nil {
				return err
			}
			u.Memberships = append(u.Memberships, m)
		}
		return nil
	}
	if err := add(orgIDs, MemberOrganiser); err != nil {
		return err
	}
	return add(doorOrgIDs, MemberDoor)
}
