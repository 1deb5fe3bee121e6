package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"convene/models"
)

// TestEditorChoosesRegistrationMode: the editor offers the three modes with
// their explanations, saves the choice and refuses an unknown one.
func TestEditorChoosesRegistrationMode(t *testing.T) {
	f := newFixture(t, nil)
	page := readBody(t, f.do(request{method: "GET", path: "/admin/events/iftar/edit", role: roleOrganiser}))
	for _, want := range []string{`name="registration_mode" value="instant" checked`, `value="confirm_email"`, `value="approval"`,
		"nobody can learn who is registered", "you approve or decline each request"} {
		if !strings.Contains(page, want) {
			t.Errorf("editor lacks %q", want)
		}
	}
	form := editorForm(t, f, "iftar")
	form.Set("registration_mode", "raffle")
	res := f.do(request{method: "POST", path: "/admin/events/iftar/edit", role: roleOrganiser, form: form})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, "Choose how people register") {
		t.Fatalf("unknown mode: %d", res.StatusCode)
	}
	form.Set("registration_mode", models.ModeApproval)
	if res := f.do(request{method: "POST", path: "/admin/events/iftar/edit", role: roleOrganiser, form: form}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save approval mode: %d %.300s", res.StatusCode, readBody(t, res))
	}
	if ev := must(models.FindEvent(f.db.DB, "iftar")); ev.RegistrationMode != models.ModeApproval {
		t.Fatalf("mode %q after saving", ev.RegistrationMode)
	}
	// Registrations made before keep their status.
	if got := must(models.FindAttendees(f.db.DB, f.ev.ID, models.AttendeeFilter{Status: models.RegConfirmed})); len(got) != 1 {
		t.Fatalf("%d confirmed after the switch, want 1", len(got))
	}
}

// TestApprovalQueue: organisers see pending requests with their answers,
// approve (waitlisted when full, and told so) and decline.
func TestApprovalQueue(t *testing.T) {
	f := newFixture(t, nil)
	mode := models.ModeApproval
	if _, err := models.UpdateEvent(f.db.DB, "iftar", models.EventInput{RegistrationMode: &mode}, nil, f.now); err != nil {
		t.Fatal(err)
	}
	pending := func(name string) *models.Registration {
		res := must(models.Register(f.db.DB, f.app.tok, f.ev.ID, models.RegisterInput{Name: name, Email: strings.ToLower(name) + "@example.net",
			Attendance: models.InPerson, Consent: true, Dietary: "vegan", Answers: map[string]string{"how": "From the synagogue newsletter"}}, f.now))
		must(models.ConfirmRegistration(f.db.DB, res.Registration.ID, f.now))
		return res.Registration
	}
	ruth, sami := pending("Ruth"), pending("Sami")
	page := readBody(t, f.do(request{method: "GET", path: "/admin/events/iftar/requests", role: roleOrganiser}))
	for _, want := range []string{"Ruth", "sami@example.net", "How did you hear?", "From the synagogue newsletter", "Vegan", ">Requests</a>"} {
		if !strings.Contains(page, want) {
			t.Errorf("queue lacks %q", want)
		}
	}
	if res := f.do(request{method: "GET", path: "/admin/events/iftar/requests", role: roleOutsider}); res.StatusCode != 404 {
		t.Fatalf("another organisation's queue: %d", res.StatusCode)
	}
	// The event is full (3 of 3): approving waitlists, and says so.
	res := f.do(request{method: "POST", path: fmt.Sprintf("/admin/events/iftar/registrations/%d/approve", ruth.ID), role: roleOrganiser})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "done=waitlisted&position=2") {
		t.Fatalf("approve when full: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	page = readBody(t, f.do(request{method: "GET", path: res.Header.Get("Location"), role: roleOrganiser}))
	if !strings.Contains(page, "the event is full: the person is on the waitlist at number 2") {
		t.Fatal("approving when full does not say so")
	}
	res = f.do(request{method: "POST", path: fmt.Sprintf("/admin/events/iftar/registrations/%d/decline", sami.ID), role: roleOrganiser,
		form: map[string][]string{"from": {"attendees"}}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/events/iftar/attendees?done=declined") {
		t.Fatalf("decline: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if st := must(models.FindAttendees(f.db.DB, f.ev.ID, models.AttendeeFilter{Status: models.RegDeclined})); len(st) != 1 || st[0].ID != sami.ID {
		t.Fatal("Sami not declined")
	}
	// Declining a waitlisted registration is refused on the page, clearly.
	res = f.do(request{method: "POST", path: fmt.Sprintf("/admin/events/iftar/registrations/%d/decline", ruth.ID), role: roleOrganiser})
	if body := readBody(t, res); res.StatusCode != 409 || !strings.Contains(body, "cancel it instead") {
		t.Fatalf("decline waitlisted: %d", res.StatusCode)
	}
	page = readBody(t, f.do(request{method: "GET", path: "/admin/events/iftar/attendees?status=declined", role: roleOrganiser}))
	if !strings.Contains(page, "Sami") || strings.Contains(page, "Amira") || !strings.Contains(page, "Declined") {
		t.Fatal("attendees filter by declined")
	}
}

// TestDashboardNeedsAttention: requests waiting for approval are counted and
// linked to the queue; admins are told of mail that failed or is held.
func TestDashboardNeedsAttention(t *testing.T) {
	f := newFixture(t, nil)
	const queue = `<a href="/admin/events/iftar/requests">2 requests waiting for approval</a>`
	if page := readBody(t, f.do(request{method: "GET", path: "/admin", role: roleOrganiser})); strings.Contains(page, "waiting for approval") {
		t.Fatal("requests counted before there are any")
	}
	mode := models.ModeApproval
	if _, err := models.UpdateEvent(f.db.DB, "iftar", models.EventInput{RegistrationMode: &mode}, nil, f.now); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Ruth", "Sami", "Noor"} {
		res := must(models.Register(f.db.DB, f.app.tok, f.ev.ID, models.RegisterInput{Name: name, Email: strings.ToLower(name) + "@example.net",
			Attendance: models.InPerson, Consent: true, Answers: map[string]string{"how": "A friend"}}, f.now))
		if name != "Noor" { // Noor has not confirmed her address yet: not a request to decide.
			must(models.ConfirmRegistration(f.db.DB, res.Registration.ID, f.now))
		}
	}
	if err := f.db.DB.Model(&models.OutboxMail{}).Where("1 = 1").Update("status", models.MailFailed).Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		role       string
		has, hasNo []string
	}{
		{roleOrganiser, []string{"Needs attention", queue}, []string{"Mail not delivered"}},
		{roleAdmin, []string{queue, "Mail not delivered", `href="/admin/outbox?status=failed"`}, []string{"held</a>"}},
		{roleOutsider, nil, []string{"waiting for approval", "Mail not delivered"}},
	} {
		page := readBody(t, f.do(request{method: "GET", path: "/admin", role: c.role}))
		for _, w := range c.has {
			if !strings.Contains(page, w) {
				t.Errorf("%s: dashboard lacks %q", c.role, w)
			}
		}
		for _, w := range c.hasNo {
			if strings.Contains(page, w) {
				t.Errorf("%s: dashboard has %q", c.role, w)
			}
		}
	}
}
