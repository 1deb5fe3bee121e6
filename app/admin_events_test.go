package app

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"convene/models"
)

// editorForm reads the editor's current fields as the browser would send them.
func editorForm(t *testing.T, f *fixture, slug string) url.Values {
	t.Helper()
	ev, err := models.FindEvent(f.db.DB, slug)
	if err != nil {
		t.Fatal(err)
	}
	ef := formFromEvent(ev)
	v := url.Values{"version": {ef.Version}, "title": {ef.Title}, "slug": {ef.Slug}, "summary": {ef.Summary}, "description": {ef.Description},
		"kind": {ef.Kind}, "timezone": {ef.Timezone}, "start_rule": {ef.StartRule}, "starts_at": {ef.StartsAt}, "ends_at": {ef.EndsAt},
		"format": {ef.Format}, "venue.name": {ef.VenueName}, "venue.address": {ef.VenueAddress}, "venue.address_visibility": {ef.AddrV},
		"capacity": {ef.Capacity}, "online_capacity": {ef.OnlineCapacity}, "max_guests": {ef.MaxGuests}, "reminder_hours": {ef.ReminderHours},
		"answers_retention_days": {ef.AnswersDays}, "host": {ef.Host}, "sunset_offset_minutes": {ef.SunsetOffset}}
	if ef.Waitlist {
		v.Set("waitlist", "yes")
	}
	if ef.AskDietary {
		v.Set("ask_dietary", "yes")
	}
	for i, q := range ef.Questions {
		p := "questions." + string(rune('0'+i)) + "."
		v.Set(p+"key", q.Key)
		v.Set(p+"label", q.Label)
		v.Set(p+"kind", orDefault(q.Kind, models.QuestionShortText))
		v.Set(p+"options", q.Options)
	}
	return v
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func TestEditorSavesAndKeepsQuestions(t *testing.T) {
	f := newFixture(t, nil)
	form := editorForm(t, f, "iftar")
	form.Set("title", "Solidarity Iftar, second night")
	form.Set("questions.1.label", "Which prayer space?")
	form.Set("questions.1.kind", models.QuestionSingle)
	form.Set("questions.1.options", "Main hall\nSide room\n")
	form.Set("questions.1.required", "yes")
	res := f.do(request{method: "POST", path: "/admin/events/iftar/edit", role: roleOrganiser, form: form})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %.500s", res.StatusCode, readBody(t, res))
	}
	ev := must(models.FindEvent(f.db.DB, "iftar"))
	if ev.Title != "Solidarity Iftar, second night" || len(ev.Questions) != 2 || ev.Questions[1].Kind != models.QuestionSingle || !ev.Questions[1].Required {
		t.Fatalf("saved: %q %+v", ev.Title, ev.Questions)
	}
	if ev.Questions[0].Key != "how" {
		t.Fatalf("the existing question lost its key: %+v", ev.Questions[0])
	}
	var detail string
	f.db.Model(&models.Activity{}).Where("action = ? AND user_id = ?", "event_edited", f.users[roleOrganiser].ID).Pluck("detail", &detail)
	if detail != "changed title, questions" {
		t.Fatalf("audit detail %q", detail)
	}
}

func TestEditorErrorsKeepWhatWasTyped(t *testing.T) {
	f := newFixture(t, nil)
	form := url.Values{"title": {"Teach-in on <asylum>"}, "kind": {"meeting"}, "format": {"in_person"}, "start_rule": {"fixed"},
		"starts_at": {"not a date"}, "host": {"open-doors"}, "capacity": {"-4"}, "venue.name": {"Friends House"}}
	res := f.do(request{method: "POST", path: "/admin/events", role: roleOrganiser, form: form})
	body := readBody(t, res)
	if res.StatusCode != 422 {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`href="#starts_at"`, `href="#capacity"`, `value="Teach-in on &lt;asylum&gt;"`, `value="Friends House"`, `value="not a date"`,
		`<p class="field-error" id="`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	var n int64
	f.db.Model(&models.Event{}).Count(&n)
	if n != 2 {
		t.Fatal("an invalid event was stored")
	}
}

func TestEditorCreatesDraftWithHostTimezone(t *testing.T) {
	f := newFixture(t, nil)
	f.db.Model(&models.Organisation{}).Where("slug = ?", "open-doors").Update("timezone", "America/New_York")
	form := url.Values{"title": {"Town hall"}, "kind": {"meeting"}, "format": {"in_person"}, "start_rule": {"fixed"},
		"starts_at": {"2026-12-10T19:00"}, "host": {"open-doors"}, "max_guests": {"0"}, "reminder_hours": {"24"}}
	res := f.do(request{method: "POST", path: "/admin/events", role: roleOrganiser, form: form})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %.400s", res.StatusCode, readBody(t, res))
	}
	ev := must(models.FindEvent(f.db.DB, "town-hall"))
	if ev.Status != models.StatusDraft || ev.Timezone != "America/New_York" || ev.StartsAt.UTC().Hour() != 0 || len(ev.Hosts) != 1 {
		t.Fatalf("created: %s %s %v hosts %d", ev.Status, ev.Timezone, ev.StartsAt, len(ev.Hosts))
	}
	// An organiser cannot host an event only by another organisation.
	form.Set("host", "st-marys")
	form.Set("title", "Not mine")
	if res := f.do(request{method: "POST", path: "/admin/events", role: roleOrganiser, form: form}); res.StatusCode != 422 {
		t.Fatalf("hosting for another organisation: %d", res.StatusCode)
	}
}

func TestStaleFormIsRefused(t *testing.T) {
	f := newFixture(t, nil)
	form := editorForm(t, f, "iftar")
	// Someone else saves meanwhile.
	other := "Changed by someone else"
	if _, err := models.UpdateEvent(f.db.DB, "iftar", models.EventInput{Summary: &other}, nil, f.now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	form.Set("title", "My new title")
	res := f.do(request{method: "POST", path: "/admin/events/iftar/edit", role: roleOrganiser, form: form})
	body := readBody(t, res)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed this event") || !strings.Contains(body, `value="My new title"`) {
		t.Fatalf("stale form: status %d", res.StatusCode)
	}
	ev := must(models.FindEvent(f.db.DB, "iftar"))
	if ev.Title != "Solidarity Iftar" || ev.Summary != other {
		t.Fatalf("the stale form overwrote: %q / %q", ev.Title, ev.Summary)
	}
	// Status buttons carry the version too.
	res = f.do(request{method: "POST", path: "/admin/events/iftar/status", role: roleOrganiser, form: url.Values{"action": {"unpublish"}, "version": {form.Get("version")}}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale status change: %d", res.StatusCode)
	}
}

func TestCapacityLoweringRefusedWithCount(t *testing.T) {
	f := newFixture(t, nil)
	form := editorForm(t, f, "iftar")
	form.Set("capacity", "2") // 3 places are confirmed
	res := f.do(request{method: "POST", path: "/admin/events/iftar/edit", role: roleOrganiser, form: form})
	body := readBody(t, res)
	if res.StatusCode != 422 || !strings.Contains(body, "3 in-person places are already confirmed") || !strings.Contains(body, `href="#capacity"`) {
		t.Fatalf("status %d: %v", res.StatusCode, regexp.MustCompile(`field-error[^<]*<[^<]*<[^<]*`).FindString(body))
	}
	if ev := must(models.FindEvent(f.db.DB, "iftar")); *ev.Capacity != 3 {
		t.Fatalf("capacity changed to %d", *ev.Capacity)
	}
	// Raising it promotes the waitlist.
	form.Set("capacity", "4")
	if res := f.do(request{method: "POST", path: "/admin/events/iftar/edit", role: roleOrganiser, form: form}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("raise: %d", res.StatusCode)
	}
	var w models.Registration
	f.db.First(&w, f.waiting.ID)
	if w.Status != models.RegConfirmed {
		t.Fatalf("raising capacity did not promote: %s", w.Status)
	}
}

func TestStatusCancelAndDuplicate(t *testing.T) {
	f := newFixture(t, nil)
	ver := func() string { return models.EventVersion(must(models.FindEvent(f.db.DB, "iftar"))) }
	res := f.do(request{method: "POST", path: "/admin/events/iftar/status", role: roleOrganiser, form: url.Values{"action": {"postpone"}, "version": {ver()}}})
	if ev := must(models.FindEvent(f.db.DB, "iftar")); res.StatusCode != http.StatusSeeOther || ev.Status != models.StatusPostponed || !ev.Tentative {
		t.Fatalf("postpone: %d %s %v", res.StatusCode, ev.Status, ev.Tentative)
	}
	res = f.do(request{method: "POST", path: "/admin/events/iftar/duplicate", role: roleOrganiser, form: url.Values{"dates": {"2026-12-01", "", "2026-12-02"}}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("duplicate: %d %.300s", res.StatusCode, readBody(t, res))
	}
	var copies []models.Event
	f.db.Where("slug LIKE ?", "solidarity-iftar-2026-12-0%").Order("slug").Find(&copies)
	if len(copies) != 2 || copies[0].Status != models.StatusDraft || copies[0].Taken != 0 {
		t.Fatalf("copies: %+v", copies)
	}
	res = f.do(request{method: "POST", path: "/admin/events/iftar/cancel", role: roleOrganiser, form: url.Values{"version": {ver()}, "cancel_message": {"The hall flooded."}}})
	ev := must(models.FindEvent(f.db.DB, "iftar"))
	if res.StatusCode != http.StatusSeeOther || ev.Status != models.StatusCancelled || ev.CancelMessage != "The hall flooded." {
		t.Fatalf("cancel: %d %s", res.StatusCode, ev.Status)
	}
	var mails int64
	f.db.Model(&models.OutboxMail{}).Where("kind = ? AND event_id = ?", models.MailEventCancel, ev.ID).Count(&mails)
	if mails != 2 {
		t.Fatalf("%d cancellation mails, want 2 (confirmed and waitlisted)", mails)
	}
}

func TestPublicOrganisationAndSeriesPagesListUpcoming(t *testing.T) {
	f := newFixture(t, nil)
	s := "week-of-action"
	if _, err := models.UpdateEvent(f.db.DB, "iftar", models.EventInput{Series: &s}, nil, f.now); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/organisations/open-doors": "Solidarity Iftar", "/series/week-of-action": "Solidarity Iftar", "/organisations/st-marys": "Vigil"} {
		res := f.do(request{method: "GET", path: path})
		if body := readBody(t, res); res.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want %q listed", path, res.StatusCode, want)
		}
	}
}
