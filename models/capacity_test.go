package models_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// Every capacity rule of SPEC §3 runs once per attendance mode, on a hybrid
// event whose other mode has the same capacity and must stay untouched.

func TestRegisterTakesOnePlusGuestsPlaces(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(10), 3, true)
			want := 0
			for _, g := range []int{0, 3, 1} {
				res := register(t, db, ev.ID, "p"+string(rune('a'+g))+"@example.org", g, mode)
				want += 1 + g
				if res.Duplicate || res.Registration.Status != models.RegConfirmed || res.Position != 0 {
					t.Fatalf("guests %d: got %+v, want a new confirmed registration", g, res)
				}
				if n := mails(t, db, models.MailConfirmation, res.Registration.ID); n != 1 {
					t.Errorf("guests %d: %d confirmation mails, want 1", g, n)
				}
				if n := mails(t, db, models.MailWaitlisted, res.Registration.ID); n != 0 {
					t.Errorf("guests %d: %d waitlisted mails for a confirmed registration", g, n)
				}
				got := checkEvent(t, db, ev.ID)
				if got.TakenFor(mode) != want || got.TakenFor(other(mode)) != 0 {
					t.Fatalf("taken %s=%d %s=%d, want %d and 0", mode, got.TakenFor(mode), other(mode), got.TakenFor(other(mode)), want)
				}
			}
			if left := loadEvent(t, db, ev.ID).PlacesLeft(mode); left == nil || *left != 10-want {
				t.Fatalf("PlacesLeft = %s, want %d", fmtLeft(left), 10-want)
			}
		})
	}
}

func TestFullEventWaitlistsInArrivalOrder(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(2), 1, true)
			register(t, db, ev.ID, "a@example.org", 0, mode)
			register(t, db, ev.ID, "b@example.org", 0, mode)
			var ids []uint
			for i, email := range []string{"c@example.org", "d@example.org", "e@example.org"} {
				res := register(t, db, ev.ID, email, i%2, mode)
				if res.Registration.Status != models.RegWaitlisted || res.Position != i+1 {
					t.Fatalf("%s: status %s position %d, want waitlisted at %d", email, res.Registration.Status, res.Position, i+1)
				}
				if n := mails(t, db, models.MailWaitlisted, res.Registration.ID); n != 1 {
					t.Errorf("%s: %d waitlisted mails, want 1", email, n)
				}
				if n := mails(t, db, models.MailConfirmation, res.Registration.ID); n != 0 {
					t.Errorf("%s: %d confirmation mails for a waitlisted registration", email, n)
				}
				ids = append(ids, res.Registration.ID)
			}
			for i, id := range ids {
				if p := position(t, db, id); p != i+1 {
					t.Errorf("WaitlistPosition of registration %d = %d, want %d", id, p, i+1)
				}
			}
			// The other mode has its own places.
			if res := register(t, db, ev.ID, "f@example.org", 1, other(mode)); res.Registration.Status != models.RegConfirmed {
				t.Fatalf("other mode: %s, want confirmed", res.Registration.Status)
			}
			got := checkEvent(t, db, ev.ID)
			if got.TakenFor(mode) != 2 || got.TakenFor(other(mode)) != 2 {
				t.Fatalf("taken %d/%d, want 2/2", got.TakenFor(mode), got.TakenFor(other(mode)))
			}
		})
	}
}

func TestFullEventWithoutWaitlistRefuses(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(2), 2, false)
			register(t, db, ev.ID, "a@example.org", 0, mode)
			for _, tc := range []struct {
				name   string
				guests int
			}{{"one place over", 1}, {"party over", 2}} {
				_, err := models.Register(db.DB, tok, ev.ID, input("x"+tc.name+"@example.org", tc.guests, mode), now)
				if !errors.Is(err, models.ErrFull) {
					t.Fatalf("%s: err = %v, want ErrFull", tc.name, err)
				}
			}
			if n := count(t, db, &models.Registration{}, "event_id = ?", ev.ID); n != 1 {
				t.Fatalf("%d registrations stored, want 1", n)
			}
			if n := count(t, db, &models.OutboxMail{}, "event_id = ?", ev.ID); n != 1 {
				t.Fatalf("%d mails stored, want 1 (the confirmation)", n)
			}
			got := checkEvent(t, db, ev.ID)
			if got.WaitlistSeq != 0 || got.TakenFor(mode) != 1 {
				t.Fatalf("waitlist_seq %d taken %d, want 0 and 1", got.WaitlistSeq, got.TakenFor(mode))
			}
			// The one free place is still there for a single person.
			if res := register(t, db, ev.ID, "b@example.org", 0, mode); res.Registration.Status != models.RegConfirmed {
				t.Fatalf("last place: %s, want confirmed", res.Registration.Status)
			}
			checkEvent(t, db, ev.ID)
		})
	}
}

func TestPartyTooBigIsPassedOverButKeepsItsPlace(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(3), 2, true)
			a := register(t, db, ev.ID, "a@example.org", 0, mode).Registration
			b := register(t, db, ev.ID, "b@example.org", 0, mode).Registration
			c := register(t, db, ev.ID, "c@example.org", 0, mode).Registration
			big := register(t, db, ev.ID, "big@example.org", 2, mode)
			small := register(t, db, ev.ID, "small@example.org", 0, mode)
			if big.Position != 1 || small.Position != 2 {
				t.Fatalf("positions big=%d small=%d, want 1 and 2", big.Position, small.Position)
			}
			steps := []struct {
				cancel         uint
				big, small     string
				bigPos, smallP int
			}{
				// One place free: the party of three is passed over, the single person behind it promoted.
				{a.ID, models.RegWaitlisted, models.RegConfirmed, 1, 0},
				{b.ID, models.RegWaitlisted, models.RegConfirmed, 1, 0},
				{c.ID, models.RegWaitlisted, models.RegConfirmed, 1, 0},
				// Three places free: the party that kept its place is promoted.
				{small.Registration.ID, models.RegConfirmed, models.RegCancelled, 0, 0},
			}
			for i, s := range steps {
				if _, err := models.CancelRegistration(db.DB, s.cancel, nil, now); err != nil {
					t.Fatal(err)
				}
				if got := status(t, db, big.Registration.ID); got != s.big {
					t.Fatalf("step %d: big party %s, want %s", i, got, s.big)
				}
				if got := status(t, db, small.Registration.ID); got != s.small {
					t.Fatalf("step %d: small party %s, want %s", i, got, s.small)
				}
				if p := position(t, db, big.Registration.ID); p != s.bigPos {
					t.Fatalf("step %d: big party at position %d, want %d", i, p, s.bigPos)
				}
				checkEvent(t, db, ev.ID)
			}
			if got := loadEvent(t, db, ev.ID).TakenFor(mode); got != 3 {
				t.Fatalf("taken %d, want 3", got)
			}
		})
	}
}

func TestNewRegistrationThatFitsIsConfirmedWhileBiggerPartyWaits(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(3), 2, true)
			register(t, db, ev.ID, "a@example.org", 0, mode)
			register(t, db, ev.ID, "b@example.org", 0, mode)
			big := register(t, db, ev.ID, "big@example.org", 2, mode)
			if big.Registration.Status != models.RegWaitlisted {
				t.Fatalf("party of three with one place free: %s, want waitlisted", big.Registration.Status)
			}
			res := register(t, db, ev.ID, "late@example.org", 0, mode)
			if res.Registration.Status != models.RegConfirmed {
				t.Fatalf("single person with one place free while a party waits: %s, want confirmed", res.Registration.Status)
			}
			// Now full: the next single person queues behind the party.
			next := register(t, db, ev.ID, "next@example.org", 0, mode)
			if next.Registration.Status != models.RegWaitlisted || next.Position != 2 {
				t.Fatalf("next: %s at %d, want waitlisted at 2", next.Registration.Status, next.Position)
			}
			if p := position(t, db, big.Registration.ID); p != 1 {
				t.Fatalf("big party at %d, want 1", p)
			}
			checkEvent(t, db, ev.ID)
		})
	}
}

func TestFreedPlacesPromoteFromWaitlist(t *testing.T) {
	type trigger func(t *testing.T, db *models.DB, ev *models.Event, mode string, a *models.Registration)
	setCap := func(c *int) trigger {
		return func(t *testing.T, db *models.DB, ev *models.Event, mode string, _ *models.Registration) {
			if _, err := models.SetCapacity(db.DB, ev.ID, mode, c, nil, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name string
		do   trigger
		// Wanted statuses of b (1 place), c (2 places), d (1 place), all waitlisted in that order.
		b, c, d string
	}{
		{"cancellation", func(t *testing.T, db *models.DB, _ *models.Event, _ string, a *models.Registration) {
			if _, err := models.CancelRegistration(db.DB, a.ID, nil, now); err != nil {
				t.Fatal(err)
			}
		}, models.RegConfirmed, models.RegConfirmed, models.RegWaitlisted},
		{"fewer guests", func(t *testing.T, db *models.DB, _ *models.Event, _ string, a *models.Registration) {
			if _, err := models.ChangeRegistration(db.DB, a.ID, models.RegistrationChange{Guests: ip(0)}, now); err != nil {
				t.Fatal(err)
			}
		}, models.RegConfirmed, models.RegWaitlisted, models.RegConfirmed},
		{"SetCapacity raised", setCap(ip(5)), models.RegConfirmed, models.RegWaitlisted, models.RegConfirmed},
		{"SetCapacity unlimited", setCap(nil), models.RegConfirmed, models.RegConfirmed, models.RegConfirmed},
		{"SetCapacity unchanged", setCap(ip(3)), models.RegWaitlisted, models.RegWaitlisted, models.RegWaitlisted},
		{"UpdateEvent capacity raised", func(t *testing.T, db *models.DB, ev *models.Event, mode string, _ *models.Registration) {
			in := models.EventInput{CapacitySet: true, Capacity: ip(5)}
			if mode == models.Online {
				in = models.EventInput{OnlineCapacitySet: true, OnlineCapacity: ip(5)}
			}
			if _, err := models.UpdateEvent(db.DB, ev.Slug, in, nil, now); err != nil {
				t.Fatal(err)
			}
		}, models.RegConfirmed, models.RegWaitlisted, models.RegConfirmed},
		{"UpdateEvent other mode raised", func(t *testing.T, db *models.DB, ev *models.Event, mode string, _ *models.Registration) {
			in := models.EventInput{OnlineCapacitySet: true, OnlineCapacity: ip(50)}
			if mode == models.Online {
				in = models.EventInput{CapacitySet: true, Capacity: ip(50)}
			}
			if _, err := models.UpdateEvent(db.DB, ev.Slug, in, nil, now); err != nil {
				t.Fatal(err)
			}
		}, models.RegWaitlisted, models.RegWaitlisted, models.RegWaitlisted},
	}
	for _, mode := range modes {
		for _, tc := range cases {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				db := modelstest.Open(t)
				ev := modeEvent(t, db, mode, ip(3), 2, true)
				a := register(t, db, ev.ID, "a@example.org", 2, mode).Registration
				b := register(t, db, ev.ID, "b@example.org", 0, mode).Registration
				c := register(t, db, ev.ID, "c@example.org", 1, mode).Registration
				d := register(t, db, ev.ID, "d@example.org", 0, mode).Registration
				checkEvent(t, db, ev.ID)
				tc.do(t, db, ev, mode, a)
				for _, w := range []struct {
					name string
					id   uint
					want string
				}{{"b", b.ID, tc.b}, {"c", c.ID, tc.c}, {"d", d.ID, tc.d}} {
					r := loadReg(t, db, w.id)
					if r.Status != w.want {
						t.Errorf("%s: %s, want %s", w.name, r.Status, w.want)
					}
					if promoted := r.Status == models.RegConfirmed; promoted != (r.PromotedAt != nil) {
						t.Errorf("%s: status %s but promoted_at %v", w.name, r.Status, r.PromotedAt)
					}
				}
				// checkEvent also asserts one "promoted" activity and mail per promotion.
				checkEvent(t, db, ev.ID)
			})
		}
	}
}

func TestPromoteWaitlistConfirmsWhatFits(t *testing.T) {
	db := modelstest.Open(t)
	ev := modeEvent(t, db, models.InPerson, ip(1), 1, true)
	register(t, db, ev.ID, "a@example.org", 0, models.InPerson)
	w := register(t, db, ev.ID, "w@example.org", 0, models.InPerson).Registration
	o := register(t, db, ev.ID, "o@example.org", 1, models.Online) // 2 places online: waitlisted
	if o.Registration.Status != models.RegWaitlisted {
		t.Fatalf("online party: %s", o.Registration.Status)
	}
	if p, err := models.PromoteWaitlist(db.DB, ev.ID, now); err != nil || len(p) != 0 {
		t.Fatalf("nothing free: promoted %d (%v), want 0", len(p), err)
	}
	// Capacities raised behind the rules' back (as an operator might in SQL):
	// PromoteWaitlist fills both modes.
	if err := db.DB.Exec("UPDATE events SET capacity = 2, online_capacity = 2 WHERE id = ?", ev.ID).Error; err != nil {
		t.Fatal(err)
	}
	p, err := models.PromoteWaitlist(db.DB, ev.ID, now)
	if err != nil || len(p) != 2 {
		t.Fatalf("promoted %d (%v), want 2", len(p), err)
	}
	if status(t, db, w.ID) != models.RegConfirmed || status(t, db, o.Registration.ID) != models.RegConfirmed {
		t.Fatal("PromoteWaitlist did not confirm both modes")
	}
	checkEvent(t, db, ev.ID)
}

func TestLoweringCapacityBelowConfirmedIsRefused(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(5), 2, true)
			register(t, db, ev.ID, "a@example.org", 2, mode)
			capOf := func() *int { return loadEvent(t, db, ev.ID).CapacityFor(mode) }
			for _, c := range []int{2, 0} {
				_, err := models.SetCapacity(db.DB, ev.ID, mode, ip(c), nil, now)
				var ce *models.CapacityError
				if !errors.As(err, &ce) {
					t.Fatalf("capacity %d: err = %v, want *CapacityError", c, err)
				}
				if ce.Confirmed != 3 || ce.Requested != c || ce.Attendance != mode {
					t.Fatalf("capacity %d: %+v, want 3 confirmed", c, ce)
				}
				if !strings.Contains(ce.Error(), "3 ") {
					t.Fatalf("message %q does not say how many are confirmed", ce.Error())
				}
				if got := capOf(); got == nil || *got != 5 {
					t.Fatalf("capacity %d refused but stored capacity is %s", c, fmtLeft(got))
				}
			}
			_, err := models.SetCapacity(db.DB, ev.ID, mode, ip(-1), nil, now)
			fieldErr(t, err, map[string]string{models.InPerson: "capacity", models.Online: "online_capacity"}[mode])

			// Through UpdateEvent the whole change is refused, not only the capacity.
			in := models.EventInput{Title: sp("Renamed"), CapacitySet: true, Capacity: ip(1)}
			if mode == models.Online {
				in = models.EventInput{Title: sp("Renamed"), OnlineCapacitySet: true, OnlineCapacity: ip(1)}
			}
			_, err = models.UpdateEvent(db.DB, ev.Slug, in, nil, now)
			var ce *models.CapacityError
			if !errors.As(err, &ce) || ce.Confirmed != 3 {
				t.Fatalf("UpdateEvent: err = %v, want *CapacityError with 3 confirmed", err)
			}
			if got := loadEvent(t, db, ev.ID); got.Title != "Test event" || *got.CapacityFor(mode) != 5 {
				t.Fatalf("refused UpdateEvent still changed title %q capacity %d", got.Title, *got.CapacityFor(mode))
			}

			// Exactly the confirmed places is allowed; the event is then full.
			if _, err := models.SetCapacity(db.DB, ev.ID, mode, ip(3), nil, now); err != nil {
				t.Fatalf("capacity = confirmed: %v", err)
			}
			if res := register(t, db, ev.ID, "b@example.org", 0, mode); res.Registration.Status != models.RegWaitlisted {
				t.Fatalf("after lowering to 3: %s, want waitlisted", res.Registration.Status)
			}
			if n := count(t, db, &models.Activity{}, "event_id = ? AND action = ?", ev.ID, "capacity_changed"); n != 1 {
				t.Fatalf("%d capacity_changed activities, want 1", n)
			}
			checkEvent(t, db, ev.ID)
		})
	}
}

func TestMoreGuestsMustFit(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(4), 3, true)
			a := register(t, db, ev.ID, "a@example.org", 0, mode).Registration
			b := register(t, db, ev.ID, "b@example.org", 1, mode).Registration
			// One place free: two more guests do not fit.
			if _, err := models.ChangeRegistration(db.DB, a.ID, models.RegistrationChange{Guests: ip(2)}, now); err == nil {
				t.Fatal("two more guests with one place free: accepted")
			}
			if r := loadReg(t, db, a.ID); r.Guests != 0 || r.Status != models.RegConfirmed {
				t.Fatalf("refused change still stored: guests %d status %s", r.Guests, r.Status)
			}
			if got := checkEvent(t, db, ev.ID).TakenFor(mode); got != 3 {
				t.Fatalf("taken %d after refused change, want 3", got)
			}
			if _, err := models.ChangeRegistration(db.DB, a.ID, models.RegistrationChange{Guests: ip(1)}, now); err != nil {
				t.Fatalf("one more guest with one place free: %v", err)
			}
			if got := checkEvent(t, db, ev.ID).TakenFor(mode); got != 4 {
				t.Fatalf("taken %d, want 4", got)
			}
			// A waitlisted party may grow (within the maximum) without taking places.
			c := register(t, db, ev.ID, "c@example.org", 0, mode).Registration
			if c.Status != models.RegWaitlisted {
				t.Fatalf("c: %s", c.Status)
			}
			if _, err := models.ChangeRegistration(db.DB, c.ID, models.RegistrationChange{Guests: ip(3)}, now); err != nil {
				t.Fatalf("waitlisted party grows: %v", err)
			}
			_, err := models.ChangeRegistration(db.DB, c.ID, models.RegistrationChange{Guests: ip(4)}, now)
			fieldErr(t, err, "guests")
			if got := checkEvent(t, db, ev.ID).TakenFor(mode); got != 4 {
				t.Fatalf("taken %d, want 4", got)
			}
			// Two places freed: c (4 places) still waits; all four freed: c promoted.
			if _, err := models.CancelRegistration(db.DB, b.ID, nil, now); err != nil {
				t.Fatal(err)
			}
			if s := status(t, db, c.ID); s != models.RegWaitlisted {
				t.Fatalf("c with 2 free places: %s", s)
			}
			if _, err := models.CancelRegistration(db.DB, a.ID, nil, now); err != nil {
				t.Fatal(err)
			}
			if s := status(t, db, c.ID); s != models.RegConfirmed {
				t.Fatalf("c with 4 free places: %s", s)
			}
			checkEvent(t, db, ev.ID)
			// A cancelled registration cannot be changed.
			_, err = models.ChangeRegistration(db.DB, a.ID, models.RegistrationChange{Guests: ip(0)}, now)
			fieldErr(t, err, "status")
			checkEvent(t, db, ev.ID)
		})
	}
}

func TestDuplicateEmailTakesNoSecondPlace(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(2), 1, true)
			a := register(t, db, ev.ID, "Ann@Example.org", 0, mode).Registration
			b := register(t, db, ev.ID, "bob@example.org", 1, mode).Registration // 2 places: waitlisted
			if b.Status != models.RegWaitlisted {
				t.Fatalf("b: %s", b.Status)
			}
			cases := []struct {
				email, mode string
				guests      int
				want        uint
			}{
				{"ann@example.org", mode, 0, a.ID},
				{"  ANN@EXAMPLE.ORG\t", mode, 1, a.ID},
				{"ann@example.org", other(mode), 0, a.ID},
				{"Bob@Example.ORG ", mode, 0, b.ID},
			}
			for _, tc := range cases {
				before := loadEvent(t, db, ev.ID)
				res, err := models.Register(db.DB, tok, ev.ID, input(tc.email, tc.guests, tc.mode), now)
				if err != nil {
					t.Fatalf("%q: %v", tc.email, err)
				}
				if !res.Duplicate || res.Registration.ID != tc.want {
					t.Fatalf("%q: duplicate=%v id=%d, want duplicate of %d", tc.email, res.Duplicate, res.Registration.ID, tc.want)
				}
				after := checkEvent(t, db, ev.ID)
				if after.Taken != before.Taken || after.OnlineTaken != before.OnlineTaken || after.WaitlistSeq != before.WaitlistSeq {
					t.Fatalf("%q: duplicate changed places or waitlist", tc.email)
				}
				if n := count(t, db, &models.Registration{}, "event_id = ?", ev.ID); n != 2 {
					t.Fatalf("%q: %d registrations, want 2", tc.email, n)
				}
			}
			// Ann tried three times: one mail with her link within ten
			// minutes, then another when she tries again later.
			if n := mails(t, db, models.MailDuplicate, a.ID); n != 1 {
				t.Fatalf("%d manage-link mails to ann, want 1", n)
			}
			if n := mails(t, db, models.MailDuplicate, b.ID); n != 1 {
				t.Fatalf("%d manage-link mails to bob, want 1", n)
			}
			if _, err := models.Register(db.DB, tok, ev.ID, input("ann@example.org", 0, mode), now.Add(11*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if n := mails(t, db, models.MailDuplicate, a.ID); n != 2 {
				t.Fatalf("%d manage-link mails to ann after eleven minutes, want 2", n)
			}
			// After cancelling, the address may register again, as a new arrival.
			if _, err := models.CancelRegistration(db.DB, a.ID, nil, now); err != nil {
				t.Fatal(err)
			}
			// (Bob's party of two took the two places Ann freed: Ann queues.)
			res := register(t, db, ev.ID, "ann@example.org", 0, mode)
			if res.Duplicate || res.Registration.ID == a.ID || res.Registration.Status != models.RegWaitlisted || res.Position != 1 {
				t.Fatalf("re-registration after cancel: %+v", res)
			}
			if status(t, db, b.ID) != models.RegConfirmed {
				t.Fatal("bob not promoted when ann cancelled")
			}
			checkEvent(t, db, ev.ID)
		})
	}
}

func TestRegistrationRefusedStoresNothing(t *testing.T) {
	cases := []struct {
		name string
		in   models.EventInput
		want error
	}{
		{"closing time passed", models.EventInput{RegistrationClosesSet: true, RegistrationClosesAt: tp(now.Add(-time.Minute))}, models.ErrRegistrationClosed},
		{"closing time is now", models.EventInput{RegistrationClosesSet: true, RegistrationClosesAt: tp(now)}, models.ErrRegistrationClosed},
		{"start passed", models.EventInput{StartsAt: tp(now.Add(-time.Hour)), EndsAt: tp(now.Add(time.Hour))}, models.ErrRegistrationClosed},
		{"not yet open", models.EventInput{RegistrationOpensSet: true, RegistrationOpensAt: tp(now.Add(time.Minute))}, models.ErrNotYetOpen},
		{"draft", models.EventInput{Status: sp(models.StatusDraft)}, models.ErrEventNotOpen},
		{"cancelled", models.EventInput{Status: sp(models.StatusCancelled)}, models.ErrEventCancelled},
		{"full, cancelled", models.EventInput{Status: sp(models.StatusCancelled), CapacitySet: true, Capacity: ip(0), OnlineCapacitySet: true, OnlineCapacity: ip(0)}, models.ErrEventCancelled},
		{"open (control)", models.EventInput{RegistrationOpensSet: true, RegistrationOpensAt: tp(now.Add(-time.Minute)),
			RegistrationClosesSet: true, RegistrationClosesAt: tp(now.Add(time.Minute))}, nil},
	}
	for _, mode := range modes {
		for _, tc := range cases {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				db := modelstest.Open(t)
				in := tc.in
				in.InPerson, in.Online = bp(true), bp(true)
				ev := newEvent(t, db, in)
				_, err := models.Register(db.DB, tok, ev.ID, input("a@example.org", 0, mode), now)
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				if tc.want == nil {
					return
				}
				if n := count(t, db, &models.Registration{}, "1 = 1"); n != 0 {
					t.Fatalf("%d registrations stored", n)
				}
				if n := count(t, db, &models.OutboxMail{}, "1 = 1"); n != 0 {
					t.Fatalf("%d mails stored", n)
				}
				if got := checkEvent(t, db, ev.ID); got.Taken != 0 || got.OnlineTaken != 0 || got.WaitlistSeq != 0 {
					t.Fatalf("refusal changed the counters: %d %d %d", got.Taken, got.OnlineTaken, got.WaitlistSeq)
				}
			})
		}
	}
}

func TestRegisterRechecksInput(t *testing.T) {
	// Register guards the places even when its caller skipped ValidateRegistration.
	cases := []struct {
		name     string
		in       models.EventInput
		reg      models.RegisterInput
		field    string
		notFound bool
	}{
		{"guests above maximum", models.EventInput{MaxGuests: ip(1)}, input("a@example.org", 2, models.InPerson), "guests", false},
		{"negative guests", models.EventInput{MaxGuests: ip(1)}, input("a@example.org", -1, models.InPerson), "guests", false},
		{"online on in-person event", models.EventInput{}, input("a@example.org", 0, models.Online), "attendance", false},
		{"in person on livestream", models.EventInput{Kind: sp(models.KindLivestream)}, input("a@example.org", 0, models.InPerson), "attendance", false},
		{"no attendance on livestream", models.EventInput{Kind: sp(models.KindLivestream), OnlineCapacitySet: true, OnlineCapacity: ip(1)}, input("a@example.org", 0, ""), "attendance", false},
		{"unknown attendance", models.EventInput{InPerson: bp(true), Online: bp(true)}, input("a@example.org", 0, "both"), "attendance", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := newEvent(t, db, tc.in)
			_, err := models.Register(db.DB, tok, ev.ID, tc.reg, now)
			fieldErr(t, err, tc.field)
			if n := count(t, db, &models.Registration{}, "1 = 1"); n != 0 {
				t.Fatalf("%d registrations stored", n)
			}
			checkEvent(t, db, ev.ID)
		})
	}
	t.Run("unknown event", func(t *testing.T) {
		db := modelstest.Open(t)
		if _, err := models.Register(db.DB, tok, 999, input("a@example.org", 0, models.InPerson), now); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestValidateRegistration(t *testing.T) {
	db := modelstest.Open(t)
	questions := []models.QuestionInput{
		{Key: "org", Label: "Which organisation are you from?", Kind: models.QuestionShortText, Required: true},
		{Key: "session", Label: "Which session?", Kind: models.QuestionSingle, Options: []string{"Morning", "Evening"}},
		{Key: "topics", Label: "Topics", Kind: models.QuestionMultiple, Options: []string{"Housing", "Policing", "Schools"}},
		{Key: "photo", Label: "Photos OK?", Kind: models.QuestionCheckbox},
		{Key: "story", Label: "Your story", Kind: models.QuestionLongText},
	}
	inPerson := newEvent(t, db, models.EventInput{MaxGuests: ip(2), Questions: &questions})
	hybrid := newEvent(t, db, models.EventInput{InPerson: bp(true), Online: bp(true), MaxGuests: ip(0)})
	livestream := newEvent(t, db, models.EventInput{Kind: sp(models.KindLivestream)})
	valid := func() models.RegisterInput {
		return models.RegisterInput{Name: "Amira", Email: "amira@example.org", Guests: 1, Consent: true, Dietary: "halal",
			Answers: map[string]string{"org": "Open Doors", "session": "Evening", "topics": "Housing\nSchools", "photo": "yes"}}
	}
	cases := []struct {
		name   string
		ev     *models.Event
		change func(*models.RegisterInput)
		field  string // "" = valid
	}{
		{"valid", inPerson, func(*models.RegisterInput) {}, ""},
		{"negative guests", inPerson, func(in *models.RegisterInput) { in.Guests = -1 }, "guests"},
		{"huge guests", inPerson, func(in *models.RegisterInput) { in.Guests = math.MaxInt }, "guests"},
		{"guests above maximum", inPerson, func(in *models.RegisterInput) { in.Guests = 3 }, "guests"},
		{"guests where none allowed", hybrid, func(in *models.RegisterInput) { in.Answers = nil; in.Attendance = models.InPerson }, "guests"},
		{"no name", inPerson, func(in *models.RegisterInput) { in.Name = "   " }, "name"},
		{"long name", inPerson, func(in *models.RegisterInput) { in.Name = strings.Repeat("n", 201) }, "name"},
		{"no email", inPerson, func(in *models.RegisterInput) { in.Email = "" }, "email"},
		{"email without @", inPerson, func(in *models.RegisterInput) { in.Email = "amira.example.org" }, "email"},
		{"email without domain dot", inPerson, func(in *models.RegisterInput) { in.Email = "amira@example" }, "email"},
		{"email with space", inPerson, func(in *models.RegisterInput) { in.Email = "am ira@example.org" }, "email"},
		{"email with brackets", inPerson, func(in *models.RegisterInput) { in.Email = "<amira@example.org>" }, "email"},
		{"email two @", inPerson, func(in *models.RegisterInput) { in.Email = "a@b@example.org" }, "email"},
		{"email too long", inPerson, func(in *models.RegisterInput) { in.Email = strings.Repeat("a", 250) + "@example.org" }, "email"},
		{"no consent", inPerson, func(in *models.RegisterInput) { in.Consent = false }, "consent"},
		{"online at in-person event", inPerson, func(in *models.RegisterInput) { in.Attendance = models.Online }, "attendance"},
		{"in person at livestream", livestream, func(in *models.RegisterInput) { in.Guests = 0; in.Attendance = models.InPerson }, "attendance"},
		{"no choice at hybrid event", hybrid, func(in *models.RegisterInput) { in.Guests = 0 }, "attendance"},
		{"unknown attendance", hybrid, func(in *models.RegisterInput) { in.Guests = 0; in.Attendance = "both" }, "attendance"},
		{"dietary not in list", inPerson, func(in *models.RegisterInput) { in.Dietary = "pescatarian" }, "dietary"},
		{"dietary ignored online", livestream, func(in *models.RegisterInput) { in.Guests = 0; in.Answers = nil; in.Dietary = "pescatarian" }, ""},
		{"an answer to no question", inPerson, func(in *models.RegisterInput) { in.Answers["shoe_size"] = "44" }, "answers.shoe_size"},
		{"dietary other too long", inPerson, func(in *models.RegisterInput) { in.Dietary = "other"; in.DietaryOther = strings.Repeat("x", 201) }, "dietary_other"},
		{"access needs too long", inPerson, func(in *models.RegisterInput) { in.AccessNeeds = strings.Repeat("x", 2001) }, "access_needs"},
		{"required question missing", inPerson, func(in *models.RegisterInput) { delete(in.Answers, "org") }, "answers.org"},
		{"required question blank", inPerson, func(in *models.RegisterInput) { in.Answers["org"] = "  " }, "answers.org"},
		{"choice not in options", inPerson, func(in *models.RegisterInput) { in.Answers["session"] = "Night" }, "answers.session"},
		{"multiple choice with one bad", inPerson, func(in *models.RegisterInput) { in.Answers["topics"] = "Housing\nWeather" }, "answers.topics"},
		{"checkbox not yes/no", inPerson, func(in *models.RegisterInput) { in.Answers["photo"] = "maybe" }, "answers.photo"},
		{"short text too long", inPerson, func(in *models.RegisterInput) { in.Answers["org"] = strings.Repeat("o", 301) }, "answers.org"},
		{"long text too long", inPerson, func(in *models.RegisterInput) { in.Answers["story"] = strings.Repeat("s", 4001) }, "answers.story"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			tc.change(&in)
			err := models.ValidateRegistration(tc.ev, &in)
			if tc.field == "" {
				if err != nil {
					var ve *models.ValidationError
					errors.As(err, &ve)
					t.Fatalf("valid input refused: %v %v", err, ve)
				}
				return
			}
			fieldErr(t, err, tc.field)
		})
	}
	t.Run("normalises", func(t *testing.T) {
		in := valid()
		in.Name, in.Email = "  Amira  ", "  Amira@Example.org "
		in.Answers["session"] = " Morning "
		if err := models.ValidateRegistration(inPerson, &in); err != nil {
			t.Fatal(err)
		}
		if in.Name != "Amira" || in.Email != "Amira@Example.org" || in.Attendance != models.InPerson {
			t.Fatalf("got name %q email %q attendance %q", in.Name, in.Email, in.Attendance)
		}
		if in.Answers["session"] != "Morning" {
			t.Fatalf("answers not cleaned: %v", in.Answers)
		}
		on := models.RegisterInput{Name: "A", Email: "a@example.org", Consent: true, Dietary: "vegan", DietaryOther: "x"}
		if err := models.ValidateRegistration(livestream, &on); err != nil || on.Attendance != models.Online || on.Dietary != "" || on.DietaryOther != "" {
			t.Fatalf("livestream: err %v attendance %q dietary %q/%q", err, on.Attendance, on.Dietary, on.DietaryOther)
		}
	})
}

func TestCancelIsIdempotent(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(1), 0, true)
			a := register(t, db, ev.ID, "a@example.org", 0, mode).Registration
			b := register(t, db, ev.ID, "b@example.org", 0, mode).Registration
			c := register(t, db, ev.ID, "c@example.org", 0, mode).Registration
			// Cancelling a waitlisted registration frees no place.
			if _, err := models.CancelRegistration(db.DB, c.ID, nil, now); err != nil {
				t.Fatal(err)
			}
			if got := checkEvent(t, db, ev.ID); got.TakenFor(mode) != 1 || status(t, db, b.ID) != models.RegWaitlisted {
				t.Fatalf("after cancelling a waitlisted registration: taken %d, b %s", got.TakenFor(mode), status(t, db, b.ID))
			}
			for i := 0; i < 3; i++ {
				r, err := models.CancelRegistration(db.DB, a.ID, nil, now.Add(time.Duration(i)*time.Minute))
				if err != nil || r.Status != models.RegCancelled {
					t.Fatalf("cancel #%d: %v %+v", i+1, err, r)
				}
				if r.CancelledAt == nil || !r.CancelledAt.Equal(now) {
					t.Fatalf("cancel #%d: cancelled_at %v, want the first cancellation's time", i+1, r.CancelledAt)
				}
				got := checkEvent(t, db, ev.ID)
				if got.TakenFor(mode) != 1 || status(t, db, b.ID) != models.RegConfirmed {
					t.Fatalf("cancel #%d: taken %d (want 1, b promoted), b %s", i+1, got.TakenFor(mode), status(t, db, b.ID))
				}
			}
			if n := mails(t, db, models.MailCancelled, a.ID); n != 1 {
				t.Fatalf("%d cancellation mails, want 1", n)
			}
			if n := count(t, db, &models.Activity{}, "registration_id = ? AND action = ?", a.ID, "cancelled"); n != 1 {
				t.Fatalf("%d cancellation activities, want 1", n)
			}
			if _, err := models.CancelRegistration(db.DB, b.ID, nil, now); err != nil {
				t.Fatal(err)
			}
			if got := checkEvent(t, db, ev.ID); got.TakenFor(mode) != 0 {
				t.Fatalf("all cancelled: taken %d", got.TakenFor(mode))
			}
			if _, err := models.CancelRegistration(db.DB, 9999, nil, now); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("unknown registration: %v", err)
			}
		})
	}
}

func TestManageAndFeedTokens(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{})
	r := register(t, db, ev.ID, "a@example.org", 0, models.InPerson).Registration
	manage := tok.Manage(r.TokenNonce)
	if len(r.TokenNonce) < 22 || r.TokenNonce == r.FeedNonce {
		t.Fatalf("nonces %q %q: want two distinct 128-bit values", r.TokenNonce, r.FeedNonce)
	}
	if r.TokenHash == manage || r.TokenHash != models.HashToken(manage) || r.FeedTokenHash != models.HashToken(tok.Feed(r.FeedNonce)) {
		t.Fatal("tokens are not stored as their hashes")
	}
	got, err := models.FindRegistrationByToken(db.DB, tok.ManageToken(r))
	if err != nil || got.ID != r.ID {
		t.Fatalf("FindRegistrationByToken: %v %v", got, err)
	}
	other := models.NewTokens([]byte("another-secret-another-secret-00"))
	someoneElse := *r
	someoneElse.ID++ // the right secret with another registration's id
	for _, bad := range []string{"", "short", manage, tok.FeedToken(r), other.ManageToken(r), tok.ManageToken(&someoneElse),
		"0_" + manage, "-1_" + manage, "99999999999_" + manage, strings.Repeat("a", 65)} {
		if _, err := models.FindRegistrationByToken(db.DB, bad); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("token %q: err = %v, want ErrNotFound", bad, err)
		}
	}
}

func TestNoPromotionIntoCancelledEvent(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(1), 0, true)
			a := register(t, db, ev.ID, "a@example.org", 0, mode).Registration
			b := register(t, db, ev.ID, "b@example.org", 0, mode).Registration
			if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Status: sp(models.StatusCancelled)}, nil, now); err != nil {
				t.Fatal(err)
			}
			// Registrants cancel after hearing the event is off: nobody is
			// told they now have a place at it.
			if _, err := models.CancelRegistration(db.DB, a.ID, nil, now); err != nil {
				t.Fatal(err)
			}
			if _, err := models.SetCapacity(db.DB, ev.ID, mode, ip(5), nil, now); err != nil {
				t.Fatal(err)
			}
			if p, err := models.PromoteWaitlist(db.DB, ev.ID, now); err != nil || len(p) != 0 {
				t.Fatalf("PromoteWaitlist on a cancelled event: %d promoted (%v)", len(p), err)
			}
			if s := status(t, db, b.ID); s != models.RegWaitlisted {
				t.Fatalf("b is %s at a cancelled event, want still waitlisted", s)
			}
			if n := mails(t, db, models.MailPromoted, b.ID); n != 0 {
				t.Fatalf("%d promotion mails for a cancelled event", n)
			}
			checkEvent(t, db, ev.ID)
			// Called off the cancellation: the free places go to the waitlist.
			if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Status: sp(models.StatusPublished)}, nil, now); err != nil {
				t.Fatal(err)
			}
			if s := status(t, db, b.ID); s != models.RegConfirmed {
				t.Fatalf("b is %s after the event was reinstated with free places", s)
			}
			checkEvent(t, db, ev.ID)
		})
	}
}

// TestChangeKeepsWorkingAfterAQuestionGoes: answers to a question the
// organisers removed are dropped when the registration changes, not held
// against it; an answer sent to a question the event does not have is
// refused.
func TestChangeKeepsWorkingAfterAQuestionGoes(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{MaxGuests: ip(2), Questions: &[]models.QuestionInput{
		{Key: "diet", Label: "Diet", Kind: models.QuestionShortText}, {Key: "role", Label: "Role", Kind: models.QuestionShortText}}})
	in := input("a@example.org", 0, models.InPerson)
	in.Answers = map[string]string{"diet": "vegan", "role": "speaker"}
	res, err := models.Register(db.DB, tok, ev.ID, in, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Questions: &[]models.QuestionInput{
		{Key: "role", Label: "Role", Kind: models.QuestionShortText}}}, nil, now); err != nil {
		t.Fatal(err)
	}
	r, err := models.ChangeRegistration(db.DB, res.Registration.ID, models.RegistrationChange{Guests: ip(1)}, now)
	if err != nil {
		t.Fatalf("change after a question went: %v", err)
	}
	if r.Answers != `{"role":"speaker"}` {
		t.Errorf("answers %s, want the removed question's answer dropped", r.Answers)
	}
	_, err = models.ChangeRegistration(db.DB, res.Registration.ID, models.RegistrationChange{Answers: map[string]string{"diet": "vegan"}}, now)
	fieldErr(t, err, "answers.diet")
}

// TestIfFullRejectStoresNothing: a party bigger than the free places, with
// IfFull "reject", is refused with the free places and leaves nothing
// behind (no row, no mail, no counter change); the same party is waitlisted
// by default, and a party that fits is confirmed either way.
func TestIfFullRejectStoresNothing(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, mode, ip(3), 3, true)
			register(t, db, ev.ID, "a@example.org", 0, mode)
			in := input("b@example.org", 3, mode)
			in.IfFull = models.IfFullReject
			_, err := models.Register(db.DB, tok, ev.ID, in, now)
			var pe *models.PlacesError
			if !errors.As(err, &pe) || pe.PlacesLeft != 2 || pe.Party != 4 || !pe.Waitlist || pe.Attendance != mode || !errors.Is(err, models.ErrFull) {
				t.Fatalf("reject: err %v (%+v), want PlacesError{2 left, party 4}", err, pe)
			}
			var n int64
			db.Model(&models.Registration{}).Where("email_norm = ?", "b@example.org").Count(&n)
			var m int64
			db.Model(&models.OutboxMail{}).Where(`"to" = ?`, "b@example.org").Count(&m)
			if n != 0 || m != 0 || checkEvent(t, db, ev.ID).TakenFor(mode) != 1 {
				t.Fatalf("refusal left %d rows, %d mails", n, m)
			}
			in.Guests = 1
			if res, err := models.Register(db.DB, tok, ev.ID, in, now); err != nil || res.Registration.Status != models.RegConfirmed {
				t.Fatalf("fitting party with reject: %v", err)
			}
			if res := register(t, db, ev.ID, "c@example.org", 2, mode); res.Registration.Status != models.RegWaitlisted {
				t.Fatalf("default: %s, want waitlisted", res.Registration.Status)
			}
			bad := input("d@example.org", 0, mode)
			bad.IfFull = "sometimes"
			ev = loadEvent(t, db, ev.ID)
			if err := models.ValidateRegistration(ev, &bad); err == nil || !strings.Contains(fmt.Sprint(err.(*models.ValidationError).Fields), "if_full") {
				t.Fatalf("unknown if_full accepted: %v", err)
			}
		})
	}
}
