package app

import (
	"net/url"
	"strings"
	"testing"

	"convene/models"
)

// TestMessageRegistrants: an organiser writes to an event's confirmed
// registrants; each gets one outbox mail; a blank form says what to fix.
func TestMessageRegistrants(t *testing.T) {
	f := newFixture(t, nil)
	path := "/admin/events/" + f.ev.Slug + "/message"
	res := f.do(request{method: "POST", path: path, role: roleOrganiser, form: url.Values{"confirmed": {"yes"}}})
	body := readBody(t, res)
	if res.StatusCode != 422 || !strings.Contains(body, "Enter a subject") || !strings.Contains(body, "Enter a message") {
		t.Fatalf("blank message: %d", res.StatusCode)
	}
	res = f.do(request{method: "POST", path: path, role: roleOrganiser, form: url.Values{"subject": {"Doors open"}, "body": {"Hello"}}})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, "Choose who receives") {
		t.Fatalf("no recipients chosen: %d", res.StatusCode)
	}
	var confirmed int64
	f.db.Model(&models.Registration{}).Where("event_id = ? AND status = ?", f.ev.ID, models.RegConfirmed).Count(&confirmed)
	res = f.do(request{method: "POST", path: path, role: roleOrganiser,
		form: url.Values{"confirmed": {"yes"}, "subject": {"Doors open at six"}, "body": {"Please arrive early."}}})
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "sent=") {
		t.Fatalf("send: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	var mails int64
	f.db.Model(&models.OutboxMail{}).Where("event_id = ? AND kind = ?", f.ev.ID, models.MailMessage).Count(&mails)
	if confirmed == 0 || mails != confirmed {
		t.Fatalf("%d message mails for %d confirmed registrants", mails, confirmed)
	}
}
