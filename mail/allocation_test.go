package mail

import (
	"errors"
	"strings"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// The mail that gives a community's contact its private link: sent to the
// contact, with the link derived at send time (never stored), and never
// once the places are released.
func TestComposeAllocationLink(t *testing.T) {
	db := modelstest.Open(t)
	ev := testEvent(t, db.DB, 10)
	now := ev.StartsAt.Add(-72 * time.Hour)
	release := ev.StartsAt.Add(-24 * time.Hour)
	al, err := models.SaveAllocation(db.DB, ev.ID, models.AllocationInput{Label: "Northside Synagogue", Places: 4, ReleaseAt: &release,
		ContactEmail: "rabbi@example.org"}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.MailAllocationLink(db.DB, ev.ID, al.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	var m models.OutboxMail
	if err := db.Where("kind = ?", models.MailAllocation).Take(&m).Error; err != nil {
		t.Fatal(err)
	}
	c := testComposer()
	code := c.Tokens.AllocationCode(al)
	if strings.Contains(m.Data, code) {
		t.Fatal("the private code is stored in the outbox")
	}
	msg, err := c.Compose(db, &m, now)
	if err != nil {
		t.Fatal(err)
	}
	link := testBaseURL + "/events/" + ev.Slug + "?code=" + code
	if msg.To != "rabbi@example.org" || !strings.Contains(msg.Subject, "Places reserved for Northside Synagogue") {
		t.Fatalf("to %q subject %q", msg.To, msg.Subject)
	}
	for _, part := range []string{msg.Text, msg.HTML} {
		if !strings.Contains(part, link) || !strings.Contains(part, "4 places are reserved") || !strings.Contains(part, "opened to everyone on") {
			t.Fatalf("mail lacks the link, the places or the release: %s", part)
		}
	}
	// No contact: refused, nothing queued.
	other, err := models.SaveAllocation(db.DB, ev.ID, models.AllocationInput{Label: "Church", Places: 1}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	var ve *models.ValidationError
	if _, err := models.MailAllocationLink(db.DB, ev.ID, other.ID, nil, now); !errors.As(err, &ve) {
		t.Fatalf("mail without a contact: %v", err)
	}
	// Released before it went out: unsendable.
	if _, err := c.Compose(db, &m, release.Add(time.Minute)); !errors.Is(err, ErrUnsendable) {
		t.Fatalf("after release: %v", err)
	}
}
