package models_test

import (
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// now is the fixed clock of these tests: events start a week later.
var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

var tok = modelstest.Tokens()

var modes = []string{models.InPerson, models.Online}

func ip(n int) *int             { return &n }
func sp(s string) *string       { return &s }
func bp(b bool) *bool           { return &b }
func fp(f float64) *float64     { return &f }
func tp(t time.Time) *time.Time { return &t }

// newEvent creates a published meeting a week after now; in overrides the
// defaults.
func newEvent(t testing.TB, db *models.DB, in models.EventInput) *models.Event {
	t.Helper()
	if in.Title == nil {
		in.Title = sp("Test event")
	}
	if in.Kind == nil {
		in.Kind = sp(models.KindMeeting)
	}
	if in.Status == nil {
		in.Status = sp(models.StatusPublished)
	}
	if in.StartsAt == nil && in.StartRule == nil {
		in.StartsAt = tp(now.Add(7 * 24 * time.Hour))
		in.EndsAt = tp(now.Add(7*24*time.Hour + 2*time.Hour))
	}
	ev, err := models.CreateEvent(db.DB, in, nil, nil, now)
	if err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			t.Fatalf("CreateEvent: %v %v", err, ve.Fields)
		}
		t.Fatalf("CreateEvent: %v", err)
	}
	return ev
}

// modeEvent creates a hybrid event whose capacity in mode is capacity and
// whose other mode has the same capacity, so that a test of one mode also
// shows that the other is left alone.
func modeEvent(t testing.TB, db *models.DB, mode string, capacity *int, maxGuests int, waitlist bool) *models.Event {
	t.Helper()
	return newEvent(t, db, models.EventInput{
		InPerson: bp(true), Online: bp(true),
		CapacitySet: true, Capacity: capacity, OnlineCapacitySet: true, OnlineCapacity: capacity,
		MaxGuests: ip(maxGuests), Waitlist: bp(waitlist),
	})
}

func other(mode string) string {
	if mode == models.Online {
		return models.InPerson
	}
	return models.Online
}

func input(email string, guests int, mode string) models.RegisterInput {
	return models.RegisterInput{Name: "Attendee " + email, Email: email, Guests: guests, Attendance: mode, Consent: true}
}

// register books through models.Register and fails the test on error.
func register(t testing.TB, db *models.DB, evID uint, email string, guests int, mode string) *models.RegisterResult {
	t.Helper()
	res, err := models.Register(db.DB, tok, evID, input(email, guests, mode), now)
	if err != nil {
		t.Fatalf("Register %s (+%d, %s): %v", email, guests, mode, err)
	}
	return res
}

func loadEvent(t testing.TB, db *models.DB, id uint) *models.Event {
	t.Helper()
	var ev models.Event
	if err := db.DB.First(&ev, id).Error; err != nil {
		t.Fatalf("load event %d: %v", id, err)
	}
	return &ev
}

func loadReg(t testing.TB, db *models.DB, id uint) *models.Registration {
	t.Helper()
	var r models.Registration
	if err := db.DB.First(&r, id).Error; err != nil {
		t.Fatalf("load registration %d: %v", id, err)
	}
	return &r
}

func status(t testing.TB, db *models.DB, id uint) string {
	t.Helper()
	return loadReg(t, db, id).Status
}

func position(t testing.TB, db *models.DB, id uint) int {
	t.Helper()
	p, err := models.WaitlistPosition(db.DB, loadReg(t, db, id))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func count(t testing.TB, db *models.DB, model any, where string, args ...any) int {
	t.Helper()
	var n int64
	if err := db.DB.Model(model).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func mails(t testing.TB, db *models.DB, kind string, regID uint) int {
	t.Helper()
	return count(t, db, &models.OutboxMail{}, "kind = ? AND registration_id = ?", kind, regID)
}

// checkEvent verifies the capacity invariants of an event at rest:
//   - Taken and OnlineTaken equal the sum of (1+guests) of the confirmed
//     registrations of their mode, and never exceed the capacity;
//   - the waitlist of each mode has positions exactly 1..N in arrival order;
//   - no waitlisted party would fit the free places (promotion ran);
//   - every promoted registration has one "promoted" activity and one
//     "promoted" mail, and nothing else does.
func checkEvent(t testing.TB, db *models.DB, evID uint) *models.Event {
	t.Helper()
	ev := loadEvent(t, db, evID)
	allocs := checkAllocations(t, db, ev)
	for _, mode := range modes {
		var sum int64
		if err := db.DB.Model(&models.Registration{}).Select("COALESCE(SUM(1 + guests), 0)").
			Where("event_id = ? AND attendance = ? AND status = ?", evID, mode, models.RegConfirmed).
			Scan(&sum).Error; err != nil {
			t.Fatal(err)
		}
		if got := ev.TakenFor(mode); got != int(sum) {
			t.Errorf("%s: counter taken = %d, but confirmed registrations hold %d places", mode, got, sum)
		}
		if c := ev.CapacityFor(mode); c != nil && int(sum) > *c {
			t.Errorf("%s: OVERSOLD: %d confirmed places for capacity %d", mode, sum, *c)
		}
		var waiting []models.Registration
		if err := db.DB.Where("event_id = ? AND attendance = ? AND status = ?", evID, mode, models.RegWaitlisted).
			Order("waitlist_seq").Find(&waiting).Error; err != nil {
			t.Fatal(err)
		}
		seqs := map[int64]bool{}
		for i := range waiting {
			r := &waiting[i]
			if seqs[r.WaitlistSeq] {
				t.Errorf("%s: waitlist_seq %d used twice", mode, r.WaitlistSeq)
			}
			seqs[r.WaitlistSeq] = true
			if p, err := models.WaitlistPosition(db.DB, r); err != nil || p != i+1 {
				t.Errorf("%s: registration %d at waitlist index %d has position %d (%v)", mode, r.ID, i, p, err)
			}
			if ev.Status != models.StatusCancelled {
				left := ev.PlacesLeft(mode)
				if a, ok := allocs[ptrID(r.AllocationID)]; ok && left != nil && mode == models.InPerson {
					*left += a.Free()
				}
				if left == nil || r.Places() <= *left {
					t.Errorf("%s: registration %d (%d places) still waitlisted with free places %v", mode, r.ID, r.Places(), fmtLeft(left))
				}
			}
		}
		n, err := models.WaitlistLength(db.DB, evID)
		if err != nil {
			t.Fatal(err)
		}
		if n[mode] != len(waiting) {
			t.Errorf("%s: WaitlistLength %d, want %d", mode, n[mode], len(waiting))
		}
	}
	var regs []models.Registration
	if err := db.DB.Where("event_id = ?", evID).Find(&regs).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range regs {
		want := 0
		if r.PromotedAt != nil {
			want = 1
			if r.Status == models.RegWaitlisted {
				t.Errorf("registration %d promoted but still waitlisted", r.ID)
			}
		}
		if got := count(t, db, &models.Activity{}, "registration_id = ? AND action = ?", r.ID, "promoted"); got != want {
			t.Errorf("registration %d: %d promoted activities, want %d", r.ID, got, want)
		}
		if got := mails(t, db, models.MailPromoted, r.ID); got != want {
			t.Errorf("registration %d: %d promoted mails, want %d", r.ID, got, want)
		}
	}
	return ev
}

func ptrID(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}

// checkAllocations verifies the reserved places of an event at rest: each
// allocation's Taken is the places its confirmed registrations hold from it
// (never more than its places), the event's Reserved is what the unreleased
// ones hold free, and confirmed plus reserved places fit the capacity.
func checkAllocations(t testing.TB, db *models.DB, ev *models.Event) map[uint]models.Allocation {
	t.Helper()
	list, err := models.EventAllocations(db.DB, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint]models.Allocation{}
	held := 0
	for _, a := range list {
		out[a.ID] = a
		var sum int64
		if err := db.DB.Model(&models.Registration{}).Select("COALESCE(SUM(allocated), 0)").
			Where("allocation_id = ? AND status = ?", a.ID, models.RegConfirmed).Scan(&sum).Error; err != nil {
			t.Fatal(err)
		}
		if a.Taken != int(sum) || a.Taken > a.Places {
			t.Errorf("allocation %q: taken %d, confirmed registrations hold %d of its %d places", a.Label, a.Taken, sum, a.Places)
		}
		held += a.Free()
	}
	if n := count(t, db, &models.Registration{}, "event_id = ? AND status <> ? AND allocated > 0", ev.ID, models.RegConfirmed); n > 0 {
		t.Errorf("%d registrations that are not confirmed hold reserved places", n)
	}
	if ev.Reserved != held {
		t.Errorf("event reserves %d places, its unreleased allocations hold %d free", ev.Reserved, held)
	}
	if ev.Capacity != nil && ev.Taken+ev.Reserved > *ev.Capacity {
		t.Errorf("OVERSOLD: %d confirmed + %d reserved places for capacity %d", ev.Taken, ev.Reserved, *ev.Capacity)
	}
	return out
}

func fmtLeft(p *int) string {
	if p == nil {
		return "unlimited"
	}
	return fmt.Sprint(*p)
}

// wantPositions checks that ps holds exactly 1..n.
func wantPositions(t testing.TB, ps []int, n int) {
	t.Helper()
	sort.Ints(ps)
	if len(ps) != n {
		t.Fatalf("%d waitlist positions, want %d", len(ps), n)
	}
	for i, p := range ps {
		if p != i+1 {
			t.Fatalf("waitlist positions are not exactly 1..%d: index %d holds %d", n, i, p)
		}
	}
}

func fieldErr(t testing.TB, err error, field string) {
	t.Helper()
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a ValidationError on %q, got %v", field, err)
	}
	if _, ok := ve.Fields[field]; !ok {
		t.Fatalf("want a ValidationError on %q, got %v", field, ve.Fields)
	}
}
