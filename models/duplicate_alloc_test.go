package models_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestDuplicateCopiesAllocations: a copy of an event gets its reserved
// places (same label, organisation, places and contact; none taken; a new
// code; the release time moved as far as the start), counted by the
// ledger; allocations that no longer fit refuse the copy, naming them, and
// nothing is created. On SQLite and PostgreSQL.
func TestDuplicateCopiesAllocations(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *models.DB{"sqlite": modelstest.Open, "postgres": modelstest.OpenPostgres} {
		t.Run(name, func(t *testing.T) { testDuplicateCopiesAllocations(t, open(t)) })
	}
}

func testDuplicateCopiesAllocations(t *testing.T, db *models.DB) {
	if _, err := models.SaveOrganisation(db.DB, 0, models.OrganisationInput{Slug: "al-noor", Name: "Al-Noor Mosque", Timezone: "Europe/London"}, nil, now); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 20, 18, 0, 0, 0, time.UTC) // before the clocks go forward in London
	release := start.Add(-48 * time.Hour)
	tests := []struct {
		name   string
		allocs []models.AllocationInput
		// prepare runs on the source after its allocations are saved.
		prepare func(t *testing.T, ev *models.Event, allocs []*models.Allocation)
		// prepareAfter is how many allocations are saved before prepare
		// runs (0: all of them).
		prepareAfter int
		dates        []string
		field        string // the refusal's field; "" when the copy is made
		// reserved is the copy's reserved places.
		reserved int
	}{
		{name: "none to copy", dates: []string{"2026-04-10"}},
		{name: "used, with and without a release time, across the clock change",
			allocs: []models.AllocationInput{
				{Label: "Al-Noor Mosque", Organisation: "al-noor", Places: 4, ReleaseAt: &release, ContactEmail: "imam@example.org"},
				{Label: "Finchley Reform Synagogue", Places: 3}},
			prepare: func(t *testing.T, ev *models.Event, allocs []*models.Allocation) {
				via(t, db, allocs[0], "a@example.org", 1, now)
			},
			dates: []string{"2026-04-10", "2026-04-17"}, reserved: 7},
		{name: "released at the source: held again in the copy",
			allocs: []models.AllocationInput{{Label: "St Mary's", Places: 5, ReleaseAt: &release}},
			prepare: func(t *testing.T, ev *models.Event, allocs []*models.Allocation) {
				if err := models.ReleaseAllocation(db.DB, ev.ID, allocs[0].ID, nil, now); err != nil {
					t.Fatal(err)
				}
			},
			dates: []string{"2026-04-10"}, reserved: 5},
		{name: "more places than the copy's capacity: refused",
			allocs: []models.AllocationInput{{Label: "Released early", Places: 6}, {Label: "Added later", Places: 8}},
			prepare: func(t *testing.T, ev *models.Event, allocs []*models.Allocation) {
				// Releasing the first made room for the second at the source only.
				if err := models.ReleaseAllocation(db.DB, ev.ID, allocs[0].ID, nil, now); err != nil {
					t.Fatal(err)
				}
			},
			prepareAfter: 1, dates: []string{"2026-04-10"}, field: "allocations.1.places"},
		{name: "a bad date: nothing copied",
			allocs: []models.AllocationInput{{Label: "Mosque", Places: 2}},
			dates:  []string{"2026-04-10", "10/04/2026"}, field: "dates"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newEvent(t, db, models.EventInput{Slug: sp("source-" + string(rune('a'+i))), CapacitySet: true, Capacity: ip(10),
				MaxGuests: ip(3), StartsAt: tp(start), EndsAt: tp(start.Add(2 * time.Hour))})
			var saved []*models.Allocation
			at := tt.prepareAfter
			if at == 0 {
				at = len(tt.allocs)
			}
			for j, in := range tt.allocs {
				a, err := models.SaveAllocation(db.DB, src.ID, in, nil, now)
				if err != nil {
					t.Fatalf("SaveAllocation %q: %v", in.Label, err)
				}
				saved = append(saved, a)
				if tt.prepare != nil && j+1 == at {
					tt.prepare(t, src, saved)
				}
			}
			srcBefore := checkEvent(t, db, src.ID)
			before := count(t, db, &models.Event{}, "1 = 1")
			copies, err := models.DuplicateEvent(db.DB, src.Slug, tt.dates, nil, now)
			if tt.field != "" {
				fieldErr(t, err, tt.field)
				if tt.field != "dates" {
					var ve *models.ValidationError
					errors.As(err, &ve)
					if msg := ve.Fields[tt.field]; !strings.Contains(msg, "Added later") {
						t.Errorf("the message does not name the allocation: %q", msg)
					}
				}
				if n := count(t, db, &models.Event{}, "1 = 1"); n != before {
					t.Errorf("%d events made by a refused copy", n-before)
				}
				return
			}
			if err != nil {
				t.Fatalf("DuplicateEvent: %v", err)
			}
			if len(copies) != len(tt.dates) {
				t.Fatalf("%d copies, want %d", len(copies), len(tt.dates))
			}
			srcAllocs, err := models.EventAllocations(db.DB, src.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, cp := range copies {
				ev := checkEvent(t, db, cp.ID) // the ledger's invariants, taken + reserved <= capacity among them
				if ev.Reserved != tt.reserved || ev.Taken != 0 {
					t.Errorf("%s: reserved %d, taken %d; want %d, 0", ev.Slug, ev.Reserved, ev.Taken, tt.reserved)
				}
				got, err := models.EventAllocations(db.DB, cp.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(srcAllocs) {
					t.Fatalf("%s: %d allocations, want %d", ev.Slug, len(got), len(srcAllocs))
				}
				offset := ev.StartsAt.Sub(src.StartsAt)
				for j, a := range got {
					s := srcAllocs[j]
					if a.Label != s.Label || a.Places != s.Places || a.ContactEmail != s.ContactEmail || ptrID(a.OrganisationID) != ptrID(s.OrganisationID) {
						t.Errorf("%s: allocation %+v, want the details of %+v", ev.Slug, a, s)
					}
					if a.Taken != 0 || a.ReleasedAt != nil || a.CodeNonce == s.CodeNonce || a.CodeNonce == "" {
						t.Errorf("%s %q: taken %d, released %v, nonce %q (source's %q)", ev.Slug, a.Label, a.Taken, a.ReleasedAt, a.CodeNonce, s.CodeNonce)
					}
					switch {
					case s.ReleaseAt == nil && a.ReleaseAt != nil:
						t.Errorf("%s %q: release at %v, want when registration closes", ev.Slug, a.Label, a.ReleaseAt)
					case s.ReleaseAt != nil && (a.ReleaseAt == nil || !a.ReleaseAt.Equal(s.ReleaseAt.Add(offset))):
						t.Errorf("%s %q: release at %v, want %v", ev.Slug, a.Label, a.ReleaseAt, s.ReleaseAt.Add(offset))
					}
					// The source's link reserves nothing of the copy.
					if _, err := models.AllocationByCode(db.DB, tok, ev, tok.AllocationCode(&s), now); !errors.Is(err, models.ErrCodeUnknown) {
						t.Errorf("%s: the source's code %q answers %v", ev.Slug, s.Label, err)
					}
					if _, err := models.AllocationByCode(db.DB, tok, ev, tok.AllocationCode(&a), now); err != nil {
						t.Errorf("%s: the copy's own code: %v", ev.Slug, err)
					}
				}
			}
			if after := checkEvent(t, db, src.ID); after.Reserved != srcBefore.Reserved || after.Taken != srcBefore.Taken {
				t.Errorf("the source changed: reserved %d → %d, taken %d → %d", srcBefore.Reserved, after.Reserved, srcBefore.Taken, after.Taken)
			}
		})
	}
}
