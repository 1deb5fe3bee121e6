package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"convene/models"
)

// allocEvent creates an event of capacity places with one allocation of
// reserved places and returns it with the allocation's private code.
func (e *testEnv) allocEvent(slug string, capacity, reserved int, release *time.Time) (*models.Event, *models.Allocation, string) {
	e.t.Helper()
	ev := e.event(slug, func(in *models.EventInput) { in.Capacity = ip(capacity) })
	al, err := models.SaveAllocation(e.db.DB, ev.ID, models.AllocationInput{Label: "Finchley Mosque", Places: reserved, ReleaseAt: release}, nil, testNow)
	if err != nil {
		e.t.Fatal(err)
	}
	return ev, al, e.cfg.Tokens().AllocationCode(al)
}

func TestAllocationLinkOnTheWeb(t *testing.T) {
	e := newEnv(t, nil)
	ev, al, code := e.allocEvent("iftar", 3, 2, nil)
	path := "/events/" + ev.Slug

	// The public page counts only the public place.
	_, page := e.get(path)
	if !strings.Contains(page, "1 place left") || strings.Contains(page, "Finchley Mosque") {
		t.Fatalf("public page shows reserved places or the community: %q", between(page, "place", 80))
	}
	// Through the link: the community's places, the code in the form, and
	// nothing kept by caches.
	b := e.browser()
	r, page := b.get(path + "?code=" + url.QueryEscape(code))
	if r.StatusCode != 200 || !strings.Contains(page, "Places reserved for Finchley Mosque") || !strings.Contains(page, "3 places left") ||
		!strings.Contains(page, `name="code" value="`+code+`"`) || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("code page (%d, cache %q) lacks the reserved places or the code", r.StatusCode, r.Header.Get("Cache-Control"))
	}
	f := regForm("Amina", "amina@example.org")
	f.Set("code", code)
	if r, _ := b.post(path+"/register", f); r.StatusCode != 303 {
		t.Fatalf("register through the code: %d", r.StatusCode)
	}
	var reg models.Registration
	e.db.Where("email_norm = ?", "amina@example.org").Take(&reg)
	if reg.AllocationID == nil || *reg.AllocationID != al.ID || reg.Allocated != 1 || reg.Status != models.RegConfirmed {
		t.Fatalf("registration through the code: %+v", reg)
	}
	// The public takes the last public place; the next is waitlisted while
	// a reserved place is still free.
	for i, want := range []string{models.RegConfirmed, models.RegWaitlisted} {
		email := fmt.Sprintf("public%d@example.org", i)
		pb := e.browser()
		pb.get(path)
		f := regForm("Public", email)
		f.Set("if_full", "waitlist")
		pb.post(path+"/register", f)
		if got := e.regStatus(email); got != want {
			t.Fatalf("public %d: %s, want %s", i, got, want)
		}
	}
}

func TestWrongOrReleasedCodeGoesToThePublicPool(t *testing.T) {
	e := newEnv(t, nil)
	release := testNow.Add(-time.Minute)
	ev, _, released := e.allocEvent("memorial", 5, 2, &release)
	if _, err := models.ReleaseAllocations(e.db.DB, testNow); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ code, says string }{
		"wrong":    {"12_nonsense", "does not hold reserved places"},
		"released": {released, "have been released to everyone"},
	} {
		t.Run(name, func(t *testing.T) {
			b := e.browser()
			r, page := b.get("/events/" + ev.Slug + "?code=" + url.QueryEscape(c.code))
			if r.StatusCode != 200 || !strings.Contains(page, c.says) || strings.Contains(page, "Places reserved for") {
				t.Fatalf("page for a %s code (%d) does not say %q", name, r.StatusCode, c.says)
			}
			email := name + "@example.org"
			f := regForm("Person", email)
			f.Set("code", c.code)
			if r, _ := b.post("/events/"+ev.Slug+"/register", f); r.StatusCode != 303 {
				t.Fatalf("register with a %s code: %d", name, r.StatusCode)
			}
			var reg models.Registration
			e.db.Where("email_norm = ?", email).Take(&reg)
			if reg.Status != models.RegConfirmed || reg.AllocationID != nil {
				t.Fatalf("a %s code: %s, allocation %v; want a public place", name, reg.Status, reg.AllocationID)
			}
			// The API says so too.
			status, answer := e.apiRegister(ev.Slug, fmt.Sprintf(`{"name":"API","email":"api-%s@example.org","consent":true,"code":%q}`, name, c.code))
			if status != 201 || !strings.Contains(answer, c.says) {
				t.Fatalf("API with a %s code: %d %s", name, status, answer)
			}
		})
	}
}

func TestAllocationsThroughTheAPI(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.token("org@example.org", true)
	r, ev := e.jsonReq("POST", "/api/v1/events", `{"title":"Solidarity iftar","kind":"iftar","status":"published",
		"starts_at":"2026-12-10T16:00:00Z","capacity":10,
		"allocations":[{"label":"Mosque","places":4},{"label":"Synagogue","places":4,"release_at":"2026-12-09T12:00:00Z","contact_email":"rabbi@example.org"}]}`, tok)
	if r.StatusCode != 201 {
		t.Fatalf("create with allocations: %d %v", r.StatusCode, ev)
	}
	allocs, _ := ev["allocations"].([]any)
	if len(allocs) != 2 || ev["places_left"] != float64(2) {
		t.Fatalf("allocations %v, places_left %v", ev["allocations"], ev["places_left"])
	}
	first := allocs[0].(map[string]any)
	code, link := first["code"].(string), first["url"].(string)
	if code == "" || link != "http://convene.test/events/"+ev["slug"].(string)+"?code="+code || first["taken"] != float64(0) || first["release_at"] != nil {
		t.Fatalf("allocation %v", first)
	}
	slug := ev["slug"].(string)
	// The public never sees them.
	_, pub := e.jsonReq("GET", "/api/v1/events/"+slug, "", "")
	if _, ok := pub["allocations"]; ok {
		t.Fatal("allocations shown to the public")
	}
	// A registration through the code takes a reserved place.
	for _, email := range []string{"b@example.org", "c@example.org"} {
		if status, answer := e.apiRegister(slug, fmt.Sprintf(`{"name":"Bilal","email":%q,"consent":true,"code":%q}`, email, code)); status != 201 || strings.Contains(answer, "notice") {
			t.Fatalf("register with code: %d %s", status, answer)
		}
	}
	_, got := e.jsonReq("GET", "/api/v1/events/"+slug, "", tok)
	if got["allocations"].([]any)[0].(map[string]any)["taken"] != float64(2) || got["places_left"] != float64(2) {
		t.Fatalf("after a code registration: %v, places_left %v", got["allocations"], got["places_left"])
	}
	id, id2 := first["id"].(float64), allocs[1].(map[string]any)["id"].(float64)
	syn := fmt.Sprintf(`{"id":%v,"label":"Synagogue","places":4}`, id2)
	for _, c := range []struct {
		name, body, field, says string
	}{
		{"below its confirmed places", fmt.Sprintf(`{"allocations":[{"id":%v,"label":"Mosque","places":1},%s]}`, id, syn), "allocations.0.places", "2 places of this allocation are confirmed"},
		{"used one left out", `{"allocations":[]}`, "allocations", "2 registrations came through"},
		{"capacity below reserved", `{"capacity":7}`, "capacity", "reserved for communities"},
		{"bad release time", fmt.Sprintf(`{"allocations":[{"id":%v,"label":"Mosque","places":4,"release_at":"tomorrow"},%s]}`, id, syn), "allocations.0.release_at", "RFC 3339"},
		{"more than fits", fmt.Sprintf(`{"allocations":[{"id":%v,"label":"Mosque","places":7},%s]}`, id, syn), "allocations.0.places", "Only 2 more"},
		{"no label", fmt.Sprintf(`{"allocations":[{"id":%v,"label":"","places":4},%s]}`, id, syn), "", ""},
		{"unknown id", fmt.Sprintf(`{"allocations":[{"id":999,"label":"X","places":1},{"id":%v,"label":"Mosque","places":4},%s]}`, id, syn), "allocations.0.id", "no allocation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, p := e.jsonReq("PATCH", "/api/v1/events/"+slug, c.body, tok)
			if r.StatusCode != 422 && r.StatusCode != 409 {
				t.Fatalf("%d %v", r.StatusCode, p)
			}
			if c.field == "" {
				return
			}
			errs, _ := p["errors"].(map[string]any)
			msg, _ := errs[c.field].(string)
			if c.field == "capacity" {
				msg, _ = p["detail"].(string)
			}
			if !strings.Contains(msg, c.says) {
				t.Fatalf("%v: want %s to say %q", p, c.field, c.says)
			}
		})
	}
	// Lower the capacity and the unused allocation together.
	r, got = e.jsonReq("PATCH", "/api/v1/events/"+slug, fmt.Sprintf(`{"capacity":8,"allocations":[{"id":%v,"label":"Mosque","places":4},{"id":%v,"label":"Synagogue","places":2}]}`, id, id2), tok)
	if r.StatusCode != 200 || got["places_left"] != float64(2) {
		t.Fatalf("lower both: %d %v", r.StatusCode, got)
	}
}

func TestFormStampStopsFastForms(t *testing.T) {
	clock := newFakeClock(testNow)
	e := newEnvClock(t, map[string]string{"FORM_MIN_SECONDS": "3"}, clock)
	ev := e.event("stamped", nil)
	path := "/events/" + ev.Slug
	stampRe := func(page string) string {
		i := strings.Index(page, `name="_ts" value="`)
		if i < 0 {
			t.Fatal("no stamp in the form")
		}
		rest := page[i+len(`name="_ts" value="`):]
		return rest[:strings.IndexByte(rest, '"')]
	}
	b := e.browser()
	_, page := b.get(path)
	stamp := stampRe(page)
	for _, c := range []struct {
		name, stamp string
		wait        time.Duration
		says        string
	}{
		{"too fast", stamp, time.Second, "quicker than we expected"},
		{"no stamp", "", 10 * time.Second, "out of date"},
		{"forged", "1700000000.AAAAAAAAAAAAAAAAAAAAAA", 10 * time.Second, "out of date"},
		{"too old", stamp, 25 * time.Hour, "out of date"},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock.Add(c.wait)
			defer clock.Add(-c.wait)
			f := regForm("Quick Bot", "quick@example.org")
			f.Set("_ts", c.stamp)
			r, page := b.post(path+"/register", f)
			if r.StatusCode != 422 || !strings.Contains(page, c.says) || !strings.Contains(page, `value="quick@example.org"`) {
				t.Fatalf("%d: want the form again, as typed, saying %q", r.StatusCode, c.says)
			}
			var n int64
			e.db.Model(&models.Registration{}).Where("email_norm = ?", "quick@example.org").Count(&n)
			if n != 0 {
				t.Fatal("a registration was stored")
			}
		})
	}
	// A person, a few seconds later, with the stamp of the page they read.
	clock.Add(5 * time.Second)
	f := regForm("Person", "person@example.org")
	f.Set("_ts", stamp)
	if r, _ := b.post(path+"/register", f); r.StatusCode != 303 || e.regStatus("person@example.org") != models.RegConfirmed {
		t.Fatalf("a person's form: %d", r.StatusCode)
	}
}

// Every public form is rate-limited per client address.
func TestRateLimitOnEveryPublicForm(t *testing.T) {
	e := newEnv(t, map[string]string{"RATE_LIMIT_PER_MINUTE": "2"})
	ev := e.event("limited", nil)
	res, err := models.Register(e.db.DB, e.cfg.Tokens(), ev.ID, models.RegisterInput{Name: "Holder", Email: "holder@example.org", Attendance: models.InPerson, Consent: true}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	manage := models.ManagePath(e.cfg.Tokens().ManageToken(res.Registration))
	for _, c := range []struct{ method, path string }{
		{"POST", "/events/" + ev.Slug + "/register"},
		{"POST", manage},
		{"POST", manage + "/cancel"},
		{"POST", manage + "/feed"},
		{"GET", manage + "/confirm"},
		{"POST", "/admin/login"},
		{"PATCH", "/api/v1/registrations/" + strings.TrimPrefix(manage, "/r/")},
		{"DELETE", "/api/v1/registrations/" + strings.TrimPrefix(manage, "/r/")},
		{"POST", "/api/v1/events/" + ev.Slug + "/registrations"},
	} {
		b := e.browser()
		b.get("/events/" + ev.Slug)
		last := 0
		for i := 0; i < 3; i++ {
			var status int
			switch c.method {
			case "POST":
				if strings.HasPrefix(c.path, "/api/") {
					status, _ = e.apiRegister(ev.Slug, `{}`)
				} else {
					r, _ := b.post(c.path, url.Values{"guests": {"0"}})
					status = r.StatusCode
				}
			case "GET":
				r, _ := b.get(c.path)
				status = r.StatusCode
			default:
				r, _ := e.jsonReq(c.method, c.path, `{}`, "")
				status = r.StatusCode
			}
			last = status
		}
		if last != 429 {
			t.Errorf("%s %s: the third request in a minute answered %d, want 429", c.method, c.path, last)
		}
	}
}

// between returns up to n characters of s around the first "place".
func between(s, near string, n int) string {
	i := strings.Index(s, near)
	if i < 0 {
		return ""
	}
	return s[max(0, i-n):min(len(s), i+n)]
}
