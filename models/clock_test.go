package models_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestTimeIsAParameter runs the feed, change-detection and retention rules
// with clocks years away from the day the test runs, before and after it:
// what they decide must follow the now they are given, never the wall clock.
func TestTimeIsAParameter(t *testing.T) {
	for _, base := range []time.Time{
		time.Date(2011, 3, 14, 9, 30, 0, 0, time.UTC),
		time.Date(2043, 10, 2, 18, 0, 0, 0, time.UTC),
	} {
		t.Run(base.Format("2006"), func(t *testing.T) {
			onBoth(t, func(t *testing.T, db *models.DB) { testTimeIsAParameter(t, db, base) })
		})
	}
}

func testTimeIsAParameter(t *testing.T, db *models.DB, base time.Time) {
	tok := modelstest.Tokens()
	org, err := models.SaveOrganisation(db.DB, 0, models.OrganisationInput{Slug: "hosts", Name: "Hosts", Timezone: "Europe/London"}, nil, base)
	if err != nil {
		t.Fatal(err)
	}
	if !org.CreatedAt.Equal(base) || !org.UpdatedAt.Equal(base) {
		t.Errorf("organisation times %s/%s, want %s", org.CreatedAt, org.UpdatedAt, base)
	}
	mk := func(slug string, days int) *models.Event {
		start := base.AddDate(0, 0, days)
		end := start.Add(2 * time.Hour)
		ev, err := models.CreateEvent(db.DB, models.EventInput{Slug: sp(slug), Title: sp("Event " + slug), Kind: sp(models.KindMeeting),
			Status: sp(models.StatusPublished), StartsAt: &start, EndsAt: &end, CapacitySet: true, Capacity: ip(5),
			Venue: &models.VenueInput{Name: sp("Hall"), Address: sp("1 Street")}}, nil, nil, base)
		if err != nil {
			t.Fatalf("create %s: %v", slug, err)
		}
		return ev
	}
	soon, past, later := mk("soon", 3), mk("past", -40), mk("later", 60)
	reg := func(ev *models.Event) *models.Registration {
		res, err := models.Register(db.DB, tok, ev.ID, models.RegisterInput{Name: "Amira", Email: "amira@example.org",
			Attendance: models.InPerson, Dietary: "none", Consent: true}, base.AddDate(0, 0, -50))
		if err != nil {
			t.Fatalf("register for %s: %v", ev.Slug, err)
		}
		return res.Registration
	}
	r := reg(soon)
	reg(past)
	laterReg := reg(later)
	if want := base.AddDate(0, 0, -50); !r.CreatedAt.Equal(want) || !r.UpdatedAt.Equal(want) {
		t.Errorf("registration times %s/%s, want %s", r.CreatedAt, r.UpdatedAt, want)
	}
	feedToken, err := models.AttendeeFeedToken(db.DB, tok, "amira@example.org", base)
	if err != nil {
		t.Fatal(err)
	}

	// Feeds keep events that ended within 30 days of now.
	since := base.AddDate(0, 0, -30)
	slugs := func() []string {
		t.Helper()
		regs, err := models.FeedRegistrations(db.Read, feedToken, since)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range regs {
			out = append(out, r.Event.Slug)
		}
		return out
	}
	if got := strings.Join(slugs(), ","); got != "soon,later" {
		t.Errorf("feed %q, want soon,later", got)
	}

	// Every change bumps the revision and stores the now it was given, even
	// when that now is earlier than the last one (clocks of instances differ).
	fp0, err := models.FeedFingerprint(db.Read)
	if err != nil {
		t.Fatal(err)
	}
	v0 := models.EventVersion(soon)
	earlier := base.Add(-time.Hour)
	changed, err := models.UpdateEvent(db.DB, "soon", models.EventInput{Title: sp("Renamed")}, nil, earlier)
	if err != nil {
		t.Fatal(err)
	}
	if !changed.UpdatedAt.Equal(earlier) || changed.Revision != soon.Revision+1 {
		t.Errorf("after edit: updated %s revision %d, want %s and %d", changed.UpdatedAt, changed.Revision, earlier, soon.Revision+1)
	}
	if models.EventVersion(changed) == v0 {
		t.Error("an edit left the editor's version unchanged")
	}
	fp1, _ := models.FeedFingerprint(db.Read)
	if fp1 == fp0 {
		t.Error("an edit with an earlier clock left the feed fingerprint unchanged")
	}
	if _, err := models.UpdateEventIfUnchanged(db.DB, "soon", v0, models.EventInput{Title: sp("Stale")}, nil, base); err != models.ErrConflict {
		t.Errorf("a form opened before the edit: %v, want ErrConflict", err)
	}
	if _, err := models.SetCapacity(db.DB, soon.ID, models.InPerson, ip(9), nil, earlier); err != nil {
		t.Fatal(err)
	}
	fp2, _ := models.FeedFingerprint(db.Read)
	if fp2 == fp1 {
		t.Error("a capacity change left the feed fingerprint unchanged")
	}
	if _, err := models.SaveOrganisation(db.DB, org.ID, models.OrganisationInput{Slug: "hosts", Name: "Hosts renamed", Timezone: "Europe/London"}, nil, earlier); err != nil {
		t.Fatal(err)
	}
	fp3, _ := models.FeedFingerprint(db.Read)
	if fp3 == fp2 {
		t.Error("renaming an organisation left the feed fingerprint unchanged")
	}

	// Registrations changed at now carry now.
	at := base.Add(30 * time.Minute)
	ch, err := models.ChangeRegistration(db.DB, r.ID, models.RegistrationChange{AccessNeeds: sp("step-free")}, at)
	if err != nil || !ch.UpdatedAt.Equal(at) {
		t.Fatalf("change: %v, updated %v, want %s", err, ch, at)
	}
	cancelled, err := models.CancelRegistration(db.DB, r.ID, nil, at)
	if err != nil || !cancelled.UpdatedAt.Equal(at) || cancelled.CancelledAt == nil || !cancelled.CancelledAt.Equal(at) {
		t.Fatalf("cancel: %v %+v, want times %s", err, cancelled, at)
	}

	// A cancelled event stays in feeds for 30 days after it was cancelled.
	if _, err := models.UpdateEvent(db.DB, "later", models.EventInput{Status: sp(models.StatusCancelled)}, nil, base); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(slugs(), ","); got != "later" {
		t.Errorf("feed after cancelling %q, want later", got)
	}
	since = base.Add(24 * time.Hour)
	if got := strings.Join(slugs(), ","); got != "" {
		t.Errorf("feed a month after the cancellation %q, want nothing", got)
	}

	// Retention: personal data goes RETENTION_DAYS after the event, by now.
	// Answers go answers_retention_days (7) after the event.
	res, err := models.Purge(db.DB, base.AddDate(0, 0, -34), 30)
	if err != nil || res.Answers != 0 || res.Registrations != 0 {
		t.Fatalf("purge within a week of the event: %+v %v", res, err)
	}
	res, err = models.Purge(db.DB, base.AddDate(0, 0, -20), 30)
	if err != nil || res.Answers != 1 || res.Registrations != 0 {
		t.Fatalf("purge before the retention ended: %+v %v, want the answers of the past registration erased", res, err)
	}
	res, err = models.Purge(db.DB, base, 30)
	if err != nil || res.Registrations != 1 {
		t.Fatalf("purge after the retention ended: %+v %v, want the one registration of the past event", res, err)
	}
	var kept models.Registration
	if err := db.Where("event_id = ?", past.ID).Take(&kept).Error; err != nil {
		t.Fatal(err)
	}
	if kept.EmailNorm == "amira@example.org" || !kept.UpdatedAt.Equal(base) {
		t.Errorf("purged row %q updated %s, want the address gone at %s", kept.EmailNorm, kept.UpdatedAt, base)
	}

	// An attendee's erasure is stamped with the now it is given.
	if _, err := models.EraseRegistration(db.DB, laterReg.ID, nil, earlier); err != nil {
		t.Fatal(err)
	}
	var erased models.Registration
	if err := db.Take(&erased, laterReg.ID).Error; err != nil {
		t.Fatal(err)
	}
	if erased.PurgedAt == nil || !erased.PurgedAt.Equal(earlier) || !erased.CancelledAt.Equal(earlier) || !erased.UpdatedAt.Equal(earlier) {
		t.Errorf("erased row: purged %v cancelled %v updated %s, want %s", erased.PurgedAt, erased.CancelledAt, erased.UpdatedAt, earlier)
	}
}

// TestNoModelTakesTimeFromGORM checks the source of package models: every
// CreatedAt/UpdatedAt field tells GORM not to stamp it (GORM would write its
// clock over the now a function was given), and nothing reads the wall clock.
func TestNoModelTakesTimeFromGORM(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), "time.Now()") {
			t.Errorf("%s reads the wall clock: take now as a parameter", name)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			st, ok := n.(*ast.StructType)
			if !ok {
				return true
			}
			for _, field := range st.Fields.List {
				tag := ""
				if field.Tag != nil {
					tag = reflect.StructTag(strings.Trim(field.Tag.Value, "`")).Get("gorm")
				}
				for _, id := range field.Names {
					want := map[string]string{"CreatedAt": "autoCreateTime:false", "UpdatedAt": "autoUpdateTime:false"}[id.Name]
					if want != "" && !strings.Contains(tag, want) {
						t.Errorf("%s: field %s needs gorm:%q", fset.Position(id.Pos()), id.Name, want)
					}
					if strings.Contains(tag, "autoCreateTime") && !strings.Contains(tag, "autoCreateTime:false") ||
						strings.Contains(tag, "autoUpdateTime") && !strings.Contains(tag, "autoUpdateTime:false") {
						t.Errorf("%s: field %s lets GORM stamp the clock", fset.Position(id.Pos()), id.Name)
					}
				}
			}
			return true
		})
	}
}
