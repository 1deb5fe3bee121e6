package app

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"convene/models"
)

// TestEveryActivityHasASentence reads the source for every kind of
// activity written (the action argument of logActivity, RecordActivity and
// LogAccountActivity, and the values given to an "action" variable) and
// checks that the audit log has a sentence for each.
func TestEveryActivityHasASentence(t *testing.T) {
	call := regexp.MustCompile(`(?:logActivity|RecordActivity|LogAccountActivity)\([^"\n]*?"([a-z_]+)"`)
	assign := regexp.MustCompile(`\baction :?= "([a-z_]+)"`)
	found := map[string]string{}
	for _, dir := range []string{".", "../models"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, re := range []*regexp.Regexp{call, assign} {
				for _, m := range re.FindAllStringSubmatch(string(b), -1) {
					found[m[1]] = f
				}
			}
		}
	}
	if len(found) < 30 {
		t.Fatalf("found only %d kinds of activity: the scan is broken", len(found))
	}
	for action, file := range found {
		if _, ok := auditVerbs[action]; !ok {
			t.Errorf("%s writes activity %q, which has no sentence in auditVerbs", file, action)
		}
	}
	for action := range auditVerbs {
		if _, ok := found[action]; !ok {
			t.Errorf("auditVerbs has %q, which nothing writes", action)
		}
	}
}

// TestAuditSentences: each kind reads as a sentence, with names isolated.
func TestAuditSentences(t *testing.T) {
	reg := uint(7)
	amira := uint(1)
	base := models.AuditEntry{UserName: "Amira", UserEmail: "amira@example.org", RegName: "Grace Okafor", RegGuests: 2}
	base.RegistrationID, base.UserID = &reg, &amira
	render := func(w auditWords) string {
		var b strings.Builder
		for _, p := range w {
			if p.Typed {
				b.WriteString("[" + p.Text + "]")
			} else {
				b.WriteString(p.Text)
			}
		}
		return b.String()
	}
	cases := []struct {
		action, detail string
		change         func(e *models.AuditEntry)
		want           string
	}{
		{"checked_in", "3 of 3", nil, "[Amira] checked in [Grace Okafor]’s party of 3"},
		{"checked_in", "2 of 3", nil, "[Amira] checked in 2 of [Grace Okafor]’s party of 3"},
		{"checked_in", "1 of 1", func(e *models.AuditEntry) { e.RegGuests = 0 }, "[Amira] checked in [Grace Okafor]"},
		{"check_in_undone", "2 of 3", nil, "[Amira] undid the check-in of [Grace Okafor]’s party of 3"},
		{"cancelled", "registration cancelled", nil, "[Amira] cancelled [Grace Okafor]’s registration"},
		{"cancelled", "registration cancelled", func(e *models.AuditEntry) { e.UserID, e.UserName, e.UserEmail = nil, "", "" }, "[Grace Okafor] cancelled their registration"},
		{"cancellation_undone", "cancellation undone: waitlisted, number 1", nil, "[Amira] undid the cancellation of [Grace Okafor]’s registration: now waitlisted, number 1"},
		{"promoted", "promoted from the waitlist (3 places)", func(e *models.AuditEntry) { e.UserID = nil }, "[Grace Okafor]’s party of 3 moved up from the waitlist into freed places"},
		{"capacity_changed", "in_person capacity 3 → 5", nil, "[Amira] changed the in-person places: 3 → 5"},
		{"event_changed", "status draft → published", nil, "[Amira] published the event"},
		{"event_changed", "sequence 4", nil, "[Amira] changed the event"},
		{"signed_in", "", func(e *models.AuditEntry) { e.UserName = "" }, "[amira@example.org] signed in"},
		{"checked_in", "3 of 3", func(e *models.AuditEntry) { e.RegName = "محمد عبد الله" }, "[Amira] checked in [محمد عبد الله]’s party of 3"},
		{"checked_in", "3 of 3", func(e *models.AuditEntry) { e.RegName = "" }, "[Amira] checked in registration #7 (details removed)"},
		{"api_token_created", "Website sync (read, expires 2027-01-01)", nil, "[Amira] created the API token [Website sync (read, expires 2027-01-01)]"},
		{"something_new", "x", nil, "[Amira]: something new[ x]"},
	}
	for _, tc := range cases {
		t.Run(tc.action+" "+tc.detail, func(t *testing.T) {
			e := base
			e.Action, e.Detail = tc.action, tc.detail
			if tc.change != nil {
				tc.change(&e)
			}
			if got := render(auditSentence(e)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	// Every known kind makes a sentence without falling back.
	for action, f := range auditVerbs {
		e := base
		e.Action, e.Detail = action, "detail"
		if w := f(e, auditSubject(e)); len(w) == 0 || strings.Contains(render(w), ": "+strings.ReplaceAll(action, "_", " ")) {
			t.Errorf("%s: %q", action, render(w))
		}
	}
}

// TestAuditLogPageInWords: the audit log page says what happened in
// sentences, the names in <bdi>.
func TestAuditLogPageInWords(t *testing.T) {
	f := newFixture(t, nil)
	f.db.Model(&models.Registration{}).Where("id = ?", f.reg.ID).Update("name", "محمد عبد الله")
	f.db.Model(&models.User{}).Where("id = ?", f.users[roleDoor].ID).Update("name", "Amira")
	door := fmt.Sprintf("/admin/events/iftar/door/%d/check-in", f.reg.ID)
	f.do(request{method: "POST", path: door, role: roleDoor, form: url.Values{"arrived": {"2"}}})
	f.do(request{method: "POST", path: door, role: roleDoor, form: url.Values{"arrived": {"3"}}})
	body := readBody(t, f.do(request{method: "GET", path: "/admin/audit", role: roleAdmin}))
	for _, want := range []string{
		"<bdi>Amira</bdi> checked in 2 of <bdi>محمد عبد الله</bdi>’s party of 3",
		"<bdi>Amira</bdi> checked in <bdi>محمد عبد الله</bdi>’s party of 3",
		`<option value="checked_in">Checked in</option>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("audit log lacks %s", want)
		}
	}
}
