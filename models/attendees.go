package models

import (
	"sort"
	"strings"

	"gorm.io/gorm"
)

// AttendeeFilter narrows an event's registrations on the attendees page.
type AttendeeFilter struct {
	Query      string // part of the name or email
	Status     string // one of RegStatuses, or "" for all
	Attendance string // in_person, online, or ""
	CheckedIn  string // "yes", "no", or ""
}

// FindAttendees lists an event's registrations matching f, in the order of
// EventRegistrations.
func FindAttendees(db *gorm.DB, eventID uint, f AttendeeFilter) ([]Registration, error) {
	q := db.Where("event_id = ?", eventID)
	if s := strings.TrimSpace(f.Query); s != "" {
		p := likePattern(s)
		q = q.Where(`(LOWER(name) LIKE ? ESCAPE '\' OR email_norm LIKE ? ESCAPE '\')`, p, p)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Attendance != "" {
		q = q.Where("attendance = ?", f.Attendance)
	}
	switch f.CheckedIn {
	case "yes":
		q = q.Where("checked_in_at IS NOT NULL")
	case "no":
		q = q.Where("checked_in_at IS NULL")
	}
	var regs []Registration
	err := q.Order(statusOrder + ", waitlist_seq, id").Find(&regs).Error
	return regs, err
}

// Tally counts registrations and people (registrants with their guests).
type Tally struct {
	Registrations int
	People        int
}

func (t *Tally) add(r *Registration) {
	t.Registrations++
	t.People += r.Places()
}

// DietCount is one line of the catering headcount.
type DietCount struct {
	Diet   string
	People int
}

// AccessNeed is one confirmed in-person registration's access needs.
type AccessNeed struct {
	RegistrationID uint
	Name           string
	People         int
	Needs          string
}

// AttendeeSummary is the organiser's view of who is coming.
type AttendeeSummary struct {
	Confirmed       Tally
	ConfirmedOnline Tally
	Waitlisted      Tally
	Pending         Tally
	Unconfirmed     Tally
	Declined        Tally
	Cancelled       Tally
	CheckedIn       Tally
	// Catering counts confirmed in-person people by dietary choice, each
	// person of a party by their own: a registrant with "halal" and two
	// guests who stated none counts 1 halal and 2 not stated. Choices nobody
	// made are left out; "not stated" collects the people without one.
	Catering     []DietCount
	CateringSum  int
	DietaryOther []string
	AccessNeeds  []AccessNeed
}

// DietNotStated labels in-person people who gave no dietary choice.
const DietNotStated = "not_stated"

// SummariseAttendees computes totals, the catering headcount and the access
// needs of an event's registrations; purged holds the catering headcount of
// those whose dietary choices the retention policy removed (CateringTallies,
// for the registrations marked PurgedAt or AnswersPurgedAt).
func SummariseAttendees(regs []Registration, purged []CateringTally) AttendeeSummary {
	var s AttendeeSummary
	diets := map[string]int{}
	for _, t := range purged {
		diets[t.Diet] += t.People
		s.CateringSum += t.People
	}
	for i := range regs {
		r := &regs[i]
		switch r.Status {
		case RegConfirmed:
			if r.Attendance == Online {
				s.ConfirmedOnline.add(r)
				break
			}
			s.Confirmed.add(r)
			if r.PurgedAt != nil || r.AnswersPurgedAt != nil {
				break // counted in purged
			}
			for _, d := range r.PartyDiets() {
				diets[dietKey(d.Dietary)]++
				s.CateringSum++
				if o := strings.TrimSpace(d.Other); o != "" {
					s.DietaryOther = append(s.DietaryOther, o)
				}
			}
			if n := strings.TrimSpace(r.AccessNeeds); n != "" {
				s.AccessNeeds = append(s.AccessNeeds, AccessNeed{RegistrationID: r.ID, Name: r.Name, People: r.Places(), Needs: n})
			}
		case RegWaitlisted:
			s.Waitlisted.add(r)
		case RegPending:
			s.Pending.add(r)
		case RegUnconfirmed:
			s.Unconfirmed.add(r)
		case RegDeclined:
			s.Declined.add(r)
		case RegCancelled:
			s.Cancelled.add(r)
		}
		if r.Status == RegConfirmed && r.CheckedInAt != nil {
			s.CheckedIn.Registrations++
			s.CheckedIn.People += r.Arrived()
		}
	}
	for _, d := range append(append([]string{}, DietaryChoices...), DietNotStated) {
		if n := diets[d]; n > 0 {
			s.Catering = append(s.Catering, DietCount{Diet: d, People: n})
			delete(diets, d)
		}
	}
	// Values stored before a choice was retired still count.
	var rest []string
	for d := range diets {
		rest = append(rest, d)
	}
	sort.Strings(rest)
	for _, d := range rest {
		s.Catering = append(s.Catering, DietCount{Diet: d, People: diets[d]})
	}
	return s
}
