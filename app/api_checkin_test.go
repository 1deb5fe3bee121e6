package app

import (
	"encoding/json"
	"fmt"
	"testing"

	"convene/models"
)

// TestAPIUndoCheckIn: DELETE …/registrations/{id}/check-in clears a
// check-in (whole or partial) through models.UndoCheckIn, is idempotent,
// records who undid it, and refuses bad input and other events'
// registrations.
func TestAPIUndoCheckIn(t *testing.T) {
	f := newFixture(t, nil)
	other := must(models.EventRegistrations(f.db.DB, f.other.ID))[0]
	path := func(slug string, id any) string {
		return fmt.Sprintf("/api/v1/events/%s/registrations/%v/check-in", slug, id)
	}
	mine := path(f.ev.Slug, f.reg.ID)
	tests := []struct {
		name     string
		role     string
		checkIn  string // the body of a check-in first ("-": none)
		path     string
		body     string
		status   int
		undone   bool // the stored registration is not checked in afterwards
		logCount int  // check_in_undone entries after the request
	}{
		{"organiser undoes a whole party", roleOrganiser, "{}", mine, "", 200, true, 1},
		{"again: nothing changes", roleOrganiser, "-", mine, "", 200, true, 1},
		{"admin undoes a partial check-in", roleAdmin, `{"arrived":1}`, mine, "{}", 200, true, 2},
		{"door volunteer of the event", roleDoor, "{}", mine, "", 200, true, 3},
		{"a body with fields", roleOrganiser, "{}", mine, `{"arrived":0}`, 422, false, 3},
		{"a registration of another event", roleOrganiser, "{}", path(f.ev.Slug, other.ID), "", 404, false, 3},
		{"an id that is not a number", roleOrganiser, "{}", path(f.ev.Slug, "abc"), "", 404, false, 3},
		{"an unknown id", roleOrganiser, "{}", path(f.ev.Slug, 99999), "", 404, false, 3},
		{"an organiser of another organisation", roleOutsider, "{}", mine, "", 404, false, 3},
		{"no token", roleAnon, "{}", mine, "", 401, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.checkIn != "-" {
				if res := f.do(request{method: "POST", path: mine, role: roleOrganiser, bearer: true, json: tt.checkIn}); res.StatusCode != 200 {
					t.Fatalf("check-in: %d %s", res.StatusCode, readBody(t, res))
				}
			}
			res := f.do(request{method: "DELETE", path: tt.path, role: tt.role, bearer: true, json: tt.body})
			raw := readBody(t, res)
			if res.StatusCode != tt.status {
				t.Fatalf("%d, want %d: %s", res.StatusCode, tt.status, raw)
			}
			stored := must(models.RegistrationByID(f.db.DB, f.reg.ID))
			if undone := stored.CheckedInAt == nil && stored.CheckedInPeople == 0; undone != tt.undone {
				t.Errorf("checked in at %v (%d people), want undone %v", stored.CheckedInAt, stored.CheckedInPeople, tt.undone)
			}
			var n int64
			if err := f.db.Model(&models.Activity{}).Where("action = ? AND registration_id = ?", "check_in_undone", f.reg.ID).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			if int(n) != tt.logCount {
				t.Errorf("%d check_in_undone entries, want %d", n, tt.logCount)
			}
			if tt.status != 200 {
				// Leave the registration as the next case expects, unlogged.
				if err := f.db.Model(&models.Registration{}).Where("id = ?", f.reg.ID).
					Updates(map[string]any{"checked_in_at": nil, "checked_in_people": 0}).Error; err != nil {
					t.Fatal(err)
				}
				return
			}
			var got CheckInUndoneJSON
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatal(err)
			}
			want := CheckInUndoneJSON{ID: f.reg.ID, Event: f.ev.Slug, Name: f.reg.Name, Guests: 2, Places: 3,
				Counts: must(models.CountDoor(f.db.DB, f.ev))}
			if got != want || want.Counts.CheckedIn != 0 {
				t.Errorf("answer %+v, want %+v", got, want)
			}
		})
	}
}
