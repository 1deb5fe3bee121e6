package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"convene/models"
)

// TestHostRuleEverywhere checks the host rule (models.CheckHosts) at every
// place that sets an event's hosts: the editor creating and editing, the
// API's POST and PATCH. The organiser of open-doors also volunteers at the
// door for st-marys, which must not count as their own organisation.
func TestHostRuleEverywhere(t *testing.T) {
	f := newFixture(t, nil)
	var marys models.Organisation
	f.db.Where("slug = ?", "st-marys").Take(&marys)
	if err := f.db.Create(&models.Membership{UserID: f.users[roleOrganiser].ID, OrganisationID: marys.ID, Role: models.MemberDoor}).Error; err != nil {
		t.Fatal(err)
	}
	hostsOf := func(slug string) string {
		ev := must(models.FindEvent(f.db.DB, slug))
		var out []string
		for _, h := range ev.Hosts {
			out = append(out, h.Organisation.Slug)
		}
		return strings.Join(out, ",")
	}
	apiTests := []struct {
		name, method, path, role, body string
		status                         int
	}{
		{"PATCH hands the event to another organisation", "PATCH", "/api/v1/events/iftar", roleOrganiser, `{"hosts":["st-marys"]}`, 422},
		{"PATCH leaves no host", "PATCH", "/api/v1/events/iftar", roleOrganiser, `{"hosts":[]}`, 422},
		{"POST for another organisation", "POST", "/api/v1/events", roleOrganiser, `{"title":"Not mine","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","hosts":["st-marys"]}`, 422},
		{"PATCH hands another organisation's event to one the user does not organise", "PATCH", "/api/v1/events/vigil", roleOutsider, `{"hosts":["open-doors"]}`, 422},
		{"PATCH adds a partner", "PATCH", "/api/v1/events/iftar", roleOrganiser, `{"hosts":["open-doors",{"organisation":"st-marys","role":"co-host"}]}`, 200},
		{"POST with a partner", "POST", "/api/v1/events", roleOrganiser, `{"title":"Shared","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","hosts":["st-marys","open-doors"]}`, 201},
		{"admin hands over", "PATCH", "/api/v1/events/vigil", roleAdmin, `{"hosts":["open-doors"]}`, 200},
	}
	for _, tt := range apiTests {
		t.Run(tt.name, func(t *testing.T) {
			before := hostsOf("iftar")
			res := f.do(request{method: tt.method, path: tt.path, role: tt.role, bearer: true, json: tt.body})
			b := readBody(t, res)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, b)
			}
			if tt.status == 422 {
				var p Problem
				if err := json.Unmarshal([]byte(b), &p); err != nil || !strings.Contains(p.Errors["hosts"], "your own organisations") {
					t.Fatalf("problem %s", b)
				}
				if after := hostsOf("iftar"); after != before {
					t.Fatalf("hosts changed from %s to %s", before, after)
				}
			}
		})
	}
	if got := hostsOf("iftar"); got != "open-doors,st-marys" {
		t.Fatalf("iftar hosts %s", got)
	}

	t.Run("editor edit", func(t *testing.T) {
		form := editorForm(t, f, "iftar")
		form.Set("host", "st-marys")
		form.Del("co_hosts")
		res := f.do(request{method: "POST", path: "/admin/events/iftar/edit", role: roleOrganiser, form: form})
		b := readBody(t, res)
		if res.StatusCode != 422 || !strings.Contains(b, "Include one of your own organisations as host or co-host") {
			t.Fatalf("status %d", res.StatusCode)
		}
		if got := hostsOf("iftar"); got != "open-doors,st-marys" {
			t.Fatalf("hosts %s", got)
		}
		form.Set("co_hosts", "open-doors")
		if res := f.do(request{method: "POST", path: "/admin/events/iftar/edit", role: roleOrganiser, form: form}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("with own co-host: %d", res.StatusCode)
		}
	})
	t.Run("editor create", func(t *testing.T) {
		form := url.Values{"title": {"Town hall"}, "kind": {"meeting"}, "format": {"in_person"}, "start_rule": {"fixed"},
			"starts_at": {"2026-12-10T19:00"}, "host": {"st-marys"}, "max_guests": {"0"}, "reminder_hours": {"24"}}
		res := f.do(request{method: "POST", path: "/admin/events", role: roleOrganiser, form: form})
		if b := readBody(t, res); res.StatusCode != 422 || !strings.Contains(b, "Include one of your own organisations") {
			t.Fatalf("status %d", res.StatusCode)
		}
		var n int64
		f.db.Model(&models.Event{}).Where("slug = ?", "town-hall").Count(&n)
		if n != 0 {
			t.Fatal("stored")
		}
	})
}
