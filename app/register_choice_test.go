package app_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"convene/models"
)

// hiddenRe finds a form's hidden inputs, to post a second step as a browser would.
var hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// TestRegisterOffersChoiceWhenPartyDoesNotFit: a party bigger than the free
// places is never waitlisted silently. The form goes on to a second step
// that keeps everything typed and offers fewer guests now or the waitlist
// for the whole party; nothing is stored until the person chooses.
func TestRegisterOffersChoiceWhenPartyDoesNotFit(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.event("choice", func(in *models.EventInput) {
		in.Capacity = ip(3)
		in.Questions = &[]models.QuestionInput{
			{Key: "topics", Label: "Which topics?", Kind: models.QuestionMultiple, Options: []string{"Housing", "Schools", "Policing"}},
			{Key: "note", Label: "Anything else?", Kind: models.QuestionShortText},
		}
	})
	b := e.browser()
	b.get("/events/" + ev.Slug)
	if r, _ := b.post("/events/"+ev.Slug+"/register", regForm("First", "first@example.org")); r.StatusCode != 303 {
		t.Fatalf("first registration: %d", r.StatusCode)
	}
	count := func() int64 {
		var n int64
		e.db.Model(&models.Registration{}).Count(&n)
		return n
	}

	form := regForm("Grace Okafor", "grace@example.org")
	form.Set("guests", "3")
	form.Set("access_needs", "Step-free <access>")
	form["answers.topics"] = []string{"Housing", "Policing"}
	form.Set("answers.note", `He said "hello"`)
	r, page := b.post("/events/"+ev.Slug+"/register", form)
	if r.StatusCode != 409 {
		t.Fatalf("party of 4 for 2 places: status %d, want 409 (the choice)", r.StatusCode)
	}
	for _, want := range []string{"Only 2 places left", "You asked for 4 places: you and 3 guests", "Come with 1 guest now", "Join the waitlist for 4 places",
		`name="name" value="Grace Okafor"`, `name="email" value="grace@example.org"`, `name="guests" value="3"`, `name="access_needs" value="Step-free &lt;access&gt;"`,
		`name="answers.topics" value="Housing"`, `name="answers.topics" value="Policing"`, `name="answers.note" value="He said &#34;hello&#34;"`,
		`name="consent" value="yes"`, `name="_csrf"`} {
		if !strings.Contains(page, want) {
			t.Errorf("choice page lacks %q", want)
		}
	}
	if count() != 1 {
		t.Fatal("something was stored before the person chose")
	}
	hidden := func(page string) url.Values {
		out := url.Values{}
		for _, m := range hiddenRe.FindAllStringSubmatch(page, -1) {
			out.Add(m[1], html.UnescapeString(m[2]))
		}
		return out
	}
	step := hidden(page)

	// No choice: asked again, with the error beside the question.
	r, page = b.post("/events/"+ev.Slug+"/register", step)
	if r.StatusCode != 422 || !strings.Contains(page, "There is a problem") || !strings.Contains(page, `href="#choice"`) {
		t.Fatalf("no choice: status %d", r.StatusCode)
	}
	// "Change my answers" goes back to the form as typed.
	back := hidden(page)
	back.Set("edit", "yes")
	r, page = b.post("/events/"+ev.Slug+"/register", back)
	if r.StatusCode != 200 || !strings.Contains(page, `value="Grace Okafor"`) || !strings.Contains(page, `value="3"`) || !strings.Contains(page, "Step-free &lt;access&gt;") {
		t.Fatalf("change my answers: status %d, typed values lost: %s", r.StatusCode, page)
	}

	// Fewer guests now: confirmed with 1 guest, answers kept.
	fewer := url.Values{}
	for k, v := range step {
		fewer[k] = v
	}
	fewer.Set("choice", "fewer")
	r, _ = b.post("/events/"+ev.Slug+"/register", fewer)
	if r.StatusCode != 303 {
		t.Fatalf("fewer guests: status %d", r.StatusCode)
	}
	var g models.Registration
	e.db.Where("email_norm = ?", "grace@example.org").Take(&g)
	if g.Status != models.RegConfirmed || g.Guests != 1 || !strings.Contains(g.Answers, "Housing\\nPolicing") || g.AccessNeeds != "Step-free <access>" {
		t.Fatalf("fewer guests stored %+v", g)
	}

	// The event is full now; someone choosing the waitlist keeps their party.
	form = regForm("Hannah Levi", "hannah@example.org")
	form.Set("guests", "2")
	r, page = b.post("/events/"+ev.Slug+"/register", form)
	if r.StatusCode != 409 || !strings.Contains(page, "The event is now full") || strings.Contains(page, `value="fewer"`) {
		t.Fatalf("full: status %d, or fewer guests offered with no place left", r.StatusCode)
	}
	wait := hidden(page)
	wait.Set("choice", "waitlist")
	r, _ = b.post("/events/"+ev.Slug+"/register", wait)
	if r.StatusCode != 303 {
		t.Fatalf("waitlist choice: status %d", r.StatusCode)
	}
	var h models.Registration
	e.db.Where("email_norm = ?", "hannah@example.org").Take(&h)
	if h.Status != models.RegWaitlisted || h.Guests != 2 {
		t.Fatalf("waitlist choice stored %+v", h)
	}
}

// TestRegisterChoiceWithoutWaitlist: without a waitlist, the only choice is
// fewer guests.
func TestRegisterChoiceWithoutWaitlist(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.event("nowaitlist", func(in *models.EventInput) { in.Capacity, in.Waitlist = ip(2), new(bool) })
	b := e.browser()
	b.get("/events/" + ev.Slug)
	form := regForm("Amira", "amira@example.org")
	form.Set("guests", "2")
	r, page := b.post("/events/"+ev.Slug+"/register", form)
	if r.StatusCode != 409 || !strings.Contains(page, "Come with 1 guest now") || strings.Contains(page, `value="waitlist"`) {
		t.Fatalf("status %d; choice page wrong", r.StatusCode)
	}
}

// TestPastAndCancelledEventPages: an event that has ended, or was
// cancelled, shows as such: no places, no form, no "add to calendar".
func TestPastAndCancelledEventPages(t *testing.T) {
	e := newEnv(t, nil)
	e.event("over", func(in *models.EventInput) {
		start := testNow.Add(-3 * time.Hour)
		end := testNow.Add(-time.Hour)
		in.StartsAt, in.EndsAt = &start, &end
	})
	e.event("called-off", func(in *models.EventInput) {
		in.Status = sp(models.StatusCancelled)
		in.CancelMessage = sp("The hall flooded. We will meet again in the spring.")
	})
	e.event("upcoming", nil)
	for _, tt := range []struct {
		slug        string
		want, never []string
	}{
		{"over", []string{"This event has ended", "It took place on"}, []string{"places left", "Add to calendar", `id="register-title"`, `href="#register"`, "/register\""}},
		{"called-off", []string{"This event has been cancelled", "The hall flooded"}, []string{"places left", "Add to calendar", `id="register-title"`, `href="#register"`, "/register\""}},
		{"upcoming", []string{"10 places left", "Add to calendar", `id="register-title"`, `href="#register"`, `action="/events/upcoming/register"`}, []string{"has ended"}},
	} {
		t.Run(tt.slug, func(t *testing.T) {
			r, page := e.get("/events/" + tt.slug)
			if r.StatusCode != 200 {
				t.Fatalf("status %d", r.StatusCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(page, n) {
					t.Errorf("page shows %q", n)
				}
			}
		})
	}
}

// TestAPIIfFull: "if_full": "reject" refuses a party that does not fit with
// 409 and the free places; the default waitlists it; other values are 422.
func TestAPIIfFull(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.event("api-full", func(in *models.EventInput) { in.Capacity = ip(3) })
	path := "/api/v1/events/" + ev.Slug + "/registrations"
	reg := func(email string, guests int, ifFull string) (int, map[string]any) {
		body := `{"name":"A","email":"` + email + `","guests":` + string(rune('0'+guests)) + `,"consent":true` + ifFull + `}`
		r, out := e.jsonReq("POST", path, body, "")
		return r.StatusCode, out
	}
	if s, _ := reg("a@example.org", 0, ""); s != 201 {
		t.Fatalf("first: %d", s)
	}
	s, out := reg("b@example.org", 3, `,"if_full":"reject"`)
	if s != 409 || out["places_left"] != float64(2) || out["errors"].(map[string]any)["guests"] == nil {
		t.Fatalf("reject: %d %v", s, out)
	}
	if !strings.HasSuffix(out["type"].(string), "/not-enough-places") {
		t.Errorf("type %v", out["type"])
	}
	if s, out = reg("b@example.org", 1, `,"if_full":"reject"`); s != 201 || out["status"] != "confirmed" {
		t.Fatalf("fitting party with reject: %d %v", s, out)
	}
	if s, out = reg("c@example.org", 0, `,"if_full":"reject"`); s != 409 || out["places_left"] != float64(0) {
		t.Fatalf("full with reject: %d %v", s, out)
	}
	if s, out = reg("c@example.org", 2, ``); s != 201 || out["status"] != "waitlisted" {
		t.Fatalf("default waitlists: %d %v", s, out)
	}
	if s, out = reg("d@example.org", 2, `,"if_full":"waitlist"`); s != 201 || out["status"] != "waitlisted" {
		t.Fatalf("explicit waitlist: %d %v", s, out)
	}
	if s, out = reg("e@example.org", 0, `,"if_full":"maybe"`); s != 422 || out["errors"].(map[string]any)["if_full"] == nil {
		t.Fatalf("bad if_full: %d %v", s, out)
	}
	var n int64
	e.db.Model(&models.Registration{}).Where("email_norm IN ?", []string{"e@example.org"}).Count(&n)
	if n != 0 {
		t.Fatal("a refused registration was stored")
	}
}
