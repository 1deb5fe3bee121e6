package models_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

var feedNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func strp(s string) *string { return &s }

func intp(n int) *int { return &n }

// feedEvent creates a published event starting days after feedNow.
func feedEvent(t *testing.T, db *models.DB, slug string, days int, change func(*models.EventInput)) *models.Event {
	t.Helper()
	start := feedNow.Add(time.Duration(days) * 24 * time.Hour)
	in := models.EventInput{Slug: strp(slug), Title: strp("Event " + slug), Kind: strp(models.KindMeeting), Status: strp(models.StatusPublished),
		StartsAt: &start, CapacitySet: true, Capacity: intp(1), Venue: &models.VenueInput{Name: strp("Hall"), Address: strp("1 Street")}}
	if change != nil {
		change(&in)
	}
	ev, err := models.CreateEvent(db.DB, in, nil, nil, feedNow.Add(-48*time.Hour))
	if err != nil {
		t.Fatalf("create %s: %v", slug, err)
	}
	return ev
}

func registerFor(t *testing.T, db *models.DB, ev *models.Event, email string) *models.Registration {
	t.Helper()
	res, err := models.Register(db.DB, modelstest.Tokens(), ev.ID, models.RegisterInput{Name: "A Person", Email: email,
		Attendance: models.InPerson, Dietary: "none", Consent: true}, feedNow.Add(-24*time.Hour))
	if err != nil {
		t.Fatalf("register %s for %s: %v", email, ev.Slug, err)
	}
	return res.Registration
}

// onBoth runs a test on SQLite and on PostgreSQL (skipped without a server,
// see modelstest.PostgresURL).
func onBoth(t *testing.T, test func(t *testing.T, db *models.DB)) {
	t.Run("sqlite", func(t *testing.T) { test(t, modelstest.Open(t)) })
	t.Run("postgres", func(t *testing.T) { test(t, modelstest.OpenPostgres(t)) })
}

func TestAttendeeFeedToken(t *testing.T) { onBoth(t, testAttendeeFeedToken) }

func testAttendeeFeedToken(t *testing.T, db *models.DB) {
	if v := models.SchemaVersion(); v < 3 {
		t.Fatalf("schema version %d: the attendee_feeds migration is missing", v)
	}
	tok := modelstest.Tokens()
	a, err := models.AttendeeFeedToken(db.DB, tok, "Amira@Example.org ", feedNow)
	if err != nil {
		t.Fatal(err)
	}
	again, err := models.AttendeeFeedToken(db.DB, tok, "amira@example.org", feedNow)
	if err != nil || again != a {
		t.Fatalf("second token %q (%v), want the first %q", again, err, a)
	}
	other, _ := models.AttendeeFeedToken(db.DB, tok, "daniel@example.org", feedNow)
	if other == a || len(a) != 32 {
		t.Fatalf("tokens %q and %q", a, other)
	}
	var row models.AttendeeFeed
	if err := db.Where("email_norm = ?", "amira@example.org").Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.TokenHash != models.HashToken(a) || row.Nonce == a || tok.Feed(row.Nonce) == a {
		t.Errorf("stored %+v: want the token's hash, and a token apart from registration feed tokens", row)
	}
	if _, err := models.AttendeeFeedToken(db.DB, tok, "not an address", feedNow); err == nil {
		t.Error("an invalid address got a feed")
	}

	// Mails composed at once for one address agree on one feed.
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			got[i], _ = models.AttendeeFeedToken(db.DB, tok, "grace@example.org", feedNow)
		}(i)
	}
	wg.Wait()
	for _, g := range got {
		if g == "" || g != got[0] {
			t.Fatalf("concurrent tokens %q", got)
		}
	}
}

func TestFeedRegistrations(t *testing.T) { onBoth(t, testFeedRegistrations) }

func testFeedRegistrations(t *testing.T, db *models.DB) {
	tok := modelstest.Tokens()
	soon := feedEvent(t, db, "soon", 5, nil)
	later := feedEvent(t, db, "later", 40, nil)
	full := feedEvent(t, db, "full", 10, nil)
	draft := feedEvent(t, db, "draft", 7, func(in *models.EventInput) { in.Status = strp(models.StatusDraft) })
	past := feedEvent(t, db, "past", -40, nil)
	recent := feedEvent(t, db, "recent", -10, nil)
	dropped := feedEvent(t, db, "dropped", 12, nil)

	mine := registerFor(t, db, later, "amira@example.org")
	registerFor(t, db, soon, "Amira@example.org")
	registerFor(t, db, full, "daniel@example.org")
	waiting := registerFor(t, db, full, "amira@example.org")
	if waiting.Status != models.RegWaitlisted {
		t.Fatalf("%s, want waitlisted", waiting.Status)
	}
	registerFor(t, db, soon, "daniel@example.org")
	regDrop := registerFor(t, db, dropped, "amira@example.org")
	if _, err := models.CancelRegistration(db.DB, regDrop.ID, nil, feedNow); err != nil {
		t.Fatal(err)
	}
	// Events in the past or not published: registered before, as in life.
	for _, ev := range []*models.Event{draft, past, recent} {
		r := models.Registration{EventID: ev.ID, Name: "A", Email: "amira@example.org", EmailNorm: "amira@example.org", Attendance: models.InPerson,
			Status: models.RegConfirmed, TokenNonce: models.NewNonce(), FeedNonce: models.NewNonce()}
		r.TokenHash, r.FeedTokenHash = models.HashToken(tok.Manage(r.TokenNonce)), models.HashToken(tok.Feed(r.FeedNonce))
		if err := db.Create(&r).Error; err != nil {
			t.Fatal(err)
		}
	}
	attendee, err := models.AttendeeFeedToken(db.DB, tok, "amira@example.org", feedNow)
	if err != nil {
		t.Fatal(err)
	}
	since := feedNow.Add(-30 * 24 * time.Hour)
	tests := []struct {
		name  string
		token string
		want  []string // event slugs, in start order
		err   error
	}{
		{"a registration's own feed shows that registration", tok.FeedToken(mine), []string{"later"}, nil},
		{"a waitlisted registration is shown", tok.FeedToken(waiting), []string{"full"}, nil},
		{"a cancelled registration's feed is empty", tok.FeedToken(regDrop), []string{}, nil},
		{"the attendee feed shows every active registration of the address", attendee, []string{"recent", "soon", "full", "later"}, nil},
		{"the manage token is not a feed token", tok.ManageToken(mine), nil, models.ErrNotFound},
		{"unknown token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil, models.ErrNotFound},
		{"short token", "abc", nil, models.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			regs, err := models.FeedRegistrations(db.Read, tt.token, since)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if tt.err != nil {
				return
			}
			got := []string{}
			for _, r := range regs {
				if r.Event == nil {
					t.Fatal("event not loaded")
				}
				got = append(got, r.Event.Slug)
				if r.EmailNorm != "amira@example.org" {
					t.Errorf("someone else's registration: %s", r.EmailNorm)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("events %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("events %v, want %v", got, tt.want)
				}
			}
		})
	}

	// A cancelled event stays for 30 days after its last change.
	if _, err := models.UpdateEvent(db.DB, "soon", models.EventInput{Status: strp(models.StatusCancelled)}, nil, feedNow); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		since time.Time
		want  int
	}{{since, 4}, {feedNow.Add(time.Second), 2}} {
		regs, err := models.FeedRegistrations(db.Read, attendee, c.since)
		if err != nil || len(regs) != c.want {
			t.Errorf("since %s: %d registrations (%v), want %d", c.since, len(regs), err, c.want)
		}
	}
}

func TestRotateFeedToken(t *testing.T) {
	db := modelstest.Open(t)
	tok := modelstest.Tokens()
	ev := feedEvent(t, db, "talk", 5, nil)
	reg := registerFor(t, db, ev, "amira@example.org")
	old := tok.FeedToken(reg)
	rotated, err := models.RotateFeedToken(db.DB, tok, reg.ID, feedNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.FeedRegistrations(db.Read, old, feedNow); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("old token: %v, want ErrNotFound", err)
	}
	regs, err := models.FeedRegistrations(db.Read, tok.FeedToken(rotated), feedNow)
	if err != nil || len(regs) != 1 || !regs[0].UpdatedAt.Equal(feedNow) {
		t.Errorf("new token: %v %v", regs, err)
	}
	if _, err := models.RotateFeedToken(db.DB, tok, 999, feedNow); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unknown registration: %v", err)
	}
}

func TestFeedFingerprint(t *testing.T) { onBoth(t, testFeedFingerprint) }

func testFeedFingerprint(t *testing.T, db *models.DB) {
	fp := func() string {
		t.Helper()
		s, err := models.FeedFingerprint(db.Read)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	empty := fp()
	ev := feedEvent(t, db, "talk", 5, nil)
	created := fp()
	registerFor(t, db, ev, "amira@example.org") // counts of places are not shown in feeds
	steps := []struct {
		name   string
		change func()
		same   bool
	}{
		{"a registration", func() { registerFor(t, db, ev, "daniel@example.org") }, true},
		{"a new title", func() {
			if _, err := models.UpdateEvent(db.DB, "talk", models.EventInput{Title: strp("New title")}, nil, feedNow); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"an organisation added", func() {
			o := models.Organisation{Slug: "o", Name: "O", Timezone: "Europe/London"}
			db.Create(&o)
		}, false},
		{"places taken by hand", func() { mustExec(t, db, "UPDATE events SET taken = taken + 1") }, true},
		{"an organisation's revision", func() { mustExec(t, db, "UPDATE organisations SET revision = revision + 1") }, false},
		{"a series added", func() { mustExec(t, db, "INSERT INTO series (slug, title, revision) VALUES ('s', 'S', 1)") }, false},
		{"a series' revision", func() { mustExec(t, db, "UPDATE series SET revision = revision + 1") }, false},
		{"a series removed", func() { mustExec(t, db, "DELETE FROM series") }, false},
		{"an event removed", func() {
			mustExec(t, db, "DELETE FROM registrations")
			mustExec(t, db, "DELETE FROM outbox_mails")
			mustExec(t, db, "DELETE FROM events")
		}, false},
	}
	if empty == created {
		t.Fatal("creating an event left the fingerprint unchanged")
	}
	before := fp()
	for _, s := range steps {
		s.change()
		after := fp()
		if (before == after) != s.same {
			t.Errorf("%s: fingerprint %q → %q", s.name, before, after)
		}
		before = after
	}
}

func mustExec(t *testing.T, db *models.DB, q string) {
	t.Helper()
	if err := db.Exec(q).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestSequenceBumps checks that UpdateEvent bumps Sequence on every change
// that calendars show, and only then.
func TestSequenceBumps(t *testing.T) {
	db := modelstest.Open(t)
	feedEvent(t, db, "talk", 5, nil)
	lat := 51.5
	later := feedNow.Add(6 * 24 * time.Hour)
	tests := []struct {
		name string
		in   models.EventInput
		bump bool
	}{
		{"title", models.EventInput{Title: strp("A new title")}, true},
		{"start", models.EventInput{StartsAt: &later}, true},
		{"venue", models.EventInput{Venue: &models.VenueInput{Name: strp("Another hall")}}, true},
		{"address visibility", models.EventInput{Venue: &models.VenueInput{AddressVisibility: strp(models.AddressRegistrants)}}, true},
		{"map position", models.EventInput{Venue: &models.VenueInput{Latitude: &lat, Longitude: &lat}}, true},
		{"online too", models.EventInput{Online: func() *bool { b := true; return &b }()}, true},
		{"stream link", models.EventInput{StreamURL: strp("https://stream.example.org/x")}, true},
		{"tentative", models.EventInput{Tentative: func() *bool { b := true; return &b }()}, true},
		{"status", models.EventInput{Status: strp(models.StatusPostponed)}, true},
		{"summary only", models.EventInput{Summary: strp("Just words")}, false},
		{"the same title again", models.EventInput{Title: strp("A new title")}, false},
	}
	seq := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := models.UpdateEvent(db.DB, "talk", tt.in, nil, feedNow)
			if err != nil {
				t.Fatal(err)
			}
			want := seq
			if tt.bump {
				want++
			}
			if ev.Sequence != want {
				t.Errorf("sequence %d, want %d", ev.Sequence, want)
			}
			seq = ev.Sequence
		})
	}
}
