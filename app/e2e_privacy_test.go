package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"convene/models"
)

// TestBrowserPrivacy is the privacy lifecycle in a real browser. An
// attendee on a phone reads the privacy notice, registers, finds "Your
// data" on the manage page, erases the registration after a confirmation,
// and finds the link dead; then an admin on a desktop finds a registrant's
// address at /admin/privacy and erases it. With CONVENE_SCREENSHOTS=1 it
// saves docs/screenshots/privacy-*.png.
func TestBrowserPrivacy(t *testing.T) {
	e := seeded(t)
	base := e.serve()
	ctx := browserContext(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	// Screenshots kept for the docs go to docs/screenshots, the others
	// (to look at) to a folder of the system's temporary directory.
	kept, looked := t.TempDir(), t.TempDir()
	if os.Getenv("CONVENE_SCREENSHOTS") == "1" {
		kept, looked = filepath.Join("..", "docs", "screenshots"), filepath.Join(os.TempDir(), "convene-privacy-shots")
		if err := os.MkdirAll(looked, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// shot saves the whole page, or the element sel.
	shot := func(name, sel string, keep bool) {
		t.Helper()
		action := chromedp.FullScreenshot(100)
		if sel != "" {
			action = chromedp.Screenshot(css(sel))
		}
		png, err := chromedp.Run(ctx, action)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		dir := looked
		if keep {
			dir = kept
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	both := func(name, sel string, keep bool, reload string) {
		t.Helper()
		shot(name+"-phone.png", sel, keep)
		step("on a desktop", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(reload), chromedp.WaitVisible(css("h1")))
		shot(name+"-desktop.png", sel, keep)
		step("back on a phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(reload), chromedp.WaitVisible(css("h1")))
	}

	step("open an event on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/events/hmd-interfaith-memorial"),
		chromedp.WaitVisible(css(`#privacy-notice`)))
	if notice := text("#privacy-notice"); !strings.Contains(notice, "days after the event") || !strings.Contains(notice, "Other attendees never see") {
		t.Errorf("privacy notice %q", notice)
	}
	both("privacy-notice", "#privacy-notice", true, base+"/events/hmd-interfaith-memorial")
	step("register",
		chromedp.SendKeys(css(`#name`), "Hannah Levi"),
		chromedp.SendKeys(css(`#email`), "hannah@example.org"),
		chromedp.Click(css(`input[name="attendance"][value="in_person"]`)),
		chromedp.Click(css(`#consent`)),
		chromedp.Click(css(`form[action$="/register"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`#your-data`)))
	manage, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	manage = strings.TrimSuffix(manage, "?new=1")
	if data := text("#your-data"); !strings.Contains(data, "Download your data") || !strings.Contains(data, "Erase my registration") {
		t.Errorf("Your data %q", data)
	}
	both("privacy-your-data", "#your-data", true, manage)
	shot("privacy-manage-phone.png", "", false)
	step("ask to erase", chromedp.Click(css(`#your-data a[href$="/erase"]`)), chromedp.WaitVisible(css(`form[action$="/erase"]`)))
	both("privacy-erase", "", true, manage+"/erase")
	step("confirm", chromedp.Click(css(`form[action$="/erase"] button[type="submit"]`)), chromedp.WaitVisible(css(`.panel`)))
	if done := text(".panel"); !strings.Contains(done, "Your registration is erased") {
		t.Errorf("after erasing %q", done)
	}
	shot("privacy-erased-phone.png", "", false)
	step("open the link again", chromedp.Navigate(manage), chromedp.WaitVisible(css(`.panel`)))
	if dead := text(".panel"); !strings.Contains(dead, "This link does not work") || strings.Contains(dead, "Hannah") {
		t.Errorf("the erased link %q", dead)
	}
	both("privacy-dead-link", "", false, manage)
	var n int64
	e.db.Model(&models.Registration{}).Where("email_norm = ?", "hannah@example.org").Count(&n)
	if n != 0 {
		t.Error("the erased registration still holds the address")
	}

	var someone models.Registration
	if err := e.db.Where("purged_at IS NULL AND status = ?", models.RegConfirmed).Order("id").Take(&someone).Error; err != nil {
		t.Fatal(err)
	}
	step("sign in as an admin on a desktop",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/admin/login"),
		chromedp.SendKeys(css(`#email`), models.DemoEmail),
		chromedp.SendKeys(css(`#password`), models.DemoPassword),
		chromedp.Click(css(`form[action="/admin/login"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`.admin-nav`)))
	step("find the address",
		chromedp.Click(css(`.admin-nav a[href="/admin/privacy"]`)),
		chromedp.WaitVisible(css(`form[action="/admin/privacy"]`)),
		chromedp.SendKeys(css(`#email`), someone.Email),
		chromedp.Click(css(`form[action="/admin/privacy"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`#held-title`)))
	shot("privacy-admin-desktop.png", "", true)
	step("on a phone", chromedp.EmulateViewport(390, 844))
	shot("privacy-admin-phone.png", "", false)
	step("erase without ticking the box",
		chromedp.Click(css(`form[action="/admin/privacy/erase"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`.error-summary`)))
	step("tick and erase",
		chromedp.Click(css(`#confirm`)),
		chromedp.Click(css(`form[action="/admin/privacy/erase"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`.notice-success`)))
	if done := text(".notice-success"); !strings.Contains(done, "Erased") || strings.Contains(done, someone.Email) {
		t.Errorf("after the admin's erasure %q", done)
	}
	if r, err := models.RegistrationByID(e.db.DB, someone.ID); err != nil || r.PurgedAt == nil {
		t.Errorf("not erased: %+v %v", r, err)
	}
	shot("privacy-admin-erased-phone.png", "", false)
	step("the editor's privacy setting", chromedp.Navigate(base+"/admin/events/hmd-interfaith-memorial/edit"),
		chromedp.WaitVisible(css(`#answers_retention_days`)))
	both("privacy-editor", `fieldset:has(#answers_retention_days)`, false, base+"/admin/events/hmd-interfaith-memorial/edit")
}
