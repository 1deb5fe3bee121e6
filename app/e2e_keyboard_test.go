package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"convene/models"
)

// focusStop is the element that has the keyboard focus.
type focusStop struct {
	Tag     string  `json:"tag"`
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Type    string  `json:"type"`
	Value   string  `json:"value"`
	Text    string  `json:"text"`
	Href    string  `json:"href"`
	Checked bool    `json:"checked"`
	Ring    bool    `json:"ring"`   // a focus indicator is drawn (outline or shadow)
	InView  bool    `json:"inView"` // wholly or partly on the screen
	Top     float64 `json:"top"`    // from the top of the document, in CSS pixels
}

func (f focusStop) String() string {
	s := f.Tag
	if f.ID != "" {
		s += "#" + f.ID
	}
	if f.Name != "" && f.ID == "" {
		s += "[name=" + f.Name + "]"
	}
	if f.Tag == "input" && (f.Type == "radio" || f.Type == "checkbox") {
		s += "=" + f.Value
	}
	if f.Text != "" {
		s += fmt.Sprintf(" %q", f.Text)
	}
	return s
}

const activeElementJS = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {tag: 'body'};
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), id: e.id, name: e.name || '', type: e.type || '', value: typeof e.value === 'string' ? e.value : '',
    text: (e.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 50), href: e.getAttribute('href') || '', checked: !!e.checked,
    ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none',
    inView: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
    top: r.top + scrollY};
})()`

// keyboard drives a tab with the keyboard only, and checks every stop of
// the focus: a visible indicator, on the screen, never above the stop
// before it on the page (a phone's single column is read top to bottom).
type keyboard struct {
	t    *testing.T
	ctx  context.Context
	path []focusStop // the stops since the last page load
}

func (k *keyboard) press(keys string, opts ...chromedp.KeyOption) {
	k.t.Helper()
	if err := chromedp.Do(k.ctx, chromedp.KeyEvent(keys, opts...)); err != nil {
		k.t.Fatalf("pressing %q: %v", keys, err)
	}
}

func (k *keyboard) focus() focusStop {
	k.t.Helper()
	f, err := chromedp.Run(k.ctx, chromedp.Evaluate[focusStop](activeElementJS))
	if err != nil {
		k.t.Fatalf("focus: %v", err)
	}
	return f
}

// tab presses Tab once and checks the new stop.
func (k *keyboard) tab() focusStop {
	k.t.Helper()
	k.press(kb.Tab)
	f := k.focus()
	if f.Tag == "body" {
		k.t.Fatalf("Tab after %v left the page (focus on body)", k.path)
	}
	if !f.Ring {
		k.t.Errorf("focus on %s is not visible (no outline or shadow)", f)
	}
	if !f.InView {
		k.t.Errorf("focus on %s is off the screen", f)
	}
	if n := len(k.path); n > 0 && f.Top < k.path[n-1].Top-4 {
		k.t.Errorf("focus went up the page, from %s (at %.0f px) to %s (at %.0f px)", k.path[n-1], k.path[n-1].Top, f, f.Top)
	}
	k.path = append(k.path, f)
	return f
}

// tabTo presses Tab until the focus is on an element that match accepts,
// at most limit times.
func (k *keyboard) tabTo(what string, limit int, match func(focusStop) bool) focusStop {
	k.t.Helper()
	for range limit {
		if f := k.tab(); match(f) {
			return f
		}
	}
	k.t.Fatalf("%d presses of Tab did not reach %s; the stops were:\n%s", limit, what, stops(k.path))
	return focusStop{}
}

// loaded waits for a page that the last key opened, and starts a new path.
func (k *keyboard) loaded(sel string) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(k.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		body, _ := chromedp.Run(k.ctx, chromedp.Text(chromedp.CSS(`body`)))
		k.t.Fatalf("waiting for %s: %v; the page says:\n%s", sel, err, body)
	}
	k.path = nil
}

func (k *keyboard) text(sel string) string {
	k.t.Helper()
	v, err := chromedp.Run(k.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		k.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

func stops(path []focusStop) string {
	var b strings.Builder
	for i, f := range path {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, f)
	}
	return b.String()
}

func byID(id string) func(focusStop) bool { return func(f focusStop) bool { return f.ID == id } }
func byText(text string) func(focusStop) bool {
	return func(f focusStop) bool { return strings.Contains(f.Text, text) }
}

// TestBrowserKeyboardRegistration: someone who uses only the keyboard, on
// a phone, registers with two guests and a dietary need, reaches the
// confirmation, changes the party and cancels. Tab moves between
// controls, Enter follows links and sends forms, Space ticks a box and
// presses a button, and the arrow keys choose within a group of radio
// buttons (the only keyboard way to, in any browser). Every stop of the
// focus must be visible and on the screen, and the order must follow the
// page: the skip link first, then the form's questions as they are read.
func TestBrowserKeyboardRegistration(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.event("neighbours-supper", func(in *models.EventInput) {
		in.Title, in.Capacity, in.MaxGuests = sp("Neighbours' Supper"), ip(40), ip(3)
	})
	base := e.serve()
	ctx := browserContext(t) // 390×844
	k := &keyboard{t: t, ctx: ctx}

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/events/"+ev.Slug)); err != nil {
		t.Fatal(err)
	}
	k.loaded(`#register`)
	if f := k.tab(); f.Href != "#main" || f.Text != "Skip to main content" {
		t.Errorf("the first Tab goes to %s, want the skip link", f)
	}
	k.press(kb.Enter)
	if f := k.focus(); f.ID != "main" {
		t.Errorf("the skip link moved the focus to %s, want main", f)
	}
	k.tabTo("the Register button of the summary", 15, func(f focusStop) bool { return f.Href == "#register" })
	k.press(kb.Enter)

	// The form, in the order it is read.
	form := len(k.path)
	k.tabTo("the name", 3, byID("name"))
	k.press("Amira Haddad")
	k.tab()
	k.press("amira@example.org")
	k.tab()
	k.press(kb.Backspace + "2")
	diet := k.tab()
	if diet.Name != "dietary" {
		t.Fatalf("after the guests, the focus is on %s, want the dietary choices", diet)
	}
	// In a group of radio buttons the arrows move and choose: from the
	// first (no special requirements) down to halal.
	for diet.Value != "halal" {
		k.press(kb.ArrowDown)
		if diet = k.focus(); !diet.Checked || diet.Name != "dietary" || diet.Value == "none" {
			t.Fatalf("ArrowDown in the dietary choices: %+v", diet)
		}
	}
	k.tab() // if other, tell us more
	// Each guest's food: on a closed list, the arrows choose (Not stated,
	// No special requirements, Vegetarian).
	if g := k.tab(); g.ID != "guest_dietary.0.dietary" {
		t.Fatalf("after the dietary details, the focus is on %s, want the first guest's food", g)
	}
	k.press(kb.ArrowDown + kb.ArrowDown)
	if g := k.focus(); g.Value != "vegetarian" {
		t.Errorf("the first guest's food is %q after two ArrowDown, want vegetarian", g.Value)
	}
	k.tabTo("the access needs", 8, byID("access_needs"))
	k.press("A seat near the front, please")
	k.tab()
	k.press(" ")
	if f := k.focus(); f.ID != "consent" || !f.Checked {
		t.Errorf("Space on the consent box: %+v", f)
	}
	submit := k.tab()
	var got []string
	for _, f := range k.path[form:] {
		switch {
		case f.ID != "":
			got = append(got, "#"+f.ID)
		case f.Name != "":
			got = append(got, "[name="+f.Name+"]")
		default:
			got = append(got, f.Text)
		}
	}
	// The guests' rows that follow the first depend on the guests chosen
	// (the script shows one per guest); the rest of the order is fixed.
	order := strings.Join(got, " ")
	if !strings.HasPrefix(order, "#name #email #guests [name=dietary] #dietary_other #guest_dietary.0.dietary #guest_dietary.0.dietary_other ") ||
		!strings.HasSuffix(order, " #access_needs #consent Register") {
		t.Errorf("the form's stops are\n%s", stops(k.path[form:]))
	}
	if submit.Text != "Register" {
		t.Fatalf("after the consent box, the focus is on %s, want Register", submit)
	}
	k.press(kb.Enter)

	k.loaded(`.status-panel`)
	if h := k.text(".status-panel h1"); h != "You are registered" {
		t.Errorf("confirmation heading %q", h)
	}
	facts := k.text("dl.facts")
	for _, want := range []string{"3 (you and 2 guests)", "Halal", "Vegetarian", "A seat near the front"} {
		if !strings.Contains(facts, want) {
			t.Errorf("confirmation lacks %q: %s", want, facts)
		}
	}

	// Change: one guest fewer.
	k.tabTo("the guests of the change form", 30, byID("guests"))
	k.press(kb.Backspace + "1")
	k.tabTo("Save changes", 15, byText("Save changes"))
	k.press(kb.Enter)
	k.loaded(`.notice-success`)
	if facts := k.text("dl.facts"); !strings.Contains(facts, "2 (you and 1 guest)") || !strings.Contains(facts, "Halal") || !strings.Contains(facts, "Vegetarian") {
		t.Errorf("after the change: %s", facts)
	}

	// Cancel, and confirm with Space on the button.
	k.tabTo("Cancel my registration", 40, byText("Cancel my registration"))
	k.press(kb.Enter)
	k.loaded(`form[action$="/cancel"]`)
	k.tabTo("the button that cancels", 10, byText("Yes, cancel"))
	k.press(" ")
	k.loaded(`.status-panel`)
	if status := k.text(".status-panel h1"); status != "Your registration is cancelled" {
		t.Errorf("after cancelling, the status is %q", status)
	}
	var n int64
	e.db.Model(&models.Registration{}).Where("status = ?", models.RegCancelled).Count(&n)
	if n != 1 {
		t.Errorf("%d cancelled registrations in the database, want 1", n)
	}
}
