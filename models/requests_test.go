package models_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// modeEventWith creates an in-person event in a registration mode.
func modeEventWith(t testing.TB, db *models.DB, mode string, capacity int, waitlist bool) *models.Event {
	t.Helper()
	return newEvent(t, db, models.EventInput{RegistrationMode: sp(mode), CapacitySet: true, Capacity: ip(capacity),
		MaxGuests: ip(2), Waitlist: bp(waitlist)})
}

// request registers in a confirm_email or approval event and checks that
// the answer is only "check your email".
func request(t testing.TB, db *models.DB, evID uint, email string, guests int) *models.RegisterResult {
	t.Helper()
	res := register(t, db, evID, email, guests, models.InPerson)
	if !res.CheckEmail {
		t.Fatalf("request %s: answer %+v, want CheckEmail", email, res)
	}
	return res
}

func confirm(t testing.TB, db *models.DB, regID uint, at time.Time) *models.ConfirmResult {
	t.Helper()
	res, err := models.ConfirmRegistration(db.DB, regID, at)
	if err != nil {
		t.Fatalf("confirm %d: %v", regID, err)
	}
	return res
}

func TestRequestHoldsNothingUntilConfirmed(t *testing.T) {
	for _, mode := range []string{models.ModeConfirmEmail, models.ModeApproval} {
		t.Run(mode, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEventWith(t, db, mode, 2, true)
			res := request(t, db, ev.ID, "a@example.org", 1)
			if res.Duplicate || res.Registration.Status != models.RegUnconfirmed {
				t.Fatalf("new request: duplicate %v, status %s", res.Duplicate, res.Registration.Status)
			}
			if got := loadEvent(t, db, ev.ID); got.Taken != 0 || got.WaitlistSeq != 0 {
				t.Fatalf("an unconfirmed request holds places: taken %d, waitlist_seq %d", got.Taken, got.WaitlistSeq)
			}
			if mails(t, db, models.MailConfirmRequest, res.Registration.ID) != 1 || mails(t, db, models.MailConfirmation, res.Registration.ID) != 0 {
				t.Fatal("a request must be mailed its confirmation link, and nothing else")
			}
			// The same address again, before confirming: a second request of its
			// own (the first does not block it), answered the same way.
			again := request(t, db, ev.ID, " A@Example.org ", 0)
			if again.Duplicate || again.Registration.ID == res.Registration.ID {
				t.Fatalf("second unconfirmed request: %+v", again)
			}
			c := confirm(t, db, res.Registration.ID, now.Add(time.Hour))
			want := models.RegConfirmed
			if mode == models.ModeApproval {
				want = models.RegPending
			}
			if c.Registration.Status != want || c.Used || c.Duplicate {
				t.Fatalf("confirmed: %+v, want %s", c, want)
			}
			// Now that the address holds a registration, a request is a
			// duplicate: the same answer, its link mailed, nothing stored.
			before := count(t, db, &models.Registration{}, "event_id = ?", ev.ID)
			dup := request(t, db, ev.ID, "a@example.org", 0)
			if !dup.Duplicate || dup.Registration.ID != res.Registration.ID {
				t.Fatalf("request from a registered address: %+v", dup)
			}
			if count(t, db, &models.Registration{}, "event_id = ?", ev.ID) != before || mails(t, db, models.MailDuplicate, res.Registration.ID) != 1 {
				t.Fatal("a duplicate request must store nothing and mail the existing link")
			}
			// The other request of the address, confirmed later, finds the
			// registration: it is removed and that link mailed again.
			c2 := confirm(t, db, again.Registration.ID, now.Add(2*time.Hour))
			if !c2.Duplicate || c2.Registration.ID != res.Registration.ID {
				t.Fatalf("second confirmation: %+v", c2)
			}
			if count(t, db, &models.Registration{}, "id = ?", again.Registration.ID) != 0 {
				t.Fatal("the duplicate request was kept")
			}
			checkEvent(t, db, ev.ID)
		})
	}
}

// Places go in the order of confirmation, not of the requests.
func TestConfirmationOrderDecides(t *testing.T) {
	db := modelstest.Open(t)
	ev := modeEventWith(t, db, models.ModeConfirmEmail, 2, true)
	var ids []uint
	for _, e := range []string{"first@example.org", "second@example.org", "third@example.org"} {
		ids = append(ids, request(t, db, ev.ID, e, 0).Registration.ID)
	}
	for i, id := range []uint{ids[2], ids[0], ids[1]} {
		confirm(t, db, id, now.Add(time.Duration(i+1)*time.Minute))
	}
	if status(t, db, ids[2]) != models.RegConfirmed || status(t, db, ids[0]) != models.RegConfirmed {
		t.Fatalf("the first two confirmations must hold the places: %s, %s", status(t, db, ids[2]), status(t, db, ids[0]))
	}
	if status(t, db, ids[1]) != models.RegWaitlisted || position(t, db, ids[1]) != 1 {
		t.Fatalf("the last confirmation: %s at %d, want waitlisted at 1", status(t, db, ids[1]), position(t, db, ids[1]))
	}
	if mails(t, db, models.MailWaitlisted, ids[1]) != 1 || mails(t, db, models.MailConfirmation, ids[2]) != 1 {
		t.Fatal("confirmations must be mailed the outcome")
	}
	checkEvent(t, db, ev.ID)
}

func TestConfirmLinkUsedOrExpiredChangesNothing(t *testing.T) {
	db := modelstest.Open(t)
	ev := modeEventWith(t, db, models.ModeConfirmEmail, 5, true)
	used := request(t, db, ev.ID, "used@example.org", 0).Registration
	confirm(t, db, used.ID, now.Add(time.Minute))
	mailsBefore := count(t, db, &models.OutboxMail{}, "1 = 1")
	again := confirm(t, db, used.ID, now.Add(2*time.Minute))
	if !again.Used || again.Registration.Status != models.RegConfirmed {
		t.Fatalf("used link: %+v", again)
	}
	if count(t, db, &models.OutboxMail{}, "1 = 1") != mailsBefore || loadEvent(t, db, ev.ID).Taken != 1 {
		t.Fatal("a used link changed something")
	}

	old := request(t, db, ev.ID, "late@example.org", 0).Registration
	_, err := models.ConfirmRegistration(db.DB, old.ID, now.Add(models.UnconfirmedTTL))
	if !errors.Is(err, models.ErrLinkExpired) {
		t.Fatalf("a link 24 hours old: %v, want ErrLinkExpired", err)
	}
	if status(t, db, old.ID) != models.RegUnconfirmed || loadEvent(t, db, ev.ID).Taken != 1 {
		t.Fatal("an expired link changed something")
	}
	if _, err := models.ConfirmRegistration(db.DB, 999999, now); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown registration: %v", err)
	}

	// Expiry deletes the request and its mails; the address may ask again.
	fresh := request(t, db, ev.ID, "fresh@example.org", 0).Registration
	n, err := models.ExpireRequests(db.DB, now.Add(models.UnconfirmedTTL+time.Second))
	if err != nil || n != 2 {
		t.Fatalf("ExpireRequests: %d (%v), want the 2 requests of now", n, err)
	}
	if count(t, db, &models.Registration{}, "id = ?", old.ID) != 0 || count(t, db, &models.OutboxMail{}, "registration_id = ?", old.ID) != 0 {
		t.Fatal("an expired request or its mail is still stored")
	}
	if count(t, db, &models.Registration{}, "id = ?", used.ID) != 1 {
		t.Fatal("expiry removed a confirmed registration")
	}
	if _, err := models.ConfirmRegistration(db.DB, fresh.ID, now.Add(time.Minute)); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("confirming a deleted request: %v, want ErrNotFound", err)
	}
	later := now.Add(models.UnconfirmedTTL + time.Minute)
	again2, err := models.Register(db.DB, tok, ev.ID, input("late@example.org", 0, models.InPerson), later)
	if err != nil || !again2.CheckEmail || again2.Duplicate {
		t.Fatalf("a new request after expiry: %+v %v", again2, err)
	}
	if c := confirm(t, db, again2.Registration.ID, later.Add(time.Minute)); c.Registration.Status != models.RegConfirmed {
		t.Fatalf("a new request after expiry: %+v", c)
	}
	checkEvent(t, db, ev.ID)
}

func TestConfirmRefusedWhenEventClosedOrCancelled(t *testing.T) {
	db := modelstest.Open(t)
	ev := modeEventWith(t, db, models.ModeConfirmEmail, 5, true)
	r := request(t, db, ev.ID, "a@example.org", 0).Registration
	if _, err := models.ConfirmRegistration(db.DB, r.ID, ev.StartsAt.Add(-time.Hour).Add(models.UnconfirmedTTL)); err == nil {
		t.Fatal("confirmed after registration closed")
	}
	st := models.StatusCancelled
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Status: &st}, nil, now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ConfirmRegistration(db.DB, r.ID, now.Add(time.Minute)); !errors.Is(err, models.ErrEventCancelled) {
		t.Fatalf("confirm in a cancelled event: %v", err)
	}
	if status(t, db, r.ID) != models.RegUnconfirmed {
		t.Fatal("a refused confirmation changed the request")
	}
}

func TestApproveAndDecline(t *testing.T) {
	db := modelstest.Open(t)
	ev := modeEventWith(t, db, models.ModeApproval, 3, true)
	pending := func(email string, guests int) *models.Registration {
		r := request(t, db, ev.ID, email, guests).Registration
		confirm(t, db, r.ID, now.Add(time.Minute))
		return loadReg(t, db, r.ID)
	}
	a, b, c := pending("a@example.org", 2), pending("b@example.org", 1), pending("c@example.org", 0)
	if a.Status != models.RegPending || loadEvent(t, db, ev.ID).Taken != 0 {
		t.Fatalf("pending requests hold places: %s, taken %d", a.Status, loadEvent(t, db, ev.ID).Taken)
	}
	if mails(t, db, models.MailAwaitingApproval, a.ID) != 1 {
		t.Fatal("a confirmed request must be told it awaits approval")
	}
	qs, err := models.PendingRequests(db.DB, ev.ID)
	if err != nil || len(qs) != 3 {
		t.Fatalf("queue: %d (%v)", len(qs), err)
	}
	got, pos, err := models.ApproveRegistration(db.DB, ev.ID, a.ID, nil, now.Add(time.Hour))
	if err != nil || got.Status != models.RegConfirmed || pos != 0 {
		t.Fatalf("approve a: %+v %d %v", got, pos, err)
	}
	// Approving when full: waitlisted, and told so.
	got, pos, err = models.ApproveRegistration(db.DB, ev.ID, b.ID, nil, now.Add(time.Hour))
	if err != nil || got.Status != models.RegWaitlisted || pos != 1 {
		t.Fatalf("approve b when full: %+v %d %v", got, pos, err)
	}
	if mails(t, db, models.MailWaitlisted, b.ID) != 1 || mails(t, db, models.MailConfirmation, a.ID) != 1 {
		t.Fatal("approvals must be mailed")
	}
	// Approving again changes nothing.
	if again, _, err := models.ApproveRegistration(db.DB, ev.ID, a.ID, nil, now.Add(time.Hour)); err != nil || again.Status != models.RegConfirmed {
		t.Fatalf("approve twice: %+v %v", again, err)
	}
	if mails(t, db, models.MailConfirmation, a.ID) != 1 {
		t.Fatal("approving twice mailed twice")
	}
	declined, err := models.DeclineRegistration(db.DB, ev.ID, c.ID, nil, now.Add(time.Hour))
	if err != nil || declined.Status != models.RegDeclined || mails(t, db, models.MailDeclined, c.ID) != 1 {
		t.Fatalf("decline: %+v %v", declined, err)
	}
	if _, err := models.DeclineRegistration(db.DB, ev.ID, c.ID, nil, now.Add(time.Hour)); err != nil || mails(t, db, models.MailDeclined, c.ID) != 1 {
		t.Fatalf("declining twice: %v", err)
	}
	var se *models.StateError
	if _, err := models.DeclineRegistration(db.DB, ev.ID, a.ID, nil, now); !errors.As(err, &se) {
		t.Fatalf("declining a confirmed registration: %v, want a StateError", err)
	}
	// A declined address asking again is answered as any duplicate.
	if dup := request(t, db, ev.ID, "c@example.org", 0); !dup.Duplicate {
		t.Fatalf("a declined address asked again: %+v", dup)
	}
	// The organisers may change their mind.
	if got, _, err := models.ApproveRegistration(db.DB, ev.ID, c.ID, nil, now.Add(2*time.Hour)); err != nil || got.Status != models.RegWaitlisted {
		t.Fatalf("approve a declined request when full: %+v %v", got, err)
	}
	// Unconfirmed requests and other events' registrations are refused.
	u := request(t, db, ev.ID, "u@example.org", 0).Registration
	if _, _, err := models.ApproveRegistration(db.DB, ev.ID, u.ID, nil, now); !errors.As(err, &se) {
		t.Fatalf("approve unconfirmed: %v", err)
	}
	otherEv := modeEventWith(t, db, models.ModeApproval, 3, true)
	if _, _, err := models.ApproveRegistration(db.DB, otherEv.ID, a.ID, nil, now); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("approve through another event: %v", err)
	}
	// Cancelling the confirmed place promotes the approved waitlist.
	if _, err := models.CancelRegistration(db.DB, a.ID, nil, now.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if status(t, db, b.ID) != models.RegConfirmed {
		t.Fatalf("b after a cancelled: %s", status(t, db, b.ID))
	}
	checkEvent(t, db, ev.ID)
}

func TestApproveWhenFullWithoutWaitlistRefuses(t *testing.T) {
	db := modelstest.Open(t)
	ev := modeEventWith(t, db, models.ModeApproval, 1, false)
	var ids []uint
	for _, e := range []string{"a@example.org", "b@example.org"} {
		r := request(t, db, ev.ID, e, 0).Registration
		confirm(t, db, r.ID, now.Add(time.Minute))
		ids = append(ids, r.ID)
	}
	if _, _, err := models.ApproveRegistration(db.DB, ev.ID, ids[0], nil, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := models.ApproveRegistration(db.DB, ev.ID, ids[1], nil, now); !errors.Is(err, models.ErrFull) {
		t.Fatalf("approve when full without waitlist: %v, want ErrFull", err)
	}
	if status(t, db, ids[1]) != models.RegPending {
		t.Fatal("a refused approval changed the request")
	}
	checkEvent(t, db, ev.ID)
}

// Switching modes with registrations in flight: every registration keeps
// its status, nothing is lost and nothing counted twice.
func TestModeSwitchKeepsEveryRegistration(t *testing.T) {
	db := modelstest.Open(t)
	ev := modeEventWith(t, db, models.ModeApproval, 4, true)
	setMode := func(m string) {
		t.Helper()
		if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{RegistrationMode: sp(m)}, nil, now); err != nil {
			t.Fatal(err)
		}
	}
	unconfirmed := request(t, db, ev.ID, "u@example.org", 0).Registration
	pend := request(t, db, ev.ID, "p@example.org", 1).Registration
	confirm(t, db, pend.ID, now.Add(time.Minute))

	setMode(models.ModeInstant)
	if status(t, db, pend.ID) != models.RegPending || status(t, db, unconfirmed.ID) != models.RegUnconfirmed {
		t.Fatal("switching to instant changed statuses")
	}
	direct := register(t, db, ev.ID, "d@example.org", 0, models.InPerson)
	if direct.CheckEmail || direct.Registration.Status != models.RegConfirmed {
		t.Fatalf("instant registration after the switch: %+v", direct)
	}
	// The request made under approval, confirmed now, follows the mode of now.
	if c := confirm(t, db, unconfirmed.ID, now.Add(2*time.Minute)); c.Registration.Status != models.RegConfirmed {
		t.Fatalf("confirmed after the switch to instant: %s", c.Registration.Status)
	}
	setMode(models.ModeConfirmEmail)
	if got, _, err := models.ApproveRegistration(db.DB, ev.ID, pend.ID, nil, now); err != nil || got.Status != models.RegConfirmed {
		t.Fatalf("approving a request left from approval mode: %+v %v", got, err)
	}
	if got := loadEvent(t, db, ev.ID); got.Taken != 4 {
		t.Fatalf("taken %d, want 4 (1 + 1 + 2)", got.Taken)
	}
	if n := count(t, db, &models.Registration{}, "event_id = ?", ev.ID); n != 3 {
		t.Fatalf("%d registrations, want 3", n)
	}
	checkEvent(t, db, ev.ID)
}

// Organisers adding someone by hand need no confirmation or approval.
func TestOrganiserAddSkipsTheMode(t *testing.T) {
	db := modelstest.Open(t)
	ev := modeEventWith(t, db, models.ModeApproval, 4, true)
	in := input("walkin@example.org", 0, models.InPerson)
	in.ByOrganiser = true
	res, err := models.Register(db.DB, tok, ev.ID, in, now)
	if err != nil || res.CheckEmail || res.Registration.Status != models.RegConfirmed {
		t.Fatalf("organiser's add: %+v %v", res, err)
	}
}

// Requests, pending and declined registrations appear in no feed.
func TestFeedsShowOnlyPlaces(t *testing.T) {
	db := modelstest.Open(t)
	ev := modeEventWith(t, db, models.ModeApproval, 4, true)
	for i, want := range []string{models.RegUnconfirmed, models.RegPending, models.RegDeclined} {
		r := request(t, db, ev.ID, fmt.Sprintf("f%d@example.org", i), 0).Registration
		if want != models.RegUnconfirmed {
			confirm(t, db, r.ID, now.Add(time.Minute))
		}
		if want == models.RegDeclined {
			if _, err := models.DeclineRegistration(db.DB, ev.ID, r.ID, nil, now); err != nil {
				t.Fatal(err)
			}
		}
		regs, err := models.FeedRegistrations(db.DB, tok.FeedToken(r), now)
		if err != nil || len(regs) != 0 {
			t.Fatalf("%s registration in its feed: %d (%v)", want, len(regs), err)
		}
	}
}

// The group commit answers requests as Register does.
func TestRegistrarRequests(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *models.DB{"sqlite": modelstest.Open, "postgres": modelstest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ev := modeEventWith(t, db, models.ModeConfirmEmail, 2, true)
			r := models.NewRegistrar(db, tok)
			defer r.Close()
			res, err := r.Register(t.Context(), ev.ID, input("g@example.org", 0, models.InPerson), now)
			if err != nil || !res.CheckEmail || res.Registration.Status != models.RegUnconfirmed {
				t.Fatalf("request through the registrar: %+v %v", res, err)
			}
			confirm(t, db, res.Registration.ID, now.Add(time.Minute))
			dup, err := r.Register(t.Context(), ev.ID, input("g@example.org", 0, models.InPerson), now)
			if err != nil || !dup.CheckEmail || !dup.Duplicate {
				t.Fatalf("duplicate through the registrar: %+v %v", dup, err)
			}
		})
	}
}

// A party that cannot fit is answered as in the instant mode when the
// person would rather not wait (or there is no waitlist): nothing stored.
func TestRequestThatCannotFit(t *testing.T) {
	db := modelstest.Open(t)
	ev := modeEventWith(t, db, models.ModeConfirmEmail, 1, true)
	in := input("big@example.org", 2, models.InPerson)
	in.IfFull = models.IfFullReject
	_, err := models.Register(db.DB, tok, ev.ID, in, now)
	var pe *models.PlacesError
	if !errors.As(err, &pe) || pe.PlacesLeft != 1 || pe.Party != 3 {
		t.Fatalf("a party of 3 for 1 place, rejecting: %v", err)
	}
	if n := count(t, db, &models.Registration{}, "event_id = ?", ev.ID); n != 0 {
		t.Fatalf("%d rows stored", n)
	}
	in.IfFull = models.IfFullWaitlist
	if res, err := models.Register(db.DB, tok, ev.ID, in, now); err != nil || !res.CheckEmail {
		t.Fatalf("a party of 3 for 1 place, waiting: %+v %v", res, err)
	}
}
