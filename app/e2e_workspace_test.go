package app_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"convene/models"
)

// TestBrowserWorkspaceAtPhoneAndDesktop walks the organiser pages changed
// for issue 10 (navigation, account, cancel confirmation, message tab with a
// preview, audit log, door with a party partly in) in a real browser at
// 390×844 and 1280×900, and checks that no page is wider than the phone's
// screen. With CONVENE_SCREENSHOTS=1 it saves
// docs/screenshots/admin-{page}-{phone,desktop}.png.
func TestBrowserWorkspaceAtPhoneAndDesktop(t *testing.T) {
	e := seeded(t)
	ev := e.event("workspace-shots", func(in *models.EventInput) { in.Title = sp("Interfaith Iftar at the Town Hall") })
	tok := e.cfg.Tokens()
	var regs []*models.Registration
	for i, p := range []struct {
		name   string
		guests int
	}{{"Grace Okafor", 2}, {"محمد عبد الله", 1}, {"Hannah Levi", 0}} {
		res, err := models.Register(e.db.DB, tok, ev.ID, models.RegisterInput{Name: p.name, Email: fmt.Sprintf("guest%d@example.org", i),
			Guests: p.guests, Attendance: models.InPerson, Consent: true}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		regs = append(regs, res.Registration)
	}
	grace := regs[0]
	demo, err := models.UserByEmail(e.db.DB, models.DemoEmail)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.CheckIn(e.db.DB, ev.ID, grace.ID, 2, &demo.ID, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := models.CheckIn(e.db.DB, ev.ID, regs[2].ID, 0, &demo.ID, testNow); err != nil { // Hannah Levi
		t.Fatal(err)
	}
	base := e.serve()
	ctx := browserContext(t)
	shots := t.TempDir()
	if os.Getenv("CONVENE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "docs", "screenshots")
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("sign in",
		chromedp.Navigate(base+"/admin/login"),
		chromedp.SendKeys(chromedp.CSS(`#email`), models.DemoEmail),
		chromedp.SendKeys(chromedp.CSS(`#password`), models.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.admin-nav`)))

	slug := ev.Slug
	pages := []struct {
		name, path, ready string
		then              []chromedp.Action[chromedp.Void]
	}{
		{"nav", "/admin/events", ".admin-nav", nil},
		{"account", "/admin/account", ".account-links", nil},
		{"cancel-confirm", fmt.Sprintf("/admin/events/%s/registrations/%d/cancel", slug, grace.ID), ".facts", nil},
		{"message", "/admin/events/" + slug + "/message", "#subject", []chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(chromedp.CSS(`#subject`), "Doors open at 6pm"),
			chromedp.SendKeys(chromedp.CSS(`#body`), "Please arrive from 6pm: the iftar is at sunset. Bring a friend if you can."),
			chromedp.Click(chromedp.CSS(`button[value="preview"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.message-preview`)),
		}},
		{"door", "/admin/events/" + slug + "/door", ".door-list", nil},
		{"audit", "/admin/audit", "table.audit", nil},
	}
	for _, size := range []struct {
		name string
		w, h int64
	}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
		for _, p := range pages {
			step(p.name+" at "+size.name,
				chromedp.EmulateViewport(size.w, size.h),
				chromedp.Navigate(base+p.path),
				chromedp.WaitVisible(chromedp.CSS(p.ready)))
			if p.then != nil {
				step(p.name+": act", p.then...)
			}
			wide, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if wide > size.w {
				t.Errorf("%s at %s is %d px wide: it scrolls sideways", p.name, size.name, wide)
			}
			shot := chromedp.FullScreenshot(100)
			if p.name == "nav" {
				shot = chromedp.CaptureScreenshot() // the navigation is at the top
			}
			png, err := chromedp.Run(ctx, shot)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(shots, "admin-"+p.name+"-"+size.name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The preview's HTML mail keeps its own styles: the page's policy
	// allows them by their hashes.
	step("message preview",
		chromedp.Navigate(base+"/admin/events/"+slug+"/message"),
		chromedp.SendKeys(chromedp.CSS(`#subject`), "Doors open at 6pm"),
		chromedp.SendKeys(chromedp.CSS(`#body`), "Please arrive from 6pm."),
		chromedp.Click(chromedp.CSS(`button[value="preview"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.mail-html`)))
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.mail-html')).backgroundColor`))
	if err != nil || bg != "rgb(243, 242, 241)" {
		t.Errorf("the previewed mail's background is %q (%v): its inline styles were blocked", bg, err)
	}
	// The door row shows the party partly in.
	step("door", chromedp.Navigate(base+"/admin/events/"+slug+"/door"), chromedp.WaitVisible(chromedp.CSS(".door-row.is-part")))
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.door-row.is-part [data-door-status]`)))
	if err != nil || !strings.Contains(status, "2 of 3 in") {
		t.Errorf("door status %q %v", status, err)
	}
}
