package models

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Reserved places (SPEC §3a). An allocation keeps in-person places of an
// event for a community, usually a host: registrations through its private
// code use its places first, the public cannot take them, and at its
// release time (or, without one, when registration closes) the places not
// taken join the public pool and the waitlist is promoted. The places are
// counted by the ledger (ledger.go): Event.Reserved holds the unused places
// of unreleased allocations, and one guarded UPDATE keeps Taken + Reserved
// within Capacity.

// Allocation is a number of an event's in-person places reserved for a
// community.
type Allocation struct {
	ID             uint   `gorm:"primaryKey"`
	EventID        uint   `gorm:"not null;index"`
	Label          string `gorm:"size:120;not null"`
	OrganisationID *uint
	Organisation   *Organisation
	Places         int `gorm:"not null"`
	// Taken is the confirmed places of registrations through the code that
	// came from this allocation (Registration.Allocated summed).
	Taken int `gorm:"not null;default:0"`
	// ReleaseAt is when unused places join the public pool; nil means when
	// registration closes. ReleasedAt is when that happened.
	ReleaseAt    *time.Time
	ReleasedAt   *time.Time
	ContactEmail string `gorm:"size:254"`
	// CodeNonce derives the private code (Tokens.AllocationCode); a new
	// nonce makes the old link stop working.
	CodeNonce string    `gorm:"size:32;not null"`
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

// Free is how many of the allocation's places are still held for its
// community: none once released.
func (a *Allocation) Free() int {
	if a.ReleasedAt != nil {
		return 0
	}
	return max(0, a.Places-a.Taken)
}

// Releases is when the allocation's unused places join the public pool.
func (a *Allocation) Releases(ev *Event) time.Time {
	if a.ReleaseAt != nil {
		return *a.ReleaseAt
	}
	return ev.RegistrationCloses()
}

// Open reports whether the allocation still holds places at now: not
// released, and its release time not reached.
func (a *Allocation) Open(ev *Event, now time.Time) bool {
	return a.ReleasedAt == nil && now.Before(a.Releases(ev))
}

// MailAllocation is the mail that gives a community's contact the link to
// the allocation's places.
const MailAllocation = "allocation_link"

// AllocationCode is the private code of an allocation's link: its ID and an
// HMAC of the ID and its nonce under the server's secret.
func (t Tokens) AllocationCode(a *Allocation) string {
	id := strconv.FormatUint(uint64(a.ID), 10)
	return id + "_" + t.derive("allocation:", id+":"+a.CodeNonce)
}

// Errors of allocation codes: the person registers in the public pool and
// is told why.
var (
	ErrCodeUnknown  = errors.New("this link's code is not valid for this event")
	ErrCodeReleased = errors.New("the places this link reserved have been released")
)

// AllocationByCode returns the allocation of ev whose code is code:
// ErrCodeUnknown when the code is malformed, forged or of another event,
// ErrCodeReleased (with the allocation) when its places are released or its
// release time has passed.
func AllocationByCode(db *gorm.DB, tok Tokens, ev *Event, code string, now time.Time) (*Allocation, error) {
	idPart, _, ok := strings.Cut(code, "_")
	id, err := strconv.ParseUint(idPart, 10, 32)
	if !ok || err != nil || id == 0 || len(code) > 80 {
		return nil, ErrCodeUnknown
	}
	var a Allocation
	if err := db.Where("id = ? AND event_id = ?", id, ev.ID).Take(&a).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrCodeUnknown
		}
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(tok.AllocationCode(&a)), []byte(code)) != 1 {
		return nil, ErrCodeUnknown
	}
	if !a.Open(ev, now) {
		return &a, ErrCodeReleased
	}
	return &a, nil
}

// EventAllocations lists an event's allocations, with their organisations,
// in the order they were made.
func EventAllocations(db *gorm.DB, eventID uint) ([]Allocation, error) {
	var out []Allocation
	err := db.Preload("Organisation").Where("event_id = ?", eventID).Order("id").Find(&out).Error
	return out, err
}

// AllocationsOf lists the allocations of several events: event ID → list.
func AllocationsOf(db *gorm.DB, eventIDs []uint) (map[uint][]Allocation, error) {
	out := map[uint][]Allocation{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	var rows []Allocation
	if err := db.Preload("Organisation").Where("event_id IN ?", eventIDs).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, a := range rows {
		out[a.EventID] = append(out[a.EventID], a)
	}
	return out, nil
}

// AllocationInput creates or changes an allocation. ID nil is a new one.
type AllocationInput struct {
	ID *uint
	// Label names the community, such as "Finchley Reform Synagogue".
	Label string
	// Organisation is the slug of the organisation, or "".
	Organisation string
	Places       int
	ReleaseAt    *time.Time
	ContactEmail string
}

// SaveAllocation creates (in.ID nil) or changes an allocation of the event
// and returns it. Its places must fit the event's free in-person places;
// fewer places than are confirmed through it are refused with the count. A
// release time in the past releases the unused places now (and promotes the
// waitlist); a later one for a released allocation reserves its places
// again, if they are free.
func SaveAllocation(db *gorm.DB, eventID uint, in AllocationInput, userID *uint, now time.Time) (*Allocation, error) {
	var out *Allocation
	err := db.Transaction(func(tx *gorm.DB) error {
		ev, err := lockEvent(tx, eventID)
		if err != nil {
			return err
		}
		l := newLedger(tx, ev)
		out, err = l.saveAllocation(in, "", userID, now)
		if err != nil {
			return err
		}
		_, err = l.promoteAll(now)
		return err
	})
	return out, err
}

// RemoveAllocation deletes an allocation nobody registered through; its
// unused places join the public pool. One that was used is refused (a
// *StateError): release it instead.
func RemoveAllocation(db *gorm.DB, eventID, allocationID uint, userID *uint, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		ev, err := lockEvent(tx, eventID)
		if err != nil {
			return err
		}
		l := newLedger(tx, ev)
		if err := l.removeAllocation(allocationID, userID, now); err != nil {
			return err
		}
		_, err = l.promoteAll(now)
		return err
	})
}

// ReplaceAllocations makes the event's allocations those of list (the API's
// PATCH): entries with an ID change that allocation, entries without one
// are new, and allocations left out are removed (refused for one that was
// used). Fields are named "allocations.N.field" in a ValidationError.
func ReplaceAllocations(tx *gorm.DB, ev *Event, list []AllocationInput, userID *uint, now time.Time) error {
	l := newLedger(tx, ev)
	existing, err := EventAllocations(tx, ev.ID)
	if err != nil {
		return err
	}
	for i := range existing {
		l.allocs[existing[i].ID] = &existing[i]
	}
	keep := map[uint]bool{}
	for _, in := range list {
		if in.ID != nil {
			keep[*in.ID] = true
		}
	}
	// Removals and decreases first, so that their places can go to the others.
	for _, a := range existing {
		if !keep[a.ID] {
			if err := l.removeAllocation(a.ID, userID, now); err != nil {
				var se *StateError
				if errors.As(err, &se) {
					return Invalid("allocations", se.Msg)
				}
				return err
			}
		}
	}
	order := make([]int, 0, len(list))
	for i, in := range list {
		if in.ID != nil && l.allocs[*in.ID] != nil && in.Places < l.allocs[*in.ID].Places {
			order = append(order, i)
		}
	}
	for i, in := range list {
		if !(in.ID != nil && l.allocs[*in.ID] != nil && in.Places < l.allocs[*in.ID].Places) {
			order = append(order, i)
		}
	}
	for _, i := range order {
		if _, err := l.saveAllocation(list[i], fmt.Sprintf("allocations.%d.", i), userID, now); err != nil {
			return err
		}
	}
	_, err = l.promoteAll(now)
	return err
}

// validateAllocation checks an allocation's input, naming fields with prefix.
func validateAllocation(tx *gorm.DB, ev *Event, in *AllocationInput, prefix string) (*uint, error) {
	v := &ValidationError{}
	in.Label = strings.TrimSpace(in.Label)
	in.ContactEmail = strings.TrimSpace(in.ContactEmail)
	switch {
	case in.Label == "":
		v.Add(prefix+"label", "Enter who the places are for, such as the name of a community")
	case len([]rune(in.Label)) > 120 || !CleanText(in.Label) || strings.ContainsAny(in.Label, "\r\n"):
		v.Add(prefix+"label", "Enter a name of up to 120 characters on one line")
	}
	switch {
	case in.Places < 1:
		v.Add(prefix+"places", "Reserve at least 1 place")
	case in.Places > 100000:
		v.Add(prefix+"places", "Reserve at most 100,000 places")
	}
	if in.ContactEmail != "" && (len(in.ContactEmail) > 254 || !ValidEmail(in.ContactEmail) || !CleanText(in.ContactEmail)) {
		v.Add(prefix+"contact_email", "Enter an email address in the correct format, like name@example.org")
	}
	if !ev.InPerson {
		v.Add(prefix+"places", "Reserved places are in-person places: this event is online only")
	} else if ev.Capacity == nil {
		v.Add(prefix+"places", "Set an in-person capacity before reserving places: an unlimited event has nothing to reserve")
	}
	var orgID *uint
	if in.Organisation != "" {
		org, err := OrganisationBySlug(tx, in.Organisation)
		switch {
		case errors.Is(err, ErrNotFound):
			v.Add(prefix+"organisation", "There is no organisation with this address")
		case err != nil:
			return nil, err
		default:
			orgID = &org.ID
		}
	}
	return orgID, v.Err()
}

// saveAllocation creates or changes an allocation of the locked event.
func (l *ledger) saveAllocation(in AllocationInput, prefix string, userID *uint, now time.Time) (*Allocation, error) {
	ev := l.ev
	orgID, err := validateAllocation(l.tx, ev, &in, prefix)
	if err != nil {
		return nil, err
	}
	var a *Allocation
	if in.ID == nil {
		a = &Allocation{EventID: ev.ID, CodeNonce: NewNonce(), CreatedAt: now}
	} else if a, err = l.allocation(*in.ID); err != nil {
		return nil, err
	} else if a == nil {
		return nil, Invalid(prefix+"id", "This event has no allocation with this id")
	}
	if in.Places < a.Taken {
		return nil, Invalid(prefix+"places", fmt.Sprintf("%d %s of this allocation %s confirmed: it cannot have fewer places",
			a.Taken, Plural(a.Taken, "place", "places"), Plural(a.Taken, "is", "are")))
	}
	// The reserve changes by what the allocation holds back after the
	// change minus what it holds back now.
	wasHeld := a.Free()
	reopen := a.ReleasedAt != nil && in.ReleaseAt != nil && in.ReleaseAt.After(now)
	releasedAt := a.ReleasedAt
	if reopen {
		releasedAt = nil
	}
	nowHeld := 0
	if releasedAt == nil {
		nowHeld = max(0, in.Places-a.Taken)
	}
	if d := nowHeld - wasHeld; d != 0 {
		ok, err := l.reserve(d)
		if err != nil {
			return nil, err
		}
		if !ok {
			left := 0
			if p := ev.PlacesLeft(InPerson); p != nil {
				left = *p
			}
			return nil, Invalid(prefix+"places", fmt.Sprintf("Only %d more in-person %s free to reserve: reserve at most %d here, or raise the capacity",
				left, Plural(left, "place is", "places are"), wasHeld+left+a.Taken))
		}
	}
	action := "allocation_changed"
	if a.ID == 0 {
		action = "allocation_added"
	}
	a.Label, a.OrganisationID, a.Places, a.ReleaseAt, a.ReleasedAt, a.ContactEmail, a.UpdatedAt =
		in.Label, orgID, in.Places, in.ReleaseAt, releasedAt, in.ContactEmail, now
	if err := l.tx.Omit("Organisation").Save(a).Error; err != nil {
		return nil, err
	}
	l.allocs[a.ID] = a
	if err := logActivity(l.tx, ev.ID, nil, userID, action, fmt.Sprintf("%q: %d places", a.Label, a.Places), now); err != nil {
		return nil, err
	}
	return a, nil
}

// removeAllocation deletes an unused allocation of the locked event.
func (l *ledger) removeAllocation(id uint, userID *uint, now time.Time) error {
	a, err := l.allocation(id)
	if err != nil {
		return err
	}
	if a == nil {
		return ErrNotFound
	}
	var used int64
	if err := l.tx.Model(&Registration{}).Where("allocation_id = ?", a.ID).Count(&used).Error; err != nil {
		return err
	}
	if used > 0 {
		return &StateError{fmt.Sprintf("%d %s came through the link of %q: it cannot be removed, but it can be released now",
			used, Plural(int(used), "registration", "registrations"), a.Label)}
	}
	if held := a.Free(); held > 0 {
		if _, err := l.reserve(-held); err != nil {
			return err
		}
	}
	if err := l.tx.Delete(&Allocation{}, a.ID).Error; err != nil {
		return err
	}
	delete(l.allocs, a.ID)
	return logActivity(l.tx, l.ev.ID, nil, userID, "allocation_removed", fmt.Sprintf("%q", a.Label), now)
}

// ReleaseAllocations releases every allocation whose release time has come
// by now (the serve loop runs it every minute; registrations also release
// lazily) and promotes the waitlists of their events. It reports how many
// it released.
func ReleaseAllocations(db *gorm.DB, now time.Time) (int, error) {
	var eventIDs []uint
	err := db.Model(&Allocation{}).Distinct("allocations.event_id").
		Joins("JOIN events ON events.id = allocations.event_id").
		Where("allocations.released_at IS NULL AND COALESCE(allocations.release_at, events.registration_closes_at, events.starts_at) <= ?", now).
		Pluck("allocations.event_id", &eventIDs).Error
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range eventIDs {
		err := db.Transaction(func(tx *gorm.DB) error {
			ev, err := lockEvent(tx, id)
			if err != nil {
				return err
			}
			l := newLedger(tx, ev)
			k, err := l.releaseDue(now)
			if err != nil {
				return err
			}
			n += k
			_, err = l.promoteAll(now)
			return err
		})
		if err != nil && !errors.Is(err, ErrNotFound) {
			return n, err
		}
	}
	return n, nil
}

// AllocationTally is how a community is doing with its reserved places.
type AllocationTally struct {
	Allocation Allocation
	Confirmed  Tally
	Waitlisted Tally
	Pending    Tally
	// Catering counts its confirmed in-person people by dietary choice.
	Catering []DietCount
}

// TallyAllocations splits an event's registrations by allocation, in the
// order of allocs; registrations through none are left out.
func TallyAllocations(allocs []Allocation, regs []Registration) []AllocationTally {
	out := make([]AllocationTally, len(allocs))
	at := map[uint]int{}
	for i, a := range allocs {
		out[i].Allocation = a
		at[a.ID] = i
	}
	diets := make([]map[string]int, len(allocs))
	for i := range regs {
		r := &regs[i]
		if r.AllocationID == nil {
			continue
		}
		i, ok := at[*r.AllocationID]
		if !ok {
			continue
		}
		switch r.Status {
		case RegConfirmed:
			out[i].Confirmed.add(r)
			if r.Attendance == InPerson && r.PurgedAt == nil {
				if diets[i] == nil {
					diets[i] = map[string]int{}
				}
				d := r.Dietary
				if d == "" {
					d = DietNotStated
				}
				diets[i][d] += r.Places()
			}
		case RegWaitlisted:
			out[i].Waitlisted.add(r)
		case RegPending, RegUnconfirmed:
			out[i].Pending.add(r)
		}
	}
	for i := range out {
		for _, d := range append(append([]string{}, DietaryChoices...), DietNotStated) {
			if n := diets[i][d]; n > 0 {
				out[i].Catering = append(out[i].Catering, DietCount{Diet: d, People: n})
			}
		}
	}
	return out
}

// ReleaseAllocation releases an allocation now, whatever its release time:
// its unused places join the public pool and the waitlist is promoted.
// Releasing a released allocation changes nothing.
func ReleaseAllocation(db *gorm.DB, eventID, allocationID uint, userID *uint, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		ev, err := lockEvent(tx, eventID)
		if err != nil {
			return err
		}
		l := newLedger(tx, ev)
		a, err := l.allocation(allocationID)
		if err != nil {
			return err
		}
		if a == nil {
			return ErrNotFound
		}
		if a.ReleasedAt != nil {
			return nil
		}
		if err := l.release(a, userID, now); err != nil {
			return err
		}
		_, err = l.promoteAll(now)
		return err
	})
}

// MailAllocationLink writes the mail that gives an allocation's contact its
// private link to the outbox. An allocation without a contact is refused.
func MailAllocationLink(db *gorm.DB, eventID, allocationID uint, userID *uint, now time.Time) (*Allocation, error) {
	var a Allocation
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND event_id = ?", allocationID, eventID).Take(&a).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		if a.ContactEmail == "" {
			return Invalid("contact_email", "Add the community's contact address first")
		}
		data := fmt.Sprintf(`{"allocation_id":"%d"}`, a.ID)
		if err := tx.Exec(`INSERT INTO outbox_mails (kind, event_id, registration_id, "to", data, status, attempts,
			next_attempt_at, last_error, claimed_by, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, ?, 0, ?, '', '', ?, ?)`,
			MailAllocation, eventID, a.ContactEmail, data, MailPending, now, now, now).Error; err != nil {
			return err
		}
		return logActivity(tx, eventID, nil, userID, "allocation_link_mailed", fmt.Sprintf("%q", a.Label), now)
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// ReissueAllocationCode gives an allocation a new private code (a new
// nonce): its old link stops reserving places, and whoever registers
// through it afterwards registers in the public pool and is told why
// (ErrCodeUnknown). Registrations already made through it keep their
// places. The organiser's reissue is recorded.
func ReissueAllocationCode(db *gorm.DB, eventID, allocationID uint, userID *uint, now time.Time) (*Allocation, error) {
	var a Allocation
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Preload("Organisation").Where("id = ? AND event_id = ?", allocationID, eventID).Take(&a).Error; err != nil {
			return notFound("allocation", err)
		}
		a.CodeNonce, a.UpdatedAt = NewNonce(), now
		if err := tx.Model(&Allocation{}).Where("id = ?", a.ID).
			UpdateColumns(map[string]any{"code_nonce": a.CodeNonce, "updated_at": now}).Error; err != nil {
			return err
		}
		return logActivity(tx, eventID, nil, userID, "allocation_link_reissued", fmt.Sprintf("%q", a.Label), now)
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// AllocationByID returns allocation id of event eventID.
func AllocationByID(db *gorm.DB, eventID, id uint) (*Allocation, error) {
	var a Allocation
	if err := db.Where("id = ? AND event_id = ?", id, eventID).Take(&a).Error; err != nil {
		return nil, notFound("allocation", err)
	}
	return &a, nil
}

// CommunityPlaces is an allocation of an upcoming event for an organisation
// a user organises, with how its community is doing: what a host (or a
// partner that does not host) sees of its own reserved places. Counts only,
// never names.
type CommunityPlaces struct {
	Allocation Allocation
	Event      Event
	// Confirmed and Waiting count people (guests included) through its link.
	Confirmed, Waiting int
}

// CommunityAllocations lists the allocations of events that have not ended
// by now for the organisations u organises (not door memberships), soonest
// event first.
func CommunityAllocations(db *gorm.DB, u *User, now time.Time) ([]CommunityPlaces, error) {
	var orgs []uint
	for _, m := range u.Memberships {
		if m.Role == MemberOrganiser {
			orgs = append(orgs, m.OrganisationID)
		}
	}
	if len(orgs) == 0 {
		return nil, nil
	}
	var allocs []Allocation
	if err := db.Preload("Organisation").Joins("JOIN events ON events.id = allocations.event_id").
		Where("allocations.organisation_id IN ? AND events.ends_at > ?", orgs, now).
		Order("events.starts_at, allocations.id").Find(&allocs).Error; err != nil {
		return nil, err
	}
	out := make([]CommunityPlaces, 0, len(allocs))
	for _, a := range allocs {
		var ev Event
		if err := db.First(&ev, a.EventID).Error; err != nil {
			return nil, notFound("event", err)
		}
		var rows []struct {
			Status string
			People int
		}
		if err := db.Model(&Registration{}).Select("status, COALESCE(SUM(1 + guests), 0) AS people").
			Where("allocation_id = ? AND status IN ?", a.ID, []string{RegConfirmed, RegWaitlisted}).Group("status").Scan(&rows).Error; err != nil {
			return nil, err
		}
		cp := CommunityPlaces{Allocation: a, Event: ev}
		for _, r := range rows {
			if r.Status == RegConfirmed {
				cp.Confirmed = r.People
			} else {
				cp.Waiting = r.People
			}
		}
		out = append(out, cp)
	}
	return out, nil
}
