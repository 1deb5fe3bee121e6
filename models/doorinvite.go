package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// InviteDoorVolunteer lets an event's organiser (or an admin) bring a new
// door volunteer: it makes an account for an address that has none, as a
// door volunteer (MemberDoor) of the event's hosts that the inviter
// organises, assigns it to the event's door, and returns it with a
// one-time link to choose a password (InviteValidity). Only a new address
// is taken: an existing account is assigned with AssignDoor instead, and
// an organiser can never make a link for an account someone else
// invited. The account can only check people in at the events it is given.
func InviteDoorVolunteer(db *gorm.DB, by *User, ev *Event, email, name string, now time.Time) (*User, string, error) {
	if err := Authorize(db, by, ev, ActManage); err != nil {
		return nil, "", err
	}
	v := &ValidationError{}
	email = NormaliseEmail(email)
	name = strings.TrimSpace(name)
	checkEmail(v, "email", email, "Enter the email address of the volunteer")
	checkName(v, "name", name, "")
	// The volunteer helps the hosts the inviter acts for.
	var orgs []uint
	for _, h := range ev.Hosts {
		if by.OrganisesOrg(h.OrganisationID) {
			orgs = append(orgs, h.OrganisationID)
		}
	}
	if len(orgs) == 0 && v.Fields["email"] == "" {
		v.Add("email", "Door volunteers help an organisation, and this event has no host you organise: give it a host first, or ask an admin to invite them")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	var u User
	var token string
	err := db.Transaction(func(tx *gorm.DB) error {
		err := tx.Where("email = ?", email).Take(&u).Error
		switch {
		case err == nil:
			return Invalid("email", "There is already an account with this address: add it to the door team without inviting")
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		u = User{Email: email, Name: name, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		if err := setRoles(tx, &u, false, nil, orgs, now); err != nil {
			return err
		}
		if token, err = newPasswordToken(tx, u.ID, &by.ID, now); err != nil {
			return err
		}
		if err := tx.Create(&DoorAssignment{UserID: u.ID, EventID: ev.ID, CreatedByID: &by.ID, CreatedAt: now}).Error; err != nil {
			return err
		}
		if err := LogAccountActivity(tx, &by.ID, "user_invited", fmt.Sprintf("invited %s as %s", email, AccountDoor), now); err != nil {
			return err
		}
		return logActivity(tx, ev.ID, nil, &by.ID, "door_assigned", "user "+email, now)
	})
	if err != nil {
		return nil, "", err
	}
	return &u, token, nil
}
