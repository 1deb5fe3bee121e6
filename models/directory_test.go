package models_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestDirectories: the public indexes count the events their pages list
// (published or postponed, not ended; not drafts, cancelled or past), sort
// organisations by name as people read it, and put series with events
// coming up first, soonest first, then past-only and empty ones by title;
// on SQLite and PostgreSQL alike.
func TestDirectories(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { checkDirectories(t, modelstest.Open(t)) })
	t.Run("postgres", func(t *testing.T) { checkDirectories(t, modelstest.OpenPostgres(t)) })
}

func checkDirectories(t *testing.T, db *models.DB) {
	for _, o := range []models.OrganisationInput{
		{Slug: "zion", Name: "Zion Church", Kind: "church"},
		{Slug: "eglise", Name: "Église Saint-Pierre", Kind: "church", Email: "private@example.org"},
		{Slug: "amnesty", Name: "amnesty group", Kind: "charity"},
		{Slug: "quiet", Name: "Quiet Friends"},
	} {
		o.Timezone = "Europe/London"
		if _, err := models.SaveOrganisation(db.DB, 0, o, nil, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []models.SeriesInput{
		{Slug: "later", Title: "A later week"}, {Slug: "sooner", Title: "B sooner week"},
		{Slug: "past", Title: "Past week"}, {Slug: "empty", Title: "An empty series"},
		{Slug: "postponed", Title: "Postponed only"},
	} {
		if _, err := models.SaveSeries(db.DB, 0, s, nil, now); err != nil {
			t.Fatal(err)
		}
	}
	day := 24 * time.Hour
	at := func(d time.Duration) (*time.Time, *time.Time) { return tp(now.Add(d)), tp(now.Add(d + 2*time.Hour)) }
	for _, e := range []struct {
		series, status string
		in             time.Duration
		hosts          []string
	}{
		{"later", models.StatusPublished, 20 * day, []string{"zion", "eglise"}},
		{"later", models.StatusPublished, 30 * day, []string{"zion"}},
		{"later", models.StatusDraft, 10 * day, []string{"zion"}},
		{"later", models.StatusCancelled, 11 * day, []string{"zion"}},
		{"sooner", models.StatusPublished, 5 * day, []string{"amnesty"}},
		{"past", models.StatusPublished, -5 * day, []string{"zion"}},
		{"postponed", models.StatusPostponed, 3 * day, nil},
	} {
		in := models.EventInput{Series: sp(e.series), Status: sp(e.status)}
		in.StartsAt, in.EndsAt = at(e.in)
		var hosts []models.HostInput
		for i, h := range e.hosts {
			role := models.RoleHost
			if i > 0 {
				role = models.RoleCoHost
			}
			hosts = append(hosts, models.HostInput{Organisation: h, Role: role})
		}
		if hosts != nil {
			in.Hosts = &hosts
		}
		if e.status == models.StatusCancelled {
			in.Status = sp(models.StatusPublished)
			ev := newEvent(t, db, in)
			if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Status: sp(models.StatusCancelled)}, nil, now); err != nil {
				t.Fatal(err)
			}
			continue
		}
		newEvent(t, db, in)
	}

	orgs, err := models.OrganisationDirectory(db.Read, now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	counts := map[string]int{}
	for _, o := range orgs {
		got = append(got, o.Slug)
		counts[o.Slug] = o.Upcoming
	}
	if want := []string{"amnesty", "eglise", "quiet", "zion"}; !slices.Equal(got, want) {
		t.Errorf("organisations in order %q, want %q", got, want)
	}
	for slug, want := range map[string]int{"zion": 2, "eglise": 1, "amnesty": 1, "quiet": 0} {
		if counts[slug] != want {
			t.Errorf("%s: %d upcoming, want %d", slug, counts[slug], want)
		}
	}

	series, err := models.SeriesDirectory(db.Read, now)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, s := range series {
		got = append(got, s.Slug)
	}
	if want := []string{"sooner", "later", "postponed", "empty", "past"}; !slices.Equal(got, want) {
		t.Errorf("series in order %q, want %q", got, want)
	}
	for _, tc := range []struct {
		slug           string
		upcoming, past int
		next           time.Duration // 0: none
	}{
		{"sooner", 1, 0, 5 * day},
		{"later", 2, 0, 20 * day},
		{"postponed", 1, 0, 0},
		{"empty", 0, 0, 0},
		{"past", 0, 1, 0},
	} {
		for _, s := range series {
			if s.Slug != tc.slug {
				continue
			}
			if s.Upcoming != tc.upcoming || s.Past != tc.past {
				t.Errorf("%s: %d upcoming, %d past; want %d, %d", s.Slug, s.Upcoming, s.Past, tc.upcoming, tc.past)
			}
			switch {
			case tc.next == 0 && s.Next != nil:
				t.Errorf("%s: next %s, want none", s.Slug, s.Next.Slug)
			case tc.next != 0 && (s.Next == nil || !s.Next.StartsAt.Equal(now.Add(tc.next))):
				t.Errorf("%s: next %+v, want the one in %s", s.Slug, s.Next, tc.next)
			}
		}
	}

	// A failing database is an error, not an empty index.
	sqlDB, err := db.Read.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.Close()
	if _, err := models.OrganisationDirectory(db.Read, now); err == nil || errors.Is(err, models.ErrNotFound) {
		t.Errorf("organisations on a closed database: %v", err)
	}
	if _, err := models.SeriesDirectory(db.Read, now); err == nil || errors.Is(err, models.ErrNotFound) {
		t.Errorf("series on a closed database: %v", err)
	}
}
