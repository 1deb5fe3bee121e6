package app_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"convene/models"
)

// TestBrowserReservedPlaces is the journey of reserved places in a real
// browser: an organiser reserves places for a co-hosting synagogue on the
// Reserved places tab and copies its private link; a member of that
// community opens the link on a phone, sees the places kept for them and
// registers; the public page never shows them; the attendees page splits
// the count by community; the organiser replaces the link (behind a
// confirmation) and the old one no longer reserves places. With
// CONVENE_SCREENSHOTS=1 it saves
// docs/screenshots/reserved-{tab,link,reissue}-{phone,desktop}.png.
func TestBrowserReservedPlaces(t *testing.T) {
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
	shots := t.TempDir()
	if os.Getenv("CONVENE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "docs", "screenshots")
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := models.FindEvent(e.db.DB, "solidarity-iftar")
	if err != nil {
		t.Fatal(err)
	}
	publicBefore := *ev.PlacesLeft(models.InPerson)

	signIn(t, ctx, base)
	step("open the Reserved places tab from the attendees page",
		chromedp.Navigate(base+"/admin/events/solidarity-iftar/attendees"),
		chromedp.Click(chromedp.CSS(`nav.tabs a[href$="/allocations"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-allocation-title`)))
	step("reserve 20 places for the synagogue, released the day before",
		chromedp.SendKeys(chromedp.CSS(`#label`), "Northside Synagogue members"),
		chromedp.SetValue(chromedp.CSS(`#places`), "20"),
		chromedp.SetValue(chromedp.CSS(`#organisation`), "northside-synagogue"),
		chromedp.SendKeys(chromedp.CSS(`#contact_email`), "rabbi@northside.example.org"),
		chromedp.Click(chromedp.CSS(`form button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice-success`)))
	if got := text(".allocation"); !strings.Contains(got, "Northside Synagogue members") || !strings.Contains(got, "20 places: 0 taken, 20 free") {
		t.Fatalf("allocation card %q", got)
	}
	link, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input.copy-link`)))
	if err != nil || !strings.HasPrefix(link, "http://convene.test/events/solidarity-iftar?code=") {
		t.Fatalf("private link %q (%v)", link, err)
	}
	step("desktop view of the tab", chromedp.EmulateViewport(1280, 900), chromedp.Reload())
	shot("reserved-tab-desktop.png")
	step("phone view of the tab", chromedp.EmulateViewport(390, 844), chromedp.Reload())
	shot("reserved-tab-phone.png")

	local := base + strings.TrimPrefix(link, "http://convene.test")
	step("a community member opens the link",
		chromedp.Navigate(local),
		chromedp.WaitVisible(chromedp.CSS(`.reserved-note`)))
	if note := text(".reserved-note"); !strings.Contains(note, "Places reserved for Northside Synagogue members") || !strings.Contains(note, "20 reserved places are still free") {
		t.Fatalf("reserved note %q", note)
	}
	shot("reserved-link-phone.png")
	step("desktop view of the link", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.reserved-note`)))
	shot("reserved-link-desktop.png")
	step("register through it",
		chromedp.EmulateViewport(390, 844),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Ruth Cohen"),
		chromedp.SendKeys(chromedp.CSS(`#email`), "ruth@example.org"),
		chromedp.Click(chromedp.CSS(`#consent`)),
		chromedp.Click(chromedp.CSS(`form[action$="/register"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.status-panel`)))
	if got := text(".status-panel"); !strings.Contains(got, "You are registered") {
		t.Fatalf("confirmation %q", got)
	}
	var reg models.Registration
	if err := e.db.Where("email_norm = ?", "ruth@example.org").Take(&reg).Error; err != nil || reg.Allocated != 1 {
		t.Fatalf("registration through the link: allocated %d (%v)", reg.Allocated, err)
	}
	step("the public page", chromedp.Navigate(base+"/events/solidarity-iftar"), chromedp.WaitVisible(chromedp.CSS(`#register-title`)))
	if page := text("main"); strings.Contains(page, "Northside Synagogue members") || !strings.Contains(page, strconv.Itoa(publicBefore-20)+" places left") {
		t.Fatalf("the public page shows the reserved places, or not %d places left", publicBefore-20)
	}
	step("the attendees page splits by community",
		chromedp.Navigate(base+"/admin/events/solidarity-iftar/attendees"),
		chromedp.WaitVisible(chromedp.CSS(`#reserved-title`)))
	if got := text("#reserved-title + p + .table-wrap"); !strings.Contains(got, "Northside Synagogue members") || !strings.Contains(got, "1 of 20") {
		t.Fatalf("by community %q", got)
	}

	step("the link has leaked: open the confirmation",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/admin/events/solidarity-iftar/allocations"),
		chromedp.Click(chromedp.CSS(`details.reissue summary`)),
		chromedp.WaitVisible(chromedp.CSS(`details.reissue button[value="reissue"]`)))
	shot("reserved-reissue-desktop.png")
	step("phone view of the confirmation", chromedp.EmulateViewport(390, 844), chromedp.ScrollIntoView(chromedp.CSS(`details.reissue`)))
	shot("reserved-reissue-phone.png")
	step("replace the link",
		chromedp.Click(chromedp.CSS(`details.reissue button[value="reissue"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice-success`)))
	if got := text(".notice-success"); !strings.Contains(got, "A new private link is ready") {
		t.Fatalf("notice %q", got)
	}
	newLink, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input.copy-link`)))
	if err != nil || newLink == link || !strings.HasPrefix(newLink, "http://convene.test/events/solidarity-iftar?code=") {
		t.Fatalf("new link %q, old %q (%v)", newLink, link, err)
	}
	step("the old link now", chromedp.Navigate(local), chromedp.WaitVisible(chromedp.CSS(`#register-title`)))
	if page := text("main"); strings.Contains(page, "Places reserved for Northside Synagogue members") {
		t.Fatal("the old link still shows the reserved places")
	}
}
