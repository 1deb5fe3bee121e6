package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"convene/models"
)

// tab is a browser tab driven by a test, failing it on the first broken step.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func (p tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		body, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(`body`)))
		p.t.Fatalf("%s: %v; the page says:\n%s", what, err, body)
	}
}

func (p tab) text(sel string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// register fills in an event's form as an attendee and sends it.
func (p tab) register(base, slug, name, email string, guests string) {
	p.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/events/" + slug),
		chromedp.SendKeys(chromedp.CSS(`#name`), name),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
	}
	if guests != "" {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(`#guests`), guests))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS(`#consent`)),
		chromedp.Click(chromedp.CSS(`form[action$="/register"] button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/register"]`)))
	p.do("register "+name+" for "+slug, steps...)
}

// TestBrowserOrganiserJourney: an organiser creates an event on a desktop,
// publishes it, sees a registration made by an attendee in another
// browser, and checks the party in at the door on a phone. Then the same
// event asks for email confirmation (the attendee follows the link of the
// mail in the outbox), and then for approval (the organiser approves the
// request from the queue).
func TestBrowserOrganiserJourney(t *testing.T) {
	e := seeded(t)
	base := e.serve()
	org := tab{t, browserContext(t)}
	guest := tab{t, browserContext(t)} // another browser: no organiser cookie
	org.do("a desktop", chromedp.EmulateViewport(1280, 900))
	signIn(t, org.ctx, base)

	org.do("create a draft",
		chromedp.Click(chromedp.CSS(`.admin-nav a[href="/admin"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/admin/events/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.event-editor`)),
		chromedp.SendKeys(chromedp.CSS(`#title`), "Refugee Week Supper"),
		chromedp.SendKeys(chromedp.CSS(`#summary`), "A shared meal with people new to the borough."),
		chromedp.SetValue(chromedp.CSS(`#starts_at`), "2026-12-12T18:30"),
		chromedp.SetValue(chromedp.CSS(`#ends_at`), "2026-12-12T21:00"),
		chromedp.SendKeys(chromedp.CSS(`[id="venue.name"]`), "Union Chapel"),
		chromedp.SendKeys(chromedp.CSS(`[id="venue.address"]`), "Compton Terrace, London N1 2UN"),
		chromedp.SetValue(chromedp.CSS(`#capacity`), "30"),
		chromedp.SetValue(chromedp.CSS(`#max_guests`), "2"),
		chromedp.Click(chromedp.CSS(`form.event-editor button[type="submit"]:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`.status-actions`)))
	if s := org.text(".status-actions h2"); !strings.Contains(strings.ToLower(s), "draft") {
		t.Fatalf("a new event is %q, want a draft", s)
	}
	slug := "refugee-week-supper"
	if r, _ := e.get("/events/" + slug); r.StatusCode != 404 {
		t.Errorf("the public sees the draft: %d", r.StatusCode)
	}
	org.do("publish",
		chromedp.Click(chromedp.CSS(`.status-actions button[value="publish"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.status-actions .badge-published`)))

	guest.register(base, slug, "Grace Okafor", "grace@example.org", "2")
	if h := guest.text("h1"); h != "You are registered" {
		t.Fatalf("the attendee sees %q", h)
	}

	org.do("see the registration",
		chromedp.Navigate(base+"/admin/events/"+slug+"/attendees"),
		chromedp.WaitVisible(chromedp.CSS(`table.responsive`)))
	if list := org.text("table.responsive"); !strings.Contains(list, "Grace Okafor") {
		t.Errorf("the attendees page lacks the registration: %s", list)
	}

	org.do("the door, on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/admin/events/"+slug+"/door"),
		chromedp.WaitVisible(chromedp.CSS(`.door-list`)))
	if c := org.text(".door-counts"); c != "0 of 3 people checked in" {
		t.Errorf("door counts before: %q", c)
	}
	org.do("find Grace and check her party in",
		chromedp.SendKeys(chromedp.CSS(`#q`), "grace"),
		chromedp.Click(chromedp.CSS(`.door-row:not([hidden]) .door-in button`)),
		chromedp.WaitVisible(chromedp.CSS(`.door-row.is-in .door-done`)))
	if c := org.text(".door-counts"); c != "3 of 3 people checked in" {
		t.Errorf("door counts after: %q", c)
	}
	var in models.Registration
	if err := e.db.Where("email_norm = ?", "grace@example.org").Take(&in).Error; err != nil || in.CheckedInAt == nil {
		t.Errorf("the check-in is not stored: %v %+v", err, in)
	}

	// Email confirmation: nothing is held until the mail's link is followed.
	org.do("ask for email confirmation",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/admin/events/"+slug+"/edit"),
		chromedp.Click(chromedp.CSS(`input[name="registration_mode"][value="confirm_email"]`)),
		chromedp.Click(chromedp.CSS(`form.event-editor button[type="submit"]:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice-success`)))
	guest.register(base, slug, "Daniel Cohen", "daniel@example.org", "")
	if h := guest.text("h1"); !strings.Contains(strings.ToLower(h), "email") {
		t.Errorf("after a request, the attendee sees %q, want to check their email", h)
	}
	if s := e.regStatus("daniel@example.org"); s != models.RegUnconfirmed {
		t.Errorf("an unconfirmed request is %q", s)
	}
	guest.do("follow the mail's link", chromedp.Navigate(base+e.mailLink(models.MailConfirmRequest, "daniel@example.org")),
		chromedp.WaitVisible(chromedp.CSS(`.status-panel`)))
	if h := guest.text(".status-panel h1"); h != "You are registered" {
		t.Errorf("after confirming, the attendee sees %q", h)
	}

	// Approval: the request waits in the queue until the organiser approves.
	org.do("ask for approval",
		chromedp.Navigate(base+"/admin/events/"+slug+"/edit"),
		chromedp.Click(chromedp.CSS(`input[name="registration_mode"][value="approval"]`)),
		chromedp.Click(chromedp.CSS(`form.event-editor button[type="submit"]:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice-success`)))
	guest.register(base, slug, "Fatima Begum", "fatima@example.org", "1")
	guest.do("follow the mail's link", chromedp.Navigate(base+e.mailLink(models.MailConfirmRequest, "fatima@example.org")),
		chromedp.WaitVisible(chromedp.CSS(`.status-panel`)))
	manage := guest.text("#manage-url")
	if h := guest.text(".status-panel h1"); h != "Your request is with the organisers" {
		t.Errorf("after confirming, the attendee sees %q", h)
	}
	org.do("approve from the queue",
		chromedp.Navigate(base+"/admin/events/"+slug+"/requests"),
		chromedp.WaitVisible(chromedp.CSS(`.request-list`)))
	if q := org.text(".request-list"); !strings.Contains(q, "Fatima Begum") || strings.Contains(q, "Daniel") {
		t.Errorf("the queue: %s", q)
	}
	org.do("approve",
		chromedp.Click(chromedp.CSS(`.request form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice-success`)))
	guest.do("the attendee's page", chromedp.Navigate(strings.Replace(manage, "http://convene.test", base, 1)),
		chromedp.WaitVisible(chromedp.CSS(`.status-panel`)))
	if h := guest.text(".status-panel h1"); h != "You are registered" {
		t.Errorf("after approval, the attendee sees %q", h)
	}
	if n := e.mailCount(models.MailPromoted, "fatima@example.org") + e.mailCount(models.MailConfirmation, "fatima@example.org"); n != 1 {
		t.Errorf("%d mails tell Fatima she has a place, want 1", n)
	}
}
