package models

import (
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Roles and scope. There are three kinds of account:
//
//   - an admin (User.Admin) may do everything;
//   - an organiser holds a Membership with role MemberOrganiser in one or
//     more organisations, and manages the events those organisations host or
//     co-host (and the registrations of those events only);
//   - a door volunteer holds only memberships with role MemberDoor (the
//     organisations they volunteer for) and DoorAssignments: for each
//     assigned event they may see the confirmed attendees' names and check
//     them in, nothing else.
//
// An account with no membership at all (as `convene token create` makes for
// a new address) counts as an organiser without an organisation: it may
// create events, which only it and the admins can then manage.
//
// Authorize is the one decision used by the organiser workspace and by the
// JSON API's bearer tokens alike; ScopeEvents is the same rule as a query.

// Membership roles.
const (
	MemberOrganiser = "organiser"
	MemberDoor      = "door"
)

// Action is what a user wants to do with an event.
type Action int

// Actions on an event.
const (
	// ActManage: edit, publish, cancel, see and change registrations, export.
	ActManage Action = iota
	// ActCheckIn: see confirmed attendees' names and check them in.
	ActCheckIn
)

// ErrForbidden refuses an action the user's role does not allow.
var ErrForbidden = errors.New("your account does not allow this")

// DoorAssignment lets a user check people in at one event's door.
type DoorAssignment struct {
	ID          uint `gorm:"primaryKey"`
	UserID      uint `gorm:"not null;uniqueIndex:idx_door_assignment"`
	User        User
	EventID     uint `gorm:"not null;uniqueIndex:idx_door_assignment;index"`
	CreatedByID *uint
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
}

// IsOrganiser reports whether the user may create and manage events: an
// admin, an organiser of an organisation, or an account without any
// membership. Door volunteers are not.
func (u *User) IsOrganiser() bool {
	if u.Admin || len(u.Memberships) == 0 {
		return true
	}
	for _, m := range u.Memberships {
		if m.Role != MemberDoor {
			return true
		}
	}
	return false
}

// OrganisesOrg reports whether the user may act for the organisation: an
// admin, or an organiser member of it.
func (u *User) OrganisesOrg(orgID uint) bool {
	if u.Admin {
		return true
	}
	for _, m := range u.Memberships {
		if m.OrganisationID == orgID && m.Role != MemberDoor {
			return true
		}
	}
	return false
}

// HostsError refuses hosts that would put an event out of its editor's
// reach, or hand it to organisations they do not belong to.
type HostsError struct {
	// NoOrganisation: the account organises no organisation, so it may
	// only leave its events without hosts.
	NoOrganisation bool
}

func (e *HostsError) Error() string {
	if e.NoOrganisation {
		return "Your account organises no organisation: leave the hosts empty, or ask an admin to add you to your organisation"
	}
	return "Include one of your own organisations as host or co-host"
}

// CheckHosts is the host rule, for every place that sets an event's hosts
// (the editor and the API, creating and changing): an admin may name any
// organisations; anybody else must keep among them an organisation they
// organise (a door volunteer's membership does not count). So nobody creates
// or changes an event out of their own reach, or hands it to organisations
// they do not belong to; co-hosting with partners stays open. An account
// that organises no organisation may only leave the hosts empty (its events
// are then its own). Unknown slugs are left to the event's own validation.
func CheckHosts(db *gorm.DB, u *User, hosts []HostInput) error {
	if u.Admin {
		return nil
	}
	own := u.OrganisationIDs()
	if len(own) == 0 {
		if len(hosts) == 0 {
			return nil
		}
		return &HostsError{NoOrganisation: true}
	}
	slugs := make([]string, 0, len(hosts))
	for _, h := range hosts {
		slugs = append(slugs, strings.TrimSpace(h.Organisation))
	}
	if len(slugs) == 0 {
		return &HostsError{}
	}
	var n int64
	if err := db.Model(&Organisation{}).Where("slug IN ? AND id IN ?", slugs, own).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return &HostsError{}
	}
	return nil
}

// Authorize decides whether u may perform act on ev: nil when allowed,
// ErrForbidden otherwise. u.Memberships must be loaded, and ev.Hosts. Those
// who may manage an event may also check people in; door volunteers may
// only check in at the events assigned to them.
func Authorize(db *gorm.DB, u *User, ev *Event, act Action) error {
	if u == nil || ev == nil {
		return ErrForbidden
	}
	if u.CanManage(ev) {
		return nil
	}
	if act != ActCheckIn {
		return ErrForbidden
	}
	var n int64
	if err := db.Model(&DoorAssignment{}).Where("user_id = ? AND event_id = ?", u.ID, ev.ID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return ErrForbidden
	}
	return nil
}

// ScopeEvents restricts a query on events to those u may act on with act:
// the same rule as Authorize, for lists.
func ScopeEvents(q *gorm.DB, u *User, act Action) *gorm.DB {
	if u.Admin {
		return q
	}
	orgs := u.OrganisationIDs()
	if len(orgs) == 0 {
		orgs = []uint{0}
	}
	manage := "(events.id IN (SELECT event_id FROM event_hosts WHERE organisation_id IN ?) OR " +
		"(events.created_by_id = ? AND NOT EXISTS (SELECT 1 FROM event_hosts WHERE event_hosts.event_id = events.id)))"
	if act == ActCheckIn {
		return q.Where(manage+" OR events.id IN (SELECT event_id FROM door_assignments WHERE user_id = ?)", orgs, u.ID, u.ID)
	}
	return q.Where(manage, orgs, u.ID)
}

// AssignDoor gives userID check-in rights at eventID; assigning twice is fine.
func AssignDoor(db *gorm.DB, eventID, userID uint, byID *uint, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&DoorAssignment{}).Where("user_id = ? AND event_id = ?", userID, eventID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if err := tx.Create(&DoorAssignment{UserID: userID, EventID: eventID, CreatedByID: byID, CreatedAt: now}).Error; err != nil {
			return err
		}
		return logActivity(tx, eventID, nil, byID, "door_assigned", userRef(tx, userID), now)
	})
}

// UnassignDoor removes a door assignment.
func UnassignDoor(db *gorm.DB, eventID, userID uint, byID *uint, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		res := tx.Where("user_id = ? AND event_id = ?", userID, eventID).Delete(&DoorAssignment{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return logActivity(tx, eventID, nil, byID, "door_unassigned", userRef(tx, userID), now)
	})
}

// DoorTeam lists the door volunteers of an event, with their accounts.
func DoorTeam(db *gorm.DB, eventID uint) ([]DoorAssignment, error) {
	var out []DoorAssignment
	err := db.Preload("User").Where("event_id = ?", eventID).Order("id").Find(&out).Error
	return out, err
}

// userRef names a staff account in the audit log by its email address (never
// an attendee's: registrations are referred to by id).
func userRef(tx *gorm.DB, userID uint) string {
	var u User
	if tx.Select("id", "email").First(&u, userID).Error != nil {
		return "an unknown account"
	}
	return "user " + u.Email
}
