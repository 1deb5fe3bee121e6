package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"convene/models"
)

// axe-core (npm devDependency, MPL-2.0) checks pages for accessibility in
// the browser journeys. Its script is read from node_modules and evaluated
// in the page through the DevTools protocol (Runtime.evaluate), which the
// page's Content-Security-Policy does not apply to; nothing is added to
// the app.
var axeScript struct {
	once sync.Once
	src  string
	err  error
}

// axeSource returns axe.min.js, or skips the test when npm ci has not run
// (fails under CONVENE_REQUIRE_AXE=1, as in CI).
func axeSource(t *testing.T) string {
	t.Helper()
	axeScript.once.Do(func() {
		b, err := os.ReadFile(filepath.Join("..", "node_modules", "axe-core", "axe.min.js"))
		axeScript.src, axeScript.err = string(b), err
	})
	if axeScript.err != nil {
		if os.Getenv("CONVENE_REQUIRE_AXE") == "1" {
			t.Fatalf("axe-core required (CONVENE_REQUIRE_AXE=1) but not readable: %v; run npm ci", axeScript.err)
		}
		t.Skipf("axe-core not installed (%v): run npm ci; set CONVENE_REQUIRE_AXE=1 to make this a failure", axeScript.err)
	}
	return axeScript.src
}

// axeViolation is one rule axe-core found broken, with the elements.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []string `json:"target"`
		HTML    string   `json:"html"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for i, n := range v.Nodes {
		if i == 4 {
			fmt.Fprintf(&b, "\n      … and %d more", len(v.Nodes)-i)
			break
		}
		html := n.HTML
		if len(html) > 160 {
			html = html[:160] + "…"
		}
		fmt.Fprintf(&b, "\n      %s %s\n        %s", strings.Join(n.Target, " "), html, strings.ReplaceAll(n.Summary, "\n", " "))
	}
	return b.String()
}

// axeRun loads axe-core into the page the tab shows and runs every rule
// it has (WCAG 2.2 A and AA, best practices). It returns the violations,
// and the serious or critical checks axe could not decide (incomplete:
// say a text whose background it cannot tell), to be looked at by a person.
// Loading and running in one evaluation keeps a page that is still
// loading from losing axe between the two.
func axeRun(ctx context.Context, src string) (violations, undecided []axeViolation, err error) {
	const run = `;(async () => {
  const r = await axe.run(document, {resultTypes: ['violations', 'incomplete']});
  const pick = vs => vs.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, summary: n.failureSummary || ''}))}));
  return [pick(r.violations), pick(r.incomplete)];
})()`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[2][]axeViolation](src+run, chromedp.EvalAwaitPromise))
	return out[0], out[1], err
}

func violationIDs(vs []axeViolation) string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	return strings.Join(ids, " ")
}

// checkAxe fails the test on any serious or critical violation of the page
// the tab shows, and logs the moderate and minor ones.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	found, undecided, err := axeRun(ctx, axeSource(t))
	if err != nil {
		t.Fatalf("axe on %s: %v", page, err)
	}
	for _, v := range found {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe, %s: %s", page, v)
		} else {
			t.Logf("axe (not failing), %s: %s", page, v)
		}
	}
	for _, v := range undecided {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Logf("axe could not decide, look at it, %s: %s", page, v)
		}
	}
}

// a11yPage is a page the accessibility sweep opens: an address, or steps
// that lead to it (a form sent with mistakes, a second step).
type a11yPage struct {
	name  string
	path  string
	steps func(base string) []chromedp.Action[chromedp.Void]
	admin bool   // needs an organiser's session
	shot  string // with -screenshots, saved as shot-{phone,desktop}.png
	// phoneOnly marks the less used organiser pages, checked on a phone
	// only to keep the test's time down; their layout is the same forms
	// and tables as the main pages checked at both sizes.
	phoneOnly bool
	// check, when set, is a layout check of the page's own at each size.
	check func(t *testing.T, ctx context.Context)
}

// TestBrowserAccessibility opens every public page, in each state an
// attendee can meet, and the main organiser pages, on a phone (390×844)
// and a desktop (1280×900), and has axe-core check each: no serious or
// critical violation. No page may scroll sideways. With -screenshots it
// saves the main pages (see docs/accessibility.md).
func TestBrowserAccessibility(t *testing.T) {
	axeSource(t)
	e := seeded(t)
	f := a11yFixtures(t, e)
	base := e.serve()
	ctx := browserContext(t)

	// axe must find what is wrong: a page with an image without a text
	// alternative and an unlabelled field has serious violations.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/no-such-page"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('main').insertAdjacentHTML('beforeend', '<img src="/public/img/icon.svg"><input type="text">')`)); err != nil {
		t.Fatal(err)
	}
	found, _, err := axeRun(ctx, axeSource(t))
	if err != nil {
		t.Fatal(err)
	}
	if ids := violationIDs(found); !strings.Contains(ids, "image-alt") || !strings.Contains(ids, "label") {
		t.Fatalf("axe found %q on a page with an image without alt and an unlabelled field", ids)
	}

	pages := []a11yPage{
		{name: "home", path: "/", shot: "home"},
		{name: "subscribe", path: "/calendar", shot: "subscribe"},
		{name: "event, open", path: "/events/public-meeting-hate-crime", shot: "event"},
		{name: "event, full (waitlist)", path: "/events/week-of-action-bystander-workshop"},
		{name: "event, past", path: "/events/past-vigil-for-refugees"},
		{name: "event, cancelled", path: "/events/panel-on-press-freedom", shot: "event-cancelled"},
		{name: "event, tentative iftar", path: "/events/solidarity-iftar", shot: "event-iftar"},
		{name: "event, online", path: "/events/livestream-voices-of-uyghur-women"},
		{name: "event, hybrid", path: "/events/hmd-interfaith-memorial", shot: "event-hybrid"},
		{name: "event, confirm by email", path: "/events/" + f.confirmSlug},
		{name: "event, approval", path: "/events/" + f.approvalSlug},
		{name: "register, with mistakes", shot: "register-mistakes", steps: func(base string) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(base + "/events/hmd-interfaith-memorial"),
				chromedp.SendKeys(chromedp.CSS(`#email`), "not-an-address"),
				chromedp.Click(chromedp.CSS(`form[action$="/register"] button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
			}
		}},
		{name: "register, choice step", shot: "register-choice", steps: func(base string) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(base + "/events/" + f.twoLeftSlug),
				chromedp.SendKeys(chromedp.CSS(`#name`), "Grace Okafor"),
				chromedp.SendKeys(chromedp.CSS(`#email`), "grace@example.org"),
				chromedp.SetValue(chromedp.CSS(`#guests`), "3"),
				chromedp.Click(chromedp.CSS(`#consent`)),
				chromedp.Click(chromedp.CSS(`form[action$="/register"] button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`input[name="choice"]`)),
			}
		}},
		{name: "manage, just registered", path: f.manage["registered"] + "?new=1", shot: "confirmation"},
		{name: "manage, registered", path: f.manage["registered"]},
		{name: "manage, hybrid online", path: f.manage["online"]},
		{name: "manage, tentative event", path: f.manage["tentative"]},
		{name: "manage, waitlisted", path: f.manage["waitlisted"]},
		{name: "manage, cancelled", path: f.manage["cancelled"]}, // its screenshot is TestBrowserManagePage's
		{name: "manage, past event", path: f.manage["past"]},
		{name: "manage, event cancelled", path: f.manage["eventCancelled"]},
		{name: "manage, awaiting approval", path: f.manage["pending"]},
		{name: "manage, cancel confirmation", path: f.manage["registered"] + "/cancel"},
		{name: "manage, erase confirmation", path: f.manage["registered"] + "/erase"},
		{name: "series", path: "/series/week-of-action"},
		{name: "organisation", path: "/organisations/open-doors"},
		{name: "organisations", path: "/organisations", shot: "organisations"},
		{name: "all series", path: "/series", shot: "series"},
		{name: "API problems", path: "/problems"},
		{name: "API problem", path: "/problems/not-enough-places"},
		{name: "not found", path: "/no-such-page"},
		{name: "unknown manage link", path: "/r/not-a-token"},

		{name: "sign in", path: "/admin/login"},
		{name: "sign in, with mistakes", phoneOnly: true, steps: func(base string) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(base + "/admin/login"),
				chromedp.SendKeys(chromedp.CSS(`#email`), "nobody@example.org"),
				chromedp.SendKeys(chromedp.CSS(`#password`), "wrong password"),
				chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
			}
		}},
		{name: "dashboard", path: "/admin", admin: true, shot: "admin-dashboard", check: meterBesideLabel},
		{name: "events", path: "/admin/events", admin: true, phoneOnly: true},
		{name: "new event", path: "/admin/events/new", admin: true},
		{name: "editor", path: "/admin/events/solidarity-iftar/edit", admin: true, shot: "admin-editor"},
		{name: "editor, with mistakes", admin: true, phoneOnly: true, steps: func(base string) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(base + "/admin/events/new"),
				chromedp.Click(chromedp.CSS(`form[action="/admin/events"] button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
			}
		}},
		{name: "attendees", path: "/admin/events/hmd-interfaith-memorial/attendees", admin: true, shot: "admin-attendees"},
		{name: "add an attendee", path: "/admin/events/hmd-interfaith-memorial/attendees/new", admin: true, phoneOnly: true},
		{name: "door", path: "/admin/events/hmd-interfaith-memorial/door", admin: true},
		{name: "check-in code", path: f.checkIn, admin: true, phoneOnly: true},
		{name: "message", path: "/admin/events/hmd-interfaith-memorial/message", admin: true},
		{name: "message, preview", admin: true, shot: "admin-message-preview", steps: func(base string) []chromedp.Action[chromedp.Void] {
			return previewMessage(base, "Dear friends,\n\nThe doors open at 6pm. Bring a candle if you can.\n\nhttps://example.org/map")
		}},
		{name: "message, preview of a long message", admin: true, steps: func(base string) []chromedp.Action[chromedp.Void] {
			// Taller than a screen: the mail and its plain text (opened)
			// must be readable with the keyboard alone.
			return append(previewMessage(base, "Dear friends,"+strings.Repeat("\n\nThe ceremony is led by survivors' families and the three congregations; there is step-free access from Compton Terrace.", 12)),
				chromedp.Click(chromedp.CSS(`.mail-plain summary`)),
				chromedp.WaitVisible(chromedp.CSS(`.mail-plain .mail-text`)))
		}},
		{name: "requests queue", path: "/admin/events/" + f.approvalSlug + "/requests", admin: true, shot: "admin-requests"},
		{name: "door team", path: "/admin/events/hmd-interfaith-memorial/team", admin: true, phoneOnly: true},
		{name: "cancel an event", path: "/admin/events/hmd-interfaith-memorial/cancel", admin: true, phoneOnly: true},
		{name: "calendar", path: "/admin/calendar?month=2027-02", admin: true},
		{name: "calendar settings", path: "/admin/organisations/open-doors/calendar", admin: true, phoneOnly: true},
		{name: "API tokens", path: "/admin/tokens", admin: true, phoneOnly: true},
		{name: "password", path: "/admin/account/password", admin: true, phoneOnly: true},
		{name: "audit log", path: "/admin/audit", admin: true, phoneOnly: true},
		{name: "privacy requests", path: "/admin/privacy", admin: true, phoneOnly: true},
		{name: "privacy requests, an address found", admin: true, phoneOnly: true, steps: func(base string) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(base + "/admin/privacy"),
				chromedp.SendKeys(chromedp.CSS(`#email`), "first@example.org"),
				chromedp.Click(chromedp.CSS(`form[action="/admin/privacy"] button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#held-title`)),
			}
		}},
		{name: "privacy requests, erase not confirmed", admin: true, phoneOnly: true, steps: func(base string) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(base + "/admin/privacy"),
				chromedp.SendKeys(chromedp.CSS(`#email`), "first@example.org"),
				chromedp.Click(chromedp.CSS(`form[action="/admin/privacy"] button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#held-title`)),
				chromedp.Click(chromedp.CSS(`form[action="/admin/privacy/erase"] button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
			}
		}},
		{name: "outbox", path: "/admin/outbox", admin: true, phoneOnly: true},
	}
	// Each page is a subtest: -run 'TestBrowserAccessibility/phone/editor'
	// checks one. Public pages come first and are checked signed out.
	signedIn := false
	for _, size := range []struct {
		name string
		w, h int64
	}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h)); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			if p.phoneOnly && size.name != "phone" {
				continue
			}
			t.Run(size.name+"/"+p.name, func(t *testing.T) {
				if p.admin && !signedIn {
					signIn(t, ctx, base)
					signedIn = true
				}
				steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + p.path)}
				if p.steps != nil {
					steps = p.steps(base)
				}
				pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
				err := chromedp.Do(pctx, steps...)
				cancel()
				if err != nil {
					body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`)))
					t.Fatalf("%v; the page says:\n%s", err, body)
				}
				checkAxe(t, ctx, p.name+" ("+size.name+")")
				checkWidth(t, ctx, p.name+" ("+size.name+")", size.w)
				if p.check != nil {
					p.check(t, ctx)
				}
				if p.shot != "" {
					saveScreenshot(t, ctx, p.shot+"-"+size.name+".png")
				}
			})
		}
		if signedIn {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin"),
				chromedp.Click(chromedp.CSS(`form[action="/admin/logout"] button`)),
				chromedp.WaitVisible(chromedp.CSS(`#main`))); err != nil {
				t.Fatalf("sign out: %v", err)
			}
			signedIn = false
		}
	}
}

// previewMessage writes a message to the registrants of the demo memorial
// and presses Preview: the HTML mail is shown in a bordered box.
func previewMessage(base, body string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/admin/events/hmd-interfaith-memorial/message"),
		chromedp.SendKeys(chromedp.CSS(`#subject`), "The doors open at 6pm"),
		chromedp.SetValue(chromedp.CSS(`#body`), body),
		chromedp.Click(chromedp.CSS(`button[name="action"][value="preview"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.mail-frame .mail-html`)),
	}
}

// meterBesideLabel: each progress bar of the dashboard has its label
// ("100%") on the same line, not wrapped under it.
func meterBesideLabel(t *testing.T, ctx context.Context) {
	t.Helper()
	apart, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('td meter')].flatMap(m => {
		const label = m.nextSibling, r = document.createRange();
		if (!label || !label.textContent.includes('%')) return ['a bar without its label'];
		r.selectNodeContents(label);
		const b = m.getBoundingClientRect(), rects = [...r.getClientRects()], l = rects[rects.length - 1];
		return l && Math.abs((b.top + b.bottom) / 2 - (l.top + l.bottom) / 2) < b.height ? [] : [label.textContent.trim()];
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if len(apart) > 0 {
		t.Errorf("progress bar labels wrapped under their bar: %q", apart)
	}
}

// signIn signs the demo organiser in, in the tab.
func signIn(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/login"),
		chromedp.SendKeys(chromedp.CSS(`#email`), models.DemoEmail),
		chromedp.SendKeys(chromedp.CSS(`#password`), models.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.admin-nav`))); err != nil {
		t.Fatalf("sign in: %v", err)
	}
}

// a11yData is what the sweep needs beyond the demo data: events in the
// registration modes, one with two places left, and a registration in
// each state an attendee can find on their manage page.
type a11yData struct {
	confirmSlug, approvalSlug, twoLeftSlug string
	manage                                 map[string]string // state → /r/… path
	checkIn                                string
}

func a11yFixtures(t *testing.T, e *testEnv) a11yData {
	t.Helper()
	tok := e.cfg.Tokens()
	d := a11yData{confirmSlug: "interfaith-walk-for-peace", approvalSlug: "survivors-circle", twoLeftSlug: "community-supper", manage: map[string]string{}}
	// Later than the demo events, so that the home page shows those first.
	later := func(title string, days int, change func(*models.EventInput)) *models.Event {
		return e.event("", func(in *models.EventInput) {
			start := testNow.AddDate(0, 0, days).Truncate(24 * time.Hour).Add(18 * time.Hour)
			in.Slug, in.Title, in.StartsAt = nil, sp(title), &start
			in.Venue = &models.VenueInput{Name: sp("Union Chapel"), Address: sp("Compton Terrace, London N1 2UN")}
			if change != nil {
				change(in)
			}
		})
	}
	later("Interfaith Walk for Peace", 120, func(in *models.EventInput) {
		in.Slug, in.RegistrationMode = sp(d.confirmSlug), sp(models.ModeConfirmEmail)
	})
	approval := later("Survivors' Circle: a closed meeting", 122, func(in *models.EventInput) {
		in.Slug, in.RegistrationMode = sp(d.approvalSlug), sp(models.ModeApproval)
	})
	twoLeft := later("Community Supper", 124, func(in *models.EventInput) { in.Slug, in.Capacity = sp(d.twoLeftSlug), ip(3) })
	find := func(slug string) *models.Event {
		ev, err := models.FindEvent(e.db.DB, slug)
		if err != nil {
			t.Fatalf("%s: %v", slug, err)
		}
		return ev
	}
	register := func(state string, ev *models.Event, in models.RegisterInput, at time.Time) *models.Registration {
		t.Helper()
		in.Consent = true
		if in.Attendance == "" {
			in.Attendance = models.InPerson
		}
		if in.Email == "" {
			in.Email = strings.ReplaceAll(state, " ", "-") + "@example.org"
		}
		r, err := models.Register(e.db.DB, tok, ev.ID, in, at)
		if err != nil {
			t.Fatalf("register %s: %v", state, err)
		}
		if state != "" {
			d.manage[state] = models.ManagePath(tok.ManageToken(r.Registration))
		}
		return r.Registration
	}
	hmd := find("hmd-interfaith-memorial")
	reg := register("registered", hmd, models.RegisterInput{Name: "Grace Okafor", Guests: 2, Dietary: "halal"}, testNow)
	d.checkIn = models.CheckInPath(tok.CheckInCode(reg))
	register("online", hmd, models.RegisterInput{Name: "Tamar Stern", Attendance: models.Online}, testNow)
	register("tentative", find("solidarity-iftar"), models.RegisterInput{Name: "Yusuf Ali", Guests: 1, Dietary: "vegetarian"}, testNow)
	register("waitlisted", find("week-of-action-bystander-workshop"), models.RegisterInput{Name: "Liam O'Connor"}, testNow)
	cancelled := register("cancelled", hmd, models.RegisterInput{Name: "Noah Friedman"}, testNow)
	if _, err := models.CancelRegistration(e.db.DB, cancelled.ID, nil, testNow); err != nil {
		t.Fatal(err)
	}
	past := find("past-vigil-for-refugees")
	register("past", past, models.RegisterInput{Name: "Rahel Mensah", ByOrganiser: true}, past.StartsAt.Add(-72*time.Hour))
	off := later("Repair Café", 126, nil)
	register("eventCancelled", off, models.RegisterInput{Name: "Samuel Cohen"}, testNow)
	if _, err := models.UpdateEvent(e.db.DB, off.Slug, models.EventInput{Status: sp(models.StatusCancelled),
		CancelMessage: sp("The hall flooded. We will write with a new date.")}, nil, testNow); err != nil {
		t.Fatal(err)
	}
	pending := register("pending", approval, models.RegisterInput{Name: "Khadija Begum", Dietary: "kosher"}, testNow)
	if _, err := models.ConfirmRegistration(e.db.DB, pending.ID, testNow); err != nil {
		t.Fatal(err)
	}
	register("", twoLeft, models.RegisterInput{Name: "First Person", Email: "first@example.org"}, testNow)
	// A series with no events yet, for the second part of /series.
	if _, err := models.SaveSeries(e.db.DB, 0, models.SeriesInput{Slug: "interfaith-iftars-2028", Title: "Interfaith Iftars 2028",
		Description: "Iftars hosted in turn by mosques, synagogues and churches during Ramadan 2028."}, nil, testNow); err != nil {
		t.Fatal(err)
	}
	return d
}

// checkWidth fails when the page is wider than the viewport (the person
// would have to scroll sideways), naming the outermost elements too wide.
func checkWidth(t *testing.T, ctx context.Context, page string, width int64) {
	t.Helper()
	const wide = `(() => {
  const w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= w) return [];
  const over = e => e.getBoundingClientRect().right > w + 1;
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).trim().split(/ +/).join('.') : '');
  return [...document.querySelectorAll('body *')].filter(e => over(e) && !over(e.parentElement))
    .slice(0, 3).map(e => name(e.parentElement) + ' > ' + name(e) + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
})()`
	over, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](wide))
	if err != nil {
		t.Fatalf("width of %s: %v", page, err)
	}
	if len(over) > 0 {
		t.Errorf("%s scrolls sideways at %d px: %s", page, width, strings.Join(over, ", "))
	}
}
