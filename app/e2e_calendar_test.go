package app_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"convene/models"
)

// TestBrowserOrganiserCalendar is the organiser's journey through the
// calendar in a real browser, on a phone and then on a desktop: sign in,
// open February 2027 (Ramadan, estimated), see the seeded iftar, Shabbat
// times and Ramadan days, move a month on and back without JavaScript,
// and get a private feed address. With -screenshots=docs/screenshots it
// saves admin-calendar-{phone,desktop}.png there.
func TestBrowserOrganiserCalendar(t *testing.T) {
	e := seeded(t)
	base := e.serve()
	ctx := browserContext(t)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	step("sign in",
		chromedp.Navigate(base+"/admin/login"),
		chromedp.SendKeys(chromedp.CSS(`#email`), models.DemoEmail),
		chromedp.SendKeys(chromedp.CSS(`#password`), models.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.admin-nav`)))
	step("open the calendar from the navigation",
		chromedp.Click(chromedp.CSS(`.admin-nav a[href="/admin/calendar"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.month`)))
	if h := text("h1"); h != "November 2026" {
		t.Errorf("calendar opens on %q, want the month of now", h)
	}
	step("choose February 2027, on a phone 390 pixels wide",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/admin/calendar?month=2027-02"),
		chromedp.WaitVisible(chromedp.CSS(`table.month`)))
	month := text("table.month")
	for _, want := range []string{"Solidarity Iftar", "Ramadan 1 (estimated), iftar", "Shabbat begins", "Shabbat ends"} {
		if !strings.Contains(month, want) {
			t.Errorf("February 2027 lacks %q", want)
		}
	}
	if plan := text(".planning"); !strings.Contains(plan, "Eid al-Fitr") || !strings.Contains(plan, "moon") {
		t.Errorf("planning panel %q", plan)
	}
	saveScreenshot(t, ctx, "admin-calendar-phone.png")

	step("next month, by link",
		chromedp.Click(chromedp.CSS(`a[rel="next"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.month`)))
	if h := text("h1"); h != "March 2027" {
		t.Errorf("after next: %q", h)
	}
	if !strings.Contains(text("table.month"), "Eid al-Fitr (estimated)") || !strings.Contains(text("table.month"), "Easter Sunday") {
		t.Errorf("March 2027 lacks Eid al-Fitr or Easter")
	}
	step("back, by link",
		chromedp.Click(chromedp.CSS(`a[rel="prev"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.month`)))
	step("get a private feed address",
		chromedp.Click(chromedp.CSS(`form[action="/admin/calendar/feed"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#feed-title`)))
	if feed := text(".notice-success .copy-link"); !strings.Contains(feed, "/calendar/observances/") {
		t.Errorf("feed address %q", feed)
	}
	if h := text("h1"); h != "February 2027" {
		t.Errorf("after getting the feed: %q", h)
	}

	step("desktop",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/admin/calendar?month=2027-02"),
		chromedp.WaitVisible(chromedp.CSS(`table.month`)))
	saveScreenshot(t, ctx, "admin-calendar-desktop.png")
}
