package models_test

import (
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestPartialCheckIn: part of a party can be checked in, the rest later;
// the door counts follow; the first arrival's time is kept; undo clears the
// whole party; bad numbers are refused with nothing changed.
func TestPartialCheckIn(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{InPerson: bp(true), CapacitySet: true, Capacity: ip(10), MaxGuests: ip(4)})
	party := register(t, db, ev.ID, "grace@example.org", 2, models.InPerson).Registration // 3 places
	alone := register(t, db, ev.ID, "amira@example.org", 0, models.InPerson).Registration
	later := now.Add(30 * time.Minute)

	steps := []struct {
		name     string
		reg      *models.Registration
		people   int
		at       time.Time
		wantErr  string // field of the ValidationError
		arrived  int    // of party, after the step
		counts   models.DoorCounts
		activity string // detail of the newest activity, when one is written
	}{
		{"2 of 3 arrive", party, 2, now, "", 2, models.DoorCounts{CheckedIn: 2, Expected: 4}, "2 of 3"},
		{"the same number again changes nothing", party, 2, later, "", 2, models.DoorCounts{CheckedIn: 2, Expected: 4}, ""},
		{"more than the party", party, 4, later, "arrived", 2, models.DoorCounts{CheckedIn: 2, Expected: 4}, ""},
		{"a negative number", party, -1, later, "arrived", 2, models.DoorCounts{CheckedIn: 2, Expected: 4}, ""},
		{"the third arrives later", party, 3, later, "", 3, models.DoorCounts{CheckedIn: 3, Expected: 4}, "3 of 3"},
		{"0 means the whole party", alone, 0, later, "", 3, models.DoorCounts{CheckedIn: 4, Expected: 4}, "1 of 1"},
		{"a count put right", party, 1, later, "", 1, models.DoorCounts{CheckedIn: 2, Expected: 4}, "1 of 3"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := count(t, db, &models.Activity{}, "registration_id = ?", s.reg.ID)
			_, err := models.CheckIn(db.DB, ev.ID, s.reg.ID, s.people, nil, s.at)
			if s.wantErr != "" {
				fieldErr(t, err, s.wantErr)
			} else if err != nil {
				t.Fatal(err)
			}
			r := loadReg(t, db, party.ID)
			if r.Arrived() != s.arrived {
				t.Errorf("party arrived %d, want %d", r.Arrived(), s.arrived)
			}
			if r.CheckedInAt == nil || !r.CheckedInAt.Equal(now) {
				t.Errorf("checked in at %v, want the first arrival %v", r.CheckedInAt, now)
			}
			c, err := models.CountDoor(db.DB, loadEvent(t, db, ev.ID))
			if err != nil {
				t.Fatal(err)
			}
			if c != s.counts {
				t.Errorf("door counts %+v, want %+v", c, s.counts)
			}
			after := count(t, db, &models.Activity{}, "registration_id = ?", s.reg.ID)
			switch {
			case s.activity == "" && after != before:
				t.Errorf("%d new activity rows, want none", after-before)
			case s.activity != "":
				var a models.Activity
				db.DB.Where("registration_id = ?", s.reg.ID).Order("id DESC").First(&a)
				if after != before+1 || a.Action != "checked_in" || a.Detail != s.activity {
					t.Errorf("activity %q %q (%d new), want checked_in %q", a.Action, a.Detail, after-before, s.activity)
				}
			}
		})
	}

	// Fewer guests after check-in: the count never says more than the party.
	db.DB.Model(&models.Registration{}).Where("id = ?", party.ID).Updates(map[string]any{"checked_in_people": 3, "guests": 1})
	if r := loadReg(t, db, party.ID); r.Arrived() != 2 {
		t.Errorf("arrived %d for a party of 2 with 3 recorded", r.Arrived())
	}
	if c, _ := models.CountDoor(db.DB, loadEvent(t, db, ev.ID)); c.CheckedIn != 3 || c.Expected != 3 {
		t.Errorf("counts %+v, want 3 of 3 (2 of the party, 1 alone)", c)
	}

	// Undo clears the whole party and says what it was.
	if _, err := models.UndoCheckIn(db.DB, ev.ID, party.ID, nil, later); err != nil {
		t.Fatal(err)
	}
	r := loadReg(t, db, party.ID)
	if r.CheckedInAt != nil || r.CheckedInPeople != 0 || r.Arrived() != 0 {
		t.Errorf("after undo: at %v, %d people", r.CheckedInAt, r.CheckedInPeople)
	}
	var a models.Activity
	db.DB.Where("registration_id = ?", party.ID).Order("id DESC").First(&a)
	if a.Action != "check_in_undone" || a.Detail != "2 of 2" {
		t.Errorf("undo activity %q %q", a.Action, a.Detail)
	}

	// Only confirmed registrations come in.
	full := newEvent(t, db, models.EventInput{InPerson: bp(true), CapacitySet: true, Capacity: ip(1), Waitlist: bp(true)})
	register(t, db, full.ID, "first@example.org", 0, models.InPerson)
	waiting := register(t, db, full.ID, "second@example.org", 0, models.InPerson).Registration
	_, err := models.CheckIn(db.DB, full.ID, waiting.ID, 0, nil, now)
	fieldErr(t, err, "status")
	// A registration of another event is not found.
	if _, err := models.CheckIn(db.DB, full.ID, party.ID, 0, nil, now); err != models.ErrNotFound {
		t.Errorf("another event's registration: %v", err)
	}
}
