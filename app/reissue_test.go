package app

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"convene/models"
)

// TestAPIReissueAllocation: POST …/allocations/{id}/reissue answers the
// allocation with a new code and url; the old code then registers in the
// public pool with the usual notice, the new one uses the reserved places;
// bad input and other events' allocations are refused.
func TestAPIReissueAllocation(t *testing.T) {
	f := newFixture(t, nil)
	al := f.allocation()
	oldCode := f.app.tok.AllocationCode(al)
	otherCap := 5
	must(models.SetCapacity(f.db.DB, f.other.ID, models.InPerson, &otherCap, nil, f.now))
	foreign := must(models.SaveAllocation(f.db.DB, f.other.ID, models.AllocationInput{Label: "Elsewhere", Places: 1}, nil, f.now))
	path := func(id any) string { return fmt.Sprintf("/api/v1/events/%s/allocations/%v/reissue", f.ev.Slug, id) }
	codes := map[string]bool{oldCode: true}
	tests := []struct {
		name, role, path, body string
		status                 int
	}{
		{"organiser", roleOrganiser, path(al.ID), "", 200},
		{"admin, with an empty body", roleAdmin, path(al.ID), "{}", 200},
		{"a body with fields", roleOrganiser, path(al.ID), `{"code":"mine"}`, 422},
		{"another event's allocation", roleOrganiser, path(foreign.ID), "", 404},
		{"an id that is not a number", roleOrganiser, path("x"), "", 404},
		{"an unknown id", roleOrganiser, path(99999), "", 404},
		{"an organiser of another organisation", roleOutsider, path(al.ID), "", 404},
		{"a door volunteer", roleDoor, path(al.ID), "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := must(models.AllocationByID(f.db.DB, f.ev.ID, al.ID)).CodeNonce
			res := f.do(request{method: "POST", path: tt.path, role: tt.role, bearer: true, json: tt.body})
			raw := readBody(t, res)
			if res.StatusCode != tt.status {
				t.Fatalf("%d, want %d: %s", res.StatusCode, tt.status, raw)
			}
			stored := must(models.AllocationByID(f.db.DB, f.ev.ID, al.ID))
			if tt.status != 200 {
				if stored.CodeNonce != before {
					t.Error("a refused reissue changed the code")
				}
				return
			}
			var got AllocationJSON
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatal(err)
			}
			if codes[got.Code] || got.Code != f.app.tok.AllocationCode(stored) || got.URL != "http://convene.test/events/iftar?code="+url.QueryEscape(got.Code) {
				t.Fatalf("code %q (url %q) is not the new one", got.Code, got.URL)
			}
			codes[got.Code] = true
			if got.ID != al.ID || got.Label != "St Mary's" || got.Organisation == nil || *got.Organisation != "st-marys" || got.Places != 1 {
				t.Errorf("answer %+v", got)
			}
			// The event object lists the same.
			res = f.do(request{method: "GET", path: "/api/v1/events/" + f.ev.Slug, role: roleOrganiser, bearer: true})
			var ev EventJSON
			if err := json.Unmarshal([]byte(readBody(t, res)), &ev); err != nil || ev.Allocations == nil || !jsonEqual((*ev.Allocations)[0], got) {
				t.Errorf("the event lists %+v, want %+v (%v)", ev.Allocations, got, err)
			}
		})
	}
	register := func(email, code string) map[string]any {
		t.Helper()
		res := f.do(request{method: "POST", path: "/api/v1/events/" + f.ev.Slug + "/registrations",
			json: fmt.Sprintf(`{"name":"Visitor","email":%q,"consent":true,"code":%q}`, email, code)})
		var out map[string]any
		if err := json.Unmarshal([]byte(readBody(t, res)), &out); err != nil || res.StatusCode != 201 {
			t.Fatalf("register with code: %d %v", res.StatusCode, out)
		}
		return out
	}
	// The old code: the public pool (full, so the waitlist), with the notice.
	if out := register("old-link@example.org", oldCode); out["status"] != "waitlisted" || !strings.Contains(fmt.Sprint(out["notice"]), "does not hold reserved places") {
		t.Errorf("through the old code: %v", out)
	}
	var newest string
	for c := range codes {
		if c != oldCode && f.app.tok.AllocationCode(must(models.AllocationByID(f.db.DB, f.ev.ID, al.ID))) == c {
			newest = c
		}
	}
	if out := register("new-link@example.org", newest); out["status"] != "confirmed" || out["notice"] != nil {
		t.Errorf("through the new code: %v", out)
	}
	if got := must(models.AllocationByID(f.db.DB, f.ev.ID, al.ID)); got.Taken != 1 {
		t.Errorf("the allocation has %d taken, want 1", got.Taken)
	}
}

// TestReissueOnReservedPlacesTab: the tab offers a new link behind a
// confirmation (a disclosure that says what happens), replaces it on
// confirmation with the usual CSRF check, says so, and the audit log has
// the line.
func TestReissueOnReservedPlacesTab(t *testing.T) {
	f := newFixture(t, nil)
	al := f.allocation()
	oldLink := f.app.links().Allocation(f.ev.Slug, f.app.tok.AllocationCode(al))
	tab := "/admin/events/" + f.ev.Slug + "/allocations"
	page := readBody(t, f.do(request{method: "GET", path: tab, role: roleOrganiser}))
	for _, want := range []string{"<summary>Make a new private link", "will stop working at once", `value="reissue"`, "Yes, replace the link"} {
		if !strings.Contains(page, want) {
			t.Errorf("the tab lacks %q", want)
		}
	}
	form := url.Values{"action": {"reissue"}, "id": {fmt.Sprint(al.ID)}}
	tests := []struct {
		name   string
		role   string
		form   url.Values
		noCSRF bool
		status int
	}{
		{"no CSRF token", roleOrganiser, form, true, 403},
		{"a door volunteer", roleDoor, form, false, 403},
		{"an unknown allocation", roleOrganiser, url.Values{"action": {"reissue"}, "id": {"99999"}}, false, 404},
		{"a malformed id", roleOrganiser, url.Values{"action": {"reissue"}, "id": {"-1"}}, false, 404},
		{"the organiser", roleOrganiser, form, false, 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(request{method: "POST", path: tab, role: tt.role, form: tt.form, noCSRF: tt.noCSRF})
			if res.StatusCode != tt.status {
				t.Fatalf("%d, want %d", res.StatusCode, tt.status)
			}
			changed := f.app.tok.AllocationCode(must(models.AllocationByID(f.db.DB, f.ev.ID, al.ID))) != f.app.tok.AllocationCode(al)
			if changed != (tt.status == 303) {
				t.Fatalf("code changed: %v", changed)
			}
		})
	}
	res := f.do(request{method: "GET", path: tab + "?done=reissued", role: roleOrganiser})
	page = readBody(t, res)
	newLink := f.app.links().Allocation(f.ev.Slug, f.app.tok.AllocationCode(must(models.AllocationByID(f.db.DB, f.ev.ID, al.ID))))
	if !strings.Contains(page, "A new private link is ready") || !strings.Contains(page, newLink) || strings.Contains(page, oldLink) {
		t.Errorf("after the reissue the tab does not show the new link only")
	}
	audit := readBody(t, f.do(request{method: "GET", path: "/admin/audit", role: roleAdmin}))
	if !strings.Contains(audit, "made a new private link for the places reserved for") {
		t.Error("the audit log lacks the reissue")
	}
}
