package models_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// allocEvent creates a published in-person event of capacity places with
// one allocation of reserved places (released at release, nil: when
// registration closes).
func allocEvent(t testing.TB, db *models.DB, capacity, reserved int, release *time.Time) (*models.Event, *models.Allocation) {
	t.Helper()
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(capacity), MaxGuests: ip(3)})
	a, err := models.SaveAllocation(db.DB, ev.ID, models.AllocationInput{Label: "Mosque", Places: reserved, ReleaseAt: release}, nil, now)
	if err != nil {
		t.Fatalf("SaveAllocation: %v", err)
	}
	return ev, a
}

// via registers through allocation a.
func via(t testing.TB, db *models.DB, a *models.Allocation, email string, guests int, at time.Time) *models.RegisterResult {
	t.Helper()
	in := input(email, guests, models.InPerson)
	in.AllocationID = &a.ID
	res, err := models.Register(db.DB, tok, a.EventID, in, at)
	if err != nil {
		t.Fatalf("Register %s through %q: %v", email, a.Label, err)
	}
	return res
}

func loadAlloc(t testing.TB, db *models.DB, id uint) *models.Allocation {
	t.Helper()
	var a models.Allocation
	if err := db.DB.First(&a, id).Error; err != nil {
		t.Fatal(err)
	}
	return &a
}

func TestReservedPlacesAreKeptFromThePublic(t *testing.T) {
	db := modelstest.Open(t)
	ev, a := allocEvent(t, db, 10, 4, nil)
	if got := loadEvent(t, db, ev.ID); *got.PlacesLeft(models.InPerson) != 6 || got.Reserved != 4 {
		t.Fatalf("public places left %v, reserved %d; want 6 and 4", fmtLeft(got.PlacesLeft(models.InPerson)), got.Reserved)
	}
	for i := 0; i < 6; i++ {
		if res := register(t, db, ev.ID, fmt.Sprintf("p%d@example.org", i), 0, models.InPerson); res.Registration.Status != models.RegConfirmed {
			t.Fatalf("public %d: %s", i, res.Registration.Status)
		}
	}
	late := register(t, db, ev.ID, "late@example.org", 0, models.InPerson)
	if late.Registration.Status != models.RegWaitlisted {
		t.Fatalf("the public took a reserved place: %s", late.Registration.Status)
	}
	// A party of 3 through the code: 3 reserved places.
	r1 := via(t, db, a, "c1@example.org", 2, now)
	if r1.Registration.Status != models.RegConfirmed || loadReg(t, db, r1.Registration.ID).Allocated != 3 {
		t.Fatalf("code party: %s, allocated %d", r1.Registration.Status, loadReg(t, db, r1.Registration.ID).Allocated)
	}
	// A party of 2 with 1 reserved place left and no public place: waitlisted.
	r2 := via(t, db, a, "c2@example.org", 1, now)
	if r2.Registration.Status != models.RegWaitlisted {
		t.Fatalf("party of 2 for 1 reserved place: %s", r2.Registration.Status)
	}
	r3 := via(t, db, a, "c3@example.org", 0, now)
	if r3.Registration.Status != models.RegConfirmed {
		t.Fatalf("last reserved place: %s", r3.Registration.Status)
	}
	got := checkEvent(t, db, ev.ID)
	if got.Taken != 10 || got.Reserved != 0 || loadAlloc(t, db, a.ID).Taken != 4 {
		t.Fatalf("taken %d reserved %d allocation taken %d", got.Taken, got.Reserved, loadAlloc(t, db, a.ID).Taken)
	}
	// A cancelled code place returns to the community, not to the public:
	// the community's waitlisted party of 2 does not fit 1 place, and the
	// public waitlist is not promoted.
	if _, err := models.CancelRegistration(db.DB, r3.Registration.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	if status(t, db, late.Registration.ID) != models.RegWaitlisted {
		t.Fatal("a reserved place went to the public waitlist")
	}
	got = checkEvent(t, db, ev.ID)
	if got.Reserved != 1 {
		t.Fatalf("reserved %d after a code cancellation, want 1", got.Reserved)
	}
	// A public cancellation frees a public place: the public party waiting
	// first takes it; at the next, the community's party of 2 fits (1
	// reserved + 1 public).
	for i, want := range []string{models.RegWaitlisted, models.RegConfirmed} {
		var p models.Registration
		db.DB.Where("email_norm = ?", fmt.Sprintf("p%d@example.org", i)).Take(&p)
		if _, err := models.CancelRegistration(db.DB, p.ID, nil, now); err != nil {
			t.Fatal(err)
		}
		if status(t, db, late.Registration.ID) != models.RegConfirmed || status(t, db, r2.Registration.ID) != want {
			t.Fatalf("after %d public cancellations: first in line %s, community party %s (want %s)", i+1,
				status(t, db, late.Registration.ID), status(t, db, r2.Registration.ID), want)
		}
	}
	if r := loadReg(t, db, r2.Registration.ID); r.Status != models.RegConfirmed || r.Allocated != 1 {
		t.Fatalf("community party: %s, allocated %d; want confirmed with 1 reserved place", r.Status, r.Allocated)
	}
	checkEvent(t, db, ev.ID)
}

func TestFewerGuestsFreePublicPlacesFirst(t *testing.T) {
	db := modelstest.Open(t)
	ev, a := allocEvent(t, db, 6, 2, nil)
	r := via(t, db, a, "big@example.org", 3, now) // 2 reserved + 2 public
	if got := loadReg(t, db, r.Registration.ID); got.Allocated != 2 || got.Status != models.RegConfirmed {
		t.Fatalf("allocated %d, %s", got.Allocated, got.Status)
	}
	if _, err := models.ChangeRegistration(db.DB, r.Registration.ID, models.RegistrationChange{Guests: ip(1)}, now); err != nil {
		t.Fatal(err)
	}
	got := checkEvent(t, db, ev.ID)
	if got.Taken != 2 || got.Reserved != 0 || loadReg(t, db, r.Registration.ID).Allocated != 2 {
		t.Fatalf("after fewer guests: taken %d reserved %d allocated %d; want 2, 0, 2", got.Taken, got.Reserved, loadReg(t, db, r.Registration.ID).Allocated)
	}
	if _, err := models.ChangeRegistration(db.DB, r.Registration.ID, models.RegistrationChange{Guests: ip(0)}, now); err != nil {
		t.Fatal(err)
	}
	got = checkEvent(t, db, ev.ID)
	if got.Taken != 1 || got.Reserved != 1 {
		t.Fatalf("after no guests: taken %d reserved %d; want 1 and 1", got.Taken, got.Reserved)
	}
	// More guests take the reserved place back first.
	if _, err := models.ChangeRegistration(db.DB, r.Registration.ID, models.RegistrationChange{Guests: ip(2)}, now); err != nil {
		t.Fatal(err)
	}
	if got := checkEvent(t, db, ev.ID); got.Reserved != 0 || loadReg(t, db, r.Registration.ID).Allocated != 2 {
		t.Fatalf("after more guests: reserved %d allocated %d", got.Reserved, loadReg(t, db, r.Registration.ID).Allocated)
	}
}

func TestReleasePromotesTheWaitlist(t *testing.T) {
	for _, lazy := range []bool{false, true} {
		t.Run(fmt.Sprintf("lazy=%v", lazy), func(t *testing.T) {
			db := modelstest.Open(t)
			release := now.Add(24 * time.Hour)
			ev, a := allocEvent(t, db, 4, 3, &release)
			via(t, db, a, "c@example.org", 0, now)
			register(t, db, ev.ID, "p@example.org", 0, models.InPerson)
			w1 := register(t, db, ev.ID, "w1@example.org", 1, models.InPerson)
			w2 := register(t, db, ev.ID, "w2@example.org", 0, models.InPerson)
			if n, err := models.ReleaseAllocations(db.DB, release.Add(-time.Second)); err != nil || n != 0 {
				t.Fatalf("released %d (%v) before the release time", n, err)
			}
			after := release.Add(time.Minute)
			if lazy {
				// A registration after the release time releases first: the
				// waitlist is served before the newcomer.
				res, err := models.Register(db.DB, tok, ev.ID, input("new@example.org", 0, models.InPerson), after)
				if err != nil {
					t.Fatal(err)
				}
				if res.Registration.Status != models.RegWaitlisted {
					t.Fatalf("newcomer %s: the waitlist should have had the released places", res.Registration.Status)
				}
			} else if n, err := models.ReleaseAllocations(db.DB, after); err != nil || n != 1 {
				t.Fatalf("released %d (%v), want 1", n, err)
			}
			if status(t, db, w1.Registration.ID) != models.RegConfirmed || status(t, db, w2.Registration.ID) != models.RegWaitlisted {
				t.Fatalf("after release: w1 %s, w2 %s; want confirmed and waitlisted", status(t, db, w1.Registration.ID), status(t, db, w2.Registration.ID))
			}
			if loadAlloc(t, db, a.ID).ReleasedAt == nil || count(t, db, &models.Activity{}, "event_id = ? AND action = ?", ev.ID, "allocation_released") != 1 {
				t.Fatal("release not recorded")
			}
			checkEvent(t, db, ev.ID)
			// Released: the code finds the allocation but says so; a
			// registration naming it takes public places.
			if _, err := models.AllocationByCode(db.DB, tok, loadEvent(t, db, ev.ID), tok.AllocationCode(a), after); !errors.Is(err, models.ErrCodeReleased) {
				t.Fatalf("code after release: %v", err)
			}
			if n, err := models.ReleaseAllocations(db.DB, after.Add(time.Hour)); err != nil || n != 0 {
				t.Fatalf("released again: %d %v", n, err)
			}
		})
	}
}

// Without a release time, reserved places are held until registration closes.
func TestReleaseWhenRegistrationCloses(t *testing.T) {
	db := modelstest.Open(t)
	ev, a := allocEvent(t, db, 2, 1, nil)
	register(t, db, ev.ID, "p@example.org", 0, models.InPerson)
	w := register(t, db, ev.ID, "w@example.org", 0, models.InPerson)
	if n, _ := models.ReleaseAllocations(db.DB, ev.StartsAt.Add(-time.Minute)); n != 0 {
		t.Fatal("released before registration closed")
	}
	if _, err := models.AllocationByCode(db.DB, tok, ev, tok.AllocationCode(a), ev.StartsAt.Add(-time.Minute)); err != nil {
		t.Fatalf("open code: %v", err)
	}
	if n, err := models.ReleaseAllocations(db.DB, ev.StartsAt); err != nil || n != 1 {
		t.Fatalf("released %d (%v) when registration closed", n, err)
	}
	if status(t, db, w.Registration.ID) != models.RegConfirmed {
		t.Fatal("waitlist not promoted at release")
	}
	checkEvent(t, db, ev.ID)
}

func TestAllocationCodes(t *testing.T) {
	db := modelstest.Open(t)
	ev, a := allocEvent(t, db, 10, 2, nil)
	other, b := allocEvent(t, db, 10, 2, nil)
	_ = other
	code := tok.AllocationCode(a)
	if got, err := models.AllocationByCode(db.DB, tok, ev, code, now); err != nil || got.ID != a.ID {
		t.Fatalf("own code: %v %v", got, err)
	}
	forged := code[:len(code)-2] + "xx"
	for name, c := range map[string]string{
		"empty": "", "garbage": "abc", "no secret": fmt.Sprint(a.ID) + "_", "forged": forged,
		"other event's code": tok.AllocationCode(b), "unknown id": "99999_" + strings.Repeat("a", 32),
		"other key": models.NewTokens([]byte("another secret key of enough length")).AllocationCode(a), "too long": code + strings.Repeat("a", 80),
	} {
		if _, err := models.AllocationByCode(db.DB, tok, ev, c, now); !errors.Is(err, models.ErrCodeUnknown) {
			t.Errorf("%s: %v, want ErrCodeUnknown", name, err)
		}
	}
}

func TestAllocationRules(t *testing.T) {
	db := modelstest.Open(t)
	ev, a := allocEvent(t, db, 10, 4, nil)
	via(t, db, a, "c1@example.org", 2, now) // 3 reserved places taken
	for i := 0; i < 3; i++ {
		register(t, db, ev.ID, fmt.Sprintf("p%d@example.org", i), 0, models.InPerson)
	}
	// taken 6, reserved 1, public free 3.
	cases := []struct {
		name  string
		in    models.AllocationInput
		field string
		says  string
	}{
		{"below its confirmed places", models.AllocationInput{ID: &a.ID, Label: "Mosque", Places: 2}, "places", "3 places of this allocation are confirmed"},
		{"more than is free", models.AllocationInput{ID: &a.ID, Label: "Mosque", Places: 9}, "places", "Only 3 more in-person places are free"},
		{"new, more than is free", models.AllocationInput{Label: "Church", Places: 4}, "places", "Only 3 more"},
		{"no label", models.AllocationInput{Label: "  ", Places: 1}, "label", "Enter who"},
		{"label on two lines", models.AllocationInput{Label: "a\nb", Places: 1}, "label", "one line"},
		{"no places", models.AllocationInput{Label: "Church", Places: 0}, "places", "at least 1"},
		{"negative places", models.AllocationInput{Label: "Church", Places: -3}, "places", "at least 1"},
		{"bad contact", models.AllocationInput{Label: "Church", Places: 1, ContactEmail: "not an address"}, "contact_email", "correct format"},
		{"unknown organisation", models.AllocationInput{Label: "Church", Places: 1, Organisation: "nope"}, "organisation", "no organisation"},
		{"unknown id", models.AllocationInput{ID: ip2(9999), Label: "X", Places: 1}, "id", "no allocation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := models.SaveAllocation(db.DB, ev.ID, c.in, nil, now)
			fieldErr(t, err, c.field)
			var ve *models.ValidationError
			errors.As(err, &ve)
			if !strings.Contains(ve.Fields[c.field], c.says) {
				t.Fatalf("message %q, want it to say %q", ve.Fields[c.field], c.says)
			}
			checkEvent(t, db, ev.ID)
		})
	}
	// Exactly what is free: fine.
	if _, err := models.SaveAllocation(db.DB, ev.ID, models.AllocationInput{ID: &a.ID, Label: "Mosque", Places: 7}, nil, now); err != nil {
		t.Fatal(err)
	}
	if got := checkEvent(t, db, ev.ID); got.Reserved != 4 || *got.PlacesLeft(models.InPerson) != 0 {
		t.Fatalf("reserved %d, public left %v", got.Reserved, fmtLeft(got.PlacesLeft(models.InPerson)))
	}
	// Capacity below confirmed + reserved: refused with both counts.
	_, err := models.SetCapacity(db.DB, ev.ID, models.InPerson, ip(9), nil, now)
	var ce *models.CapacityError
	if !errors.As(err, &ce) || ce.Confirmed != 6 || ce.Reserved != 4 || !strings.Contains(err.Error(), "at least 10") {
		t.Fatalf("capacity 9: %v", err)
	}
	if _, err := models.SetCapacity(db.DB, ev.ID, models.InPerson, nil, nil, now); err == nil {
		t.Fatal("unlimited capacity accepted with reserved places")
	}
	// A used allocation cannot be removed.
	var se *models.StateError
	if err := models.RemoveAllocation(db.DB, ev.ID, a.ID, nil, now); !errors.As(err, &se) || !strings.Contains(se.Msg, "1 registration came through") {
		t.Fatalf("remove used: %v", err)
	}
	// An unused one can, and its places go to the public (and promote).
	b, err := models.SaveAllocation(db.DB, ev.ID, models.AllocationInput{ID: &a.ID, Label: "Mosque", Places: 3}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	_ = b
	c, err := models.SaveAllocation(db.DB, ev.ID, models.AllocationInput{Label: "Church", Places: 2}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	w := register(t, db, ev.ID, "w@example.org", 2, models.InPerson) // 3 places, 2 public free
	if w.Registration.Status != models.RegWaitlisted {
		t.Fatalf("public took reserved places: %s", w.Registration.Status)
	}
	if err := models.RemoveAllocation(db.DB, ev.ID, c.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	if status(t, db, w.Registration.ID) != models.RegConfirmed {
		t.Fatal("removed allocation's places did not promote the waitlist")
	}
	checkEvent(t, db, ev.ID)
	if err := models.RemoveAllocation(db.DB, ev.ID, c.ID, nil, now); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("remove twice: %v", err)
	}
}

func ip2(n uint) *uint { return &n }

func TestAllocationsNeedAnInPersonCapacity(t *testing.T) {
	db := modelstest.Open(t)
	unlimited := newEvent(t, db, models.EventInput{})
	online := newEvent(t, db, models.EventInput{InPerson: bp(false), Online: bp(true), CapacitySet: true, Capacity: ip(5)})
	for _, ev := range []*models.Event{unlimited, online} {
		_, err := models.SaveAllocation(db.DB, ev.ID, models.AllocationInput{Label: "Church", Places: 1}, nil, now)
		fieldErr(t, err, "places")
	}
	// An event with reserved places cannot stop being in person.
	ev, _ := allocEvent(t, db, 5, 2, nil)
	_, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{InPerson: bp(false), Online: bp(true)}, nil, now)
	fieldErr(t, err, "in_person")
}

// The API's PATCH replaces the list: lowering the capacity and an
// allocation together works in either order of fields.
func TestReplaceAllocationsThroughUpdateEvent(t *testing.T) {
	db := modelstest.Open(t)
	ev, a := allocEvent(t, db, 10, 6, nil)
	list := []models.AllocationInput{{ID: &a.ID, Label: "Mosque", Places: 3}, {Label: "Synagogue", Places: 3}}
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{CapacitySet: true, Capacity: ip(6), Allocations: &list}, nil, now); err != nil {
		t.Fatal(err)
	}
	got := checkEvent(t, db, ev.ID)
	allocs, _ := models.EventAllocations(db.DB, ev.ID)
	if *got.Capacity != 6 || got.Reserved != 6 || len(allocs) != 2 {
		t.Fatalf("capacity %d reserved %d allocations %d", *got.Capacity, got.Reserved, len(allocs))
	}
	// Raising the capacity and adding places together.
	list = []models.AllocationInput{{ID: &allocs[0].ID, Label: "Mosque", Places: 5}, {ID: &allocs[1].ID, Label: "Synagogue", Places: 5}}
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{CapacitySet: true, Capacity: ip(12), Allocations: &list}, nil, now); err != nil {
		t.Fatal(err)
	}
	// Too many places: the named entry is refused, nothing changes.
	list = []models.AllocationInput{{ID: &allocs[0].ID, Label: "Mosque", Places: 5}, {ID: &allocs[1].ID, Label: "Synagogue", Places: 8}}
	_, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Allocations: &list}, nil, now)
	fieldErr(t, err, "allocations.1.places")
	if got := checkEvent(t, db, ev.ID); got.Reserved != 10 {
		t.Fatalf("reserved %d after a refused change, want 10", got.Reserved)
	}
	// Left out: removed; a used one left out is refused.
	via(t, db, &allocs[0], "c@example.org", 0, now)
	list = []models.AllocationInput{{ID: &allocs[1].ID, Label: "Synagogue", Places: 5}}
	_, err = models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Allocations: &list}, nil, now)
	fieldErr(t, err, "allocations")
	list = []models.AllocationInput{{ID: &allocs[0].ID, Label: "Mosque", Places: 5}}
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Allocations: &list}, nil, now); err != nil {
		t.Fatal(err)
	}
	if got := checkEvent(t, db, ev.ID); got.Reserved != 4 {
		t.Fatalf("reserved %d, want 4", got.Reserved)
	}
}

// In the confirm_email and approval modes the places are taken at
// confirmation or approval, from the allocation first.
func TestAllocationsWithRequestModes(t *testing.T) {
	for _, mode := range []string{models.ModeConfirmEmail, models.ModeApproval} {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev, a := allocEvent(t, db, 3, 2, nil)
			if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{RegistrationMode: sp(mode)}, nil, now); err != nil {
				t.Fatal(err)
			}
			res := via(t, db, a, "c@example.org", 1, now)
			if !res.CheckEmail || loadEvent(t, db, ev.ID).Reserved != 2 {
				t.Fatal("a request took reserved places before confirmation")
			}
			confirm(t, db, res.Registration.ID, now.Add(time.Minute))
			if mode == models.ModeApproval {
				if loadEvent(t, db, ev.ID).Reserved != 2 {
					t.Fatal("a pending request took reserved places")
				}
				if _, _, err := models.ApproveRegistration(db.DB, ev.ID, res.Registration.ID, nil, now); err != nil {
					t.Fatal(err)
				}
			}
			r := loadReg(t, db, res.Registration.ID)
			if r.Status != models.RegConfirmed || r.Allocated != 2 {
				t.Fatalf("%s, allocated %d; want confirmed with 2 reserved places", r.Status, r.Allocated)
			}
			if got := checkEvent(t, db, ev.ID); got.Taken != 2 || got.Reserved != 0 {
				t.Fatalf("taken %d reserved %d", got.Taken, got.Reserved)
			}
		})
	}
}

// A party too big for its reserved and public places, asking not to be
// waitlisted, is told how many places it could have: its allocation's too.
func TestPlacesErrorCountsReservedPlaces(t *testing.T) {
	db := modelstest.Open(t)
	ev, a := allocEvent(t, db, 4, 2, nil)
	register(t, db, ev.ID, "p@example.org", 0, models.InPerson)
	in := input("c@example.org", 3, models.InPerson)
	in.AllocationID, in.IfFull = &a.ID, models.IfFullReject
	_, err := models.Register(db.DB, tok, ev.ID, in, now)
	var pe *models.PlacesError
	if !errors.As(err, &pe) || pe.PlacesLeft != 3 {
		t.Fatalf("want a PlacesError with 3 places left, got %v", err)
	}
	in.AllocationID = nil
	_, err = models.Register(db.DB, tok, ev.ID, in, now)
	if !errors.As(err, &pe) || pe.PlacesLeft != 1 {
		t.Fatalf("public: want a PlacesError with 1 place left, got %v", err)
	}
	checkEvent(t, db, ev.ID)
}

func TestTallyAllocations(t *testing.T) {
	db := modelstest.Open(t)
	ev, a := allocEvent(t, db, 5, 2, nil)
	in := input("c1@example.org", 1, models.InPerson)
	in.AllocationID, in.Dietary = &a.ID, "halal"
	if _, err := models.Register(db.DB, tok, ev.ID, in, now); err != nil {
		t.Fatal(err)
	}
	via(t, db, a, "c2@example.org", 0, now) // public place
	register(t, db, ev.ID, "p@example.org", 0, models.InPerson)
	via(t, db, a, "c3@example.org", 1, now) // waitlisted
	allocs, _ := models.EventAllocations(db.DB, ev.ID)
	regs, _ := models.EventRegistrations(db.DB, ev.ID)
	got := models.TallyAllocations(allocs, regs)
	if len(got) != 1 || got[0].Confirmed.People != 3 || got[0].Waitlisted.People != 2 ||
		len(got[0].Catering) != 2 || got[0].Catering[0] != (models.DietCount{Diet: "halal", People: 2}) {
		t.Fatalf("tally %+v", got)
	}
}

// An organiser's cancellation of a community member, undone: the reserved
// place comes back from the allocation while it is free.
func TestUndoCancellationTakesTheReservedPlaceBack(t *testing.T) {
	db := modelstest.Open(t)
	ev, a := allocEvent(t, db, 3, 1, nil)
	r := via(t, db, a, "c@example.org", 0, now)
	staff := uint(1)
	if _, err := models.CancelRegistration(db.DB, r.Registration.ID, &staff, now); err != nil {
		t.Fatal(err)
	}
	if got := checkEvent(t, db, ev.ID); got.Reserved != 1 {
		t.Fatalf("after cancelling: reserved %d, want the place back with the community", got.Reserved)
	}
	out, err := models.UndoCancellation(db.DB, r.Registration.ID, &staff, now.Add(time.Minute))
	if err != nil || out.Registration.Status != models.RegConfirmed {
		t.Fatalf("undo: %+v %v", out, err)
	}
	if got := checkEvent(t, db, ev.ID); got.Reserved != 0 || loadReg(t, db, r.Registration.ID).Allocated != 1 {
		t.Fatalf("after undo: reserved %d, allocated %d", got.Reserved, loadReg(t, db, r.Registration.ID).Allocated)
	}
}
