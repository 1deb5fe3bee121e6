package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"convene/models"
)

// TestBrowserManagePage opens the manage page (confirmed, waitlisted,
// cancelled, and for an event whose date is not final) and the event page
// in a real browser at phone and desktop sizes, and checks that nothing is
// wider than the window or its card (a long address, a long link, an
// Arabic name). With CONVENE_SCREENSHOTS=1 it saves
// docs/screenshots/manage-*.png and event-long-*.png (event-*.png are the
// accessibility sweep's: two tests writing one file left whichever ran last).
func TestBrowserManagePage(t *testing.T) {
	e := newEnv(t, nil)
	yes := true
	long := "Community Hall of St Mary and All Saints, Upper Floor, 1234 Very Long Road Name That Goes On, Tower Hamlets, London E1 7AA, United Kingdom"
	ev := e.event("town-hall", func(in *models.EventInput) {
		in.Title = sp("Town hall: refugee housing in our borough, with councillors and residents")
		in.Summary = sp("Ask the councillors about housing for refugees, and hear from residents who host.")
		in.Online, in.Capacity, in.OnlineCapacity, in.OnlineCapacitySet, in.MaxGuests = &yes, ip(3), ip(50), true, ip(2)
		in.StreamURL = sp("https://stream.example.org/live/town-hall-refugee-housing-2026-december-session-with-a-long-link")
		in.Venue = &models.VenueInput{Name: sp("St Mary's Community Hall"), Address: sp(long), AccessNotes: sp("Step-free entrance on the side street; hearing loop.")}
	})
	iftar := e.event("shared-iftar", func(in *models.EventInput) {
		in.Title, in.Kind, in.Tentative = sp("Shared iftar"), sp(models.KindIftar), &yes
	})
	register := func(ev *models.Event, name, email string, guests int, diets []models.PersonDiet) string {
		t.Helper()
		res, err := models.Register(e.db.DB, e.cfg.Tokens(), ev.ID, models.RegisterInput{Name: name, Email: email, Guests: guests,
			Attendance: models.InPerson, Dietary: "halal", GuestDietary: diets, Consent: true, IfFull: models.IfFullWaitlist}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return e.cfg.Tokens().ManageToken(res.Registration)
	}
	confirmed := register(ev, "محمد عبد الله", "mohammed@example.org", 2, []models.PersonDiet{{Dietary: "vegan"}, {Dietary: "other", Other: "no nuts"}})
	waitlisted := register(ev, "Grace Okafor", "grace@example.org", 1, nil)
	cancelled := register(ev, "Daniel Cohen", "daniel@example.org", 0, nil)
	tentative := register(iftar, "Hannah Levi", "hannah@example.org", 0, nil)
	if r, err := models.FindRegistrationByToken(e.db.DB, cancelled); err != nil {
		t.Fatal(err)
	} else if _, err := models.CancelRegistration(e.db.DB, r.ID, nil, testNow); err != nil {
		t.Fatal(err)
	}
	base := e.serve()
	ctx := browserContext(t)
	shots := t.TempDir()
	if os.Getenv("CONVENE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "docs", "screenshots")
	}
	// overflow lists the elements of the page wider than the window, and
	// the details wider than their card.
	const overflow = `(() => {
	  const w = document.documentElement.clientWidth, bad = [];
	  if (document.documentElement.scrollWidth > w) bad.push("page " + document.documentElement.scrollWidth + " > " + w);
	  document.querySelectorAll("main *").forEach(el => {
	    if (el.closest(".hp, .visually-hidden")) return;
	    const r = el.getBoundingClientRect();
	    if (r.width && r.right > w + 1) bad.push(el.tagName.toLowerCase() + "." + el.className + " right " + Math.round(r.right));
	    const card = el.parentElement && el.parentElement.closest(".card, .summary-card");
	    if (card && r.width && r.right > card.getBoundingClientRect().right + 1) bad.push(el.tagName.toLowerCase() + "." + el.className + " out of its card");
	  });
	  return bad;
	})()`
	pages := []struct{ name, path, want string }{
		{"manage-confirmed", "/r/" + confirmed, "You are registered"},
		{"manage-waitlisted", "/r/" + waitlisted, "You are on the waitlist"},
		{"manage-cancelled", "/r/" + cancelled, "Your registration is cancelled"},
		{"manage-tentative", "/r/" + tentative, "The date is not final."},
		{"event-long", "/events/" + ev.Slug, "Lost your link?"},
	}
	for _, size := range []struct {
		name string
		w, h int64
	}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
		for _, p := range pages {
			t.Run(p.name+"-"+size.name, func(t *testing.T) {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(base+p.path),
					chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
					t.Fatal(err)
				}
				text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(text, p.want) {
					t.Errorf("the page does not say %q", p.want)
				}
				bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflow))
				if err != nil {
					t.Fatal(err)
				}
				for _, b := range bad {
					t.Errorf("overflows: %s", b)
				}
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(shots, p.name+"-"+size.name+".png"), png, 0o644); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}
