package app_test

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"convene/app"
	"convene/feeds/feedstest"
	"convene/models"
	"convene/models/modelstest"
)

// demoStream is in the stream links of the demo events: never in a public feed.
const demoStream = "stream.riverside-radio.example.org"

// demoPrivateAddress is the demo iftar's registrants-only address.
const demoPrivateAddress = "12 Hill Rise"

// feedServer is the app on a real listener with the demo data and a clock
// the test moves.
type feedServer struct {
	t      testing.TB
	app    *app.App
	db     *models.DB
	tok    models.Tokens
	url    string
	now    atomic.Int64 // Unix nanoseconds
	client *http.Client
}

func newFeedServer(t testing.TB) *feedServer {
	t.Helper()
	db := modelstest.Open(t)
	env := map[string]string{"SECRET_KEY": string(modelstest.Secret), "RATE_LIMIT_PER_MINUTE": "0", "BASE_URL": "https://events.example.org"}
	cfg, err := app.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	s := &feedServer{t: t, db: db, tok: cfg.Tokens(), client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	// A fixed day: the demo data and every row's times follow the clock the
	// test passes in, whatever day it runs.
	start := testNow
	s.now.Store(start.UnixNano())
	if _, err := models.Seed(db.DB, s.tok, start); err != nil {
		t.Fatal(err)
	}
	s.app, err = app.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)), app.WithClock(s.clock))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.app.Fiber.Listener(ln) }()
	t.Cleanup(func() { _ = s.app.Fiber.Shutdown() })
	s.url = "http://" + ln.Addr().String()
	return s
}

func (s *feedServer) clock() time.Time { return time.Unix(0, s.now.Load()).UTC() }

func (s *feedServer) advance(d time.Duration) { s.now.Add(int64(d)) }

// fetch sends a request with the given headers (name, value, …).
func (s *feedServer) fetch(method, path string, headers ...string) (*http.Response, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	r, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return r, b
}

// feedPath is the path of a registration's own private feed.
func (s *feedServer) feedPath(r *models.Registration) string {
	return "/me/" + s.tok.FeedToken(r) + ".ics"
}

// registration finds a seeded registration of an event.
func (s *feedServer) registration(slug, status, attendance string) *models.Registration {
	s.t.Helper()
	var r models.Registration
	err := s.db.Joins("JOIN events ON events.id = registrations.event_id").
		Where("events.slug = ? AND registrations.status = ? AND registrations.attendance = ?", slug, status, attendance).
		Order("registrations.id").Take(&r).Error
	if err != nil {
		s.t.Fatalf("no %s %s registration for %s: %v", status, attendance, slug, err)
	}
	return &r
}

// publicFeed is one public feed and the events it must show.
type publicFeed struct {
	path string
	want []models.Event
}

func (s *feedServer) publicFeeds() []publicFeed {
	s.t.Helper()
	since := s.clock().Add(-30 * 24 * time.Hour)
	list := func(f models.EventFilter) []models.Event {
		f.From, f.CancelledSince = &since, &since
		evs, err := models.ListEvents(s.db.Read, f)
		if err != nil {
			s.t.Fatal(err)
		}
		return evs
	}
	out := []publicFeed{{"/calendar.ics", list(models.EventFilter{})}}
	for _, k := range models.Kinds {
		out = append(out, publicFeed{"/calendar/" + k + ".ics", list(models.EventFilter{Kind: k})})
	}
	var orgs []models.Organisation
	s.db.Order("id").Find(&orgs)
	for _, o := range orgs {
		out = append(out, publicFeed{"/organisations/" + o.Slug + ".ics", list(models.EventFilter{Organisation: o.Slug})})
	}
	var series []models.Series
	s.db.Order("id").Find(&series)
	for _, se := range series {
		out = append(out, publicFeed{"/series/" + se.Slug + ".ics", list(models.EventFilter{Series: se.Slug})})
	}
	var evs []models.Event
	s.db.Where("status <> ?", models.StatusDraft).Order("id").Find(&evs)
	for _, ev := range evs {
		out = append(out, publicFeed{"/events/" + ev.Slug + ".ics", []models.Event{ev}})
	}
	return out
}

// checkFeedAnswer checks the headers of a 200 feed answer and lints it.
func checkFeedAnswer(t *testing.T, r *http.Response, body []byte, private bool) *feedstest.Component {
	t.Helper()
	if r.StatusCode != 200 {
		t.Fatalf("status %d\n%s", r.StatusCode, body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if et := r.Header.Get("ETag"); !regexp.MustCompile(`^"[A-Za-z0-9_-]{16,}"$`).MatchString(et) {
		t.Errorf("ETag %q is not strong", et)
	}
	if _, err := http.ParseTime(r.Header.Get("Last-Modified")); err != nil {
		t.Errorf("Last-Modified %q: %v", r.Header.Get("Last-Modified"), err)
	}
	want := "public, max-age=300"
	if private {
		want = "private, no-store"
	}
	if cc := r.Header.Get("Cache-Control"); cc != want {
		t.Errorf("Cache-Control %q, want %q", cc, want)
	}
	if c := r.Header.Get("Set-Cookie"); c != "" {
		t.Errorf("a feed sets a cookie: %q", c)
	}
	cal, errs := feedstest.Lint(body)
	for _, err := range errs {
		t.Error(err)
	}
	if cal == nil {
		t.FailNow()
	}
	return cal
}

// checkFeedKind checks the calendar properties of a feed to subscribe to
// (a name and refresh hints) or of a file of one event to import (none of
// them: Outlook opens a file with X-WR-CALNAME as a new calendar). Neither
// has a METHOD, which would need an ORGANIZER.
func checkFeedKind(t *testing.T, cal *feedstest.Component, single bool) {
	t.Helper()
	if m := cal.Get("METHOD"); m != "" {
		t.Errorf("METHOD:%s", m)
	}
	for _, name := range []string{"NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"} {
		if has := len(cal.All(name)) > 0; has == single {
			t.Errorf("%s present %v in a %s", name, has, map[bool]string{true: "file of one event", false: "feed to subscribe to"}[single])
		}
	}
}

// TestFeedsRepeatedHour: an event at 01:30 on 31 October 2027 in London,
// the first of the two 01:30s, is read at that instant by ical.js from every
// feed it is in, public and private.
func TestFeedsRepeatedHour(t *testing.T) {
	s := newFeedServer(t)
	start := time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC)
	s.now.Store(start.Add(-7 * 24 * time.Hour).UnixNano())
	ev, err := models.FindEvent(s.db.DB, "public-meeting-hate-crime")
	if err != nil {
		t.Fatal(err)
	}
	end := start.Add(90 * time.Minute)
	ev, err = models.UpdateEvent(s.db.DB, ev.Slug, models.EventInput{StartsAt: &start, EndsAt: &end}, nil, s.clock())
	if err != nil {
		t.Fatal(err)
	}
	res, err := models.Register(s.db.DB, s.tok, ev.ID, models.RegisterInput{Name: "Amira Haddad", Email: "amira@example.org",
		Attendance: models.InPerson, Dietary: "none", Consent: true}, s.clock())
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/events/" + ev.Slug + ".ics", "/calendar.ics", "/calendar/" + ev.Kind + ".ics", s.feedPath(res.Registration)}
	var bodies [][]byte
	for _, p := range paths {
		r, body := s.fetch("GET", p)
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", p, r.StatusCode)
		}
		if !strings.Contains(string(body), "\r\nDTSTART:20271031T003000Z\r\n") {
			t.Errorf("%s: the first 01:30 is not written in UTC", p)
		}
		bodies = append(bodies, body)
	}
	uid := "event-" + itoa(ev.ID) + "@events.example.org"
	for i, p := range feedstest.ICALJS(t, bodies...) {
		found := false
		for _, e := range p.Events {
			if e.UID != uid {
				continue
			}
			found = true
			if e.Start != start.Unix() || e.End != end.Unix() {
				t.Errorf("%s: ical.js reads %v–%v, want %v", paths[i], time.Unix(e.Start, 0).UTC(), time.Unix(e.End, 0).UTC(), start)
			}
		}
		if !found {
			t.Errorf("%s: the event is missing", paths[i])
		}
	}
}

func uids(cal *feedstest.Component) map[string]bool {
	out := map[string]bool{}
	for _, ev := range cal.Sub("VEVENT") {
		out[ev.Get("UID")] = true
	}
	return out
}

func TestFeedsOverHTTP(t *testing.T) {
	s := newFeedServer(t)
	var bodies [][]byte
	var wants [][]models.Event
	feeds := s.publicFeeds()
	for _, f := range feeds {
		t.Run(f.path, func(t *testing.T) {
			r, body := s.fetch("GET", f.path)
			cal := checkFeedAnswer(t, r, body, false)
			for _, err := range feedstest.CheckPublic(cal, body, demoStream, demoPrivateAddress) {
				t.Error(err)
			}
			checkFeedKind(t, cal, strings.HasPrefix(f.path, "/events/"))
			got := uids(cal)
			if len(got) != len(f.want) {
				t.Errorf("%d events, want %d", len(got), len(f.want))
			}
			for _, ev := range f.want {
				if uid := "event-" + itoa(ev.ID) + "@events.example.org"; !got[uid] {
					t.Errorf("lacks %s (%s)", uid, ev.Slug)
				}
			}
			bodies = append(bodies, body)
			wants = append(wants, f.want)
		})
	}
	if len(feeds) < 15 {
		t.Fatalf("only %d public feeds", len(feeds))
	}

	// The demo covers the window: the vigil 40 days ago is gone, the
	// cancelled panel is kept with its status and prefix.
	_, all := s.fetch("GET", "/calendar.ics")
	unfolded := strings.ReplaceAll(string(all), "\r\n ", "")
	for _, want := range []string{"SUMMARY:Cancelled: Panel: Press Freedom in Exile", "STATUS:CANCELLED", "STATUS:TENTATIVE", "CATEGORIES:Solidarity iftar"} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("/calendar.ics lacks %q", want)
		}
	}
	if strings.Contains(unfolded, "Vigil for Refugees") {
		t.Error("/calendar.ics shows an event that ended 40 days ago")
	}

	// Private feeds: the registration's own details, and nobody else's.
	online := s.registration("hmd-interfaith-memorial", models.RegConfirmed, models.Online)
	inPerson := s.registration("solidarity-iftar", models.RegConfirmed, models.InPerson)
	waiting := s.registration("week-of-action-bystander-workshop", models.RegWaitlisted, models.InPerson)
	for _, slug := range []string{"public-meeting-hate-crime", "hmd-interfaith-memorial", "livestream-voices-of-uyghur-women"} {
		ev, err := models.FindEvent(s.db.DB, slug)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.Register(s.db.DB, s.tok, ev.ID, models.RegisterInput{Name: "Amira Haddad", Email: "amira@example.org",
			Attendance: ev.Modes()[len(ev.Modes())-1], Dietary: "none", Consent: true}, s.clock()); err != nil {
			t.Fatal(err)
		}
	}
	attendee, err := models.AttendeeFeedToken(s.db.DB, s.tok, "amira@example.org", s.clock())
	if err != nil {
		t.Fatal(err)
	}
	privates := []struct {
		name, path string
		events     int
		want, not  []string
	}{
		{"confirmed online", s.feedPath(online), 1,
			[]string{demoStream + "/live/hmd", "CONFERENCE;", "BEGIN:VALARM", "CLASS:PRIVATE", "STATUS:CONFIRMED"}, []string{"SUMMARY:Waitlist"}},
		{"confirmed in person", s.feedPath(inPerson), 1, []string{demoPrivateAddress, "BEGIN:VALARM"}, []string{demoStream}},
		{"waitlisted", s.feedPath(waiting), 1, []string{"SUMMARY:Waitlist: Week of Action", "STATUS:TENTATIVE"}, []string{"BEGIN:VALARM"}},
		{"attendee, by mail only", "/me/" + attendee + ".ics", 3, []string{demoStream + "/live/", "Public Meeting"}, []string{"Solidarity Iftar"}},
	}
	for _, p := range privates {
		t.Run("private/"+p.name, func(t *testing.T) {
			r, body := s.fetch("GET", p.path)
			cal := checkFeedAnswer(t, r, body, true)
			checkFeedKind(t, cal, false)
			if n := len(cal.Sub("VEVENT")); n != p.events {
				t.Errorf("%d events, want %d", n, p.events)
			}
			unfolded := strings.ReplaceAll(string(body), "\r\n ", "")
			for _, w := range p.want {
				if !strings.Contains(unfolded, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, n := range p.not {
				if strings.Contains(unfolded, n) {
					t.Errorf("must not contain %q", n)
				}
			}
			if r.Header.Get("X-Robots-Tag") != "noindex" {
				t.Error("private feed may be indexed")
			}
			bodies = append(bodies, body)
			wants = append(wants, nil)
		})
	}

	// ical.js reads every feed, with every time where Go has it.
	t.Run("ical.js", func(t *testing.T) {
		for i, p := range feedstest.ICALJS(t, bodies...) {
			for _, e := range p.Events {
				if e.StartZone == "floating" || e.StartZone == "" {
					t.Errorf("%s: %s has a floating time", p.Name, e.UID)
				}
			}
			if wants[i] == nil {
				continue
			}
			if len(p.Events) != len(wants[i]) {
				t.Errorf("%s: ical.js read %d events, want %d", p.Name, len(p.Events), len(wants[i]))
				continue
			}
			byUID := map[string]feedstest.Event{}
			for _, e := range p.Events {
				byUID[e.UID] = e
			}
			for _, ev := range wants[i] {
				e := byUID["event-"+itoa(ev.ID)+"@events.example.org"]
				if e.Start != ev.StartsAt.Unix() || e.End != ev.EndsAt.Unix() || e.Sequence != ev.Sequence {
					t.Errorf("%s: %s read as %d–%d seq %d, want %d–%d seq %d", p.Name, ev.Slug, e.Start, e.End, e.Sequence,
						ev.StartsAt.Unix(), ev.EndsAt.Unix(), ev.Sequence)
				}
			}
		}
	})
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

func TestFeedConditionalRequests(t *testing.T) {
	s := newFeedServer(t)
	r, body := s.fetch("GET", "/calendar.ics")
	checkFeedAnswer(t, r, body, false)
	etag, lastMod := r.Header.Get("ETag"), r.Header.Get("Last-Modified")

	tests := []struct {
		name    string
		method  string
		headers []string
		status  int
		body    bool
	}{
		{"If-None-Match", "GET", []string{"If-None-Match", etag}, 304, false},
		{"If-None-Match, weak form", "GET", []string{"If-None-Match", "W/" + etag}, 304, false},
		{"If-None-Match, one of several", "GET", []string{"If-None-Match", `"other", ` + etag}, 304, false},
		{"If-None-Match, another tag", "GET", []string{"If-None-Match", `"other"`}, 200, true},
		{"If-Modified-Since", "GET", []string{"If-Modified-Since", lastMod}, 304, false},
		{"If-Modified-Since, earlier", "GET", []string{"If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT"}, 200, true},
		{"If-None-Match wins over If-Modified-Since", "GET", []string{"If-None-Match", `"other"`, "If-Modified-Since", lastMod}, 200, true},
		{"HEAD", "HEAD", nil, 200, false},
		{"HEAD, If-None-Match", "HEAD", []string{"If-None-Match", etag}, 304, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b := s.fetch(tt.method, "/calendar.ics", tt.headers...)
			if r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", r.StatusCode, tt.status)
			}
			if got := len(b) > 0; got != tt.body {
				t.Errorf("body of %d bytes", len(b))
			}
			if r.Header.Get("ETag") != etag || r.Header.Get("Cache-Control") != "public, max-age=300" {
				t.Errorf("ETag %q, Cache-Control %q", r.Header.Get("ETag"), r.Header.Get("Cache-Control"))
			}
			if tt.method == "HEAD" && tt.status == 200 && r.ContentLength != int64(len(body)) {
				t.Errorf("HEAD Content-Length %d, want %d", r.ContentLength, len(body))
			}
		})
	}

	// Edits reach the feed: a new title or time bumps SEQUENCE and changes
	// the ETag, and the new ETag answers 304 in turn.
	edits := []struct {
		name string
		in   func(ev *models.Event) models.EventInput
		want string
	}{
		{"title", func(*models.Event) models.EventInput {
			title := "Public Meeting: Standing Together, Whatever Comes"
			return models.EventInput{Title: &title}
		}, `SUMMARY:Public Meeting: Standing Together\, Whatever Comes`},
		{"time", func(ev *models.Event) models.EventInput {
			start, end := ev.StartsAt.Add(time.Hour), ev.EndsAt.Add(time.Hour)
			return models.EventInput{StartsAt: &start, EndsAt: &end}
		}, "DTSTART;TZID=Europe/London:"},
	}
	for _, e := range edits {
		t.Run("edit "+e.name, func(t *testing.T) {
			ev, err := models.FindEvent(s.db.DB, "public-meeting-hate-crime")
			if err != nil {
				t.Fatal(err)
			}
			before, _ := s.fetch("GET", "/events/public-meeting-hate-crime.ics")
			eventETag := before.Header.Get("ETag")
			changed, err := models.UpdateEvent(s.db.DB, ev.Slug, e.in(ev), nil, s.clock())
			if err != nil {
				t.Fatal(err)
			}
			if changed.Sequence != ev.Sequence+1 {
				t.Fatalf("sequence %d after %d", changed.Sequence, ev.Sequence)
			}
			for _, path := range []string{"/calendar.ics", "/calendar/meeting.ics", "/organisations/open-doors.ics", "/events/public-meeting-hate-crime.ics"} {
				inm := etag
				if path == "/events/public-meeting-hate-crime.ics" {
					inm = eventETag
				}
				r, b := s.fetch("GET", path, "If-None-Match", inm)
				cal := checkFeedAnswer(t, r, b, false)
				var vev *feedstest.Component
				for _, v := range cal.Sub("VEVENT") {
					if v.Get("UID") == "event-"+itoa(ev.ID)+"@events.example.org" {
						vev = v
					}
				}
				if vev == nil {
					t.Fatalf("%s lacks the event", path)
				}
				if vev.Get("SEQUENCE") != itoa(uint(changed.Sequence)) {
					t.Errorf("%s: SEQUENCE %s, want %d", path, vev.Get("SEQUENCE"), changed.Sequence)
				}
				start, err := feedstest.Instant(cal, vev.All("DTSTART")[0])
				if err != nil || !start.Equal(changed.StartsAt) {
					t.Errorf("%s: DTSTART %v (%v), want %v", path, start, err, changed.StartsAt)
				}
				if !strings.Contains(strings.ReplaceAll(string(b), "\r\n ", ""), e.want) {
					t.Errorf("%s lacks %q", path, e.want)
				}
				if path == "/calendar.ics" {
					etag = r.Header.Get("ETag")
					if r2, _ := s.fetch("GET", path, "If-None-Match", etag); r2.StatusCode != 304 {
						t.Errorf("repeat with the new ETag: %d", r2.StatusCode)
					}
				}
			}
		})
	}

	// A change the fingerprint cannot see (an UPDATE that leaves updated_at
	// alone) is in the feed within five minutes.
	if err := s.db.Exec("UPDATE events SET title = ? WHERE slug = ?", "Quietly renamed", "hmd-interfaith-memorial").Error; err != nil {
		t.Fatal(err)
	}
	if _, b := s.fetch("GET", "/calendar.ics"); strings.Contains(string(b), "Quietly renamed") {
		t.Log("the hand-made change showed at once (the fingerprint saw it)")
	}
	s.advance(5*time.Minute + time.Second)
	if _, b := s.fetch("GET", "/calendar.ics"); !strings.Contains(string(b), "Quietly renamed") {
		t.Error("a change the fingerprint cannot see is not in the feed five minutes later")
	}

	// Time passing alone takes events out: 31 days on, the cancelled panel
	// is gone although nothing was changed, and the cached feed knows it.
	_, before := s.fetch("GET", "/calendar.ics")
	s.advance(31 * 24 * time.Hour)
	r, after := s.fetch("GET", "/calendar.ics", "If-None-Match", etag)
	if r.StatusCode != 200 || r.Header.Get("ETag") == etag {
		t.Fatalf("after 31 days: status %d, ETag %s (was %s)", r.StatusCode, r.Header.Get("ETag"), etag)
	}
	if !strings.Contains(string(before), "Press Freedom") || strings.Contains(string(after), "Press Freedom") {
		t.Error("the cancelled event did not leave the feed 30 days after its cancellation")
	}
	lm, _ := http.ParseTime(r.Header.Get("Last-Modified"))
	if lm.Before(s.clock().Add(-time.Second)) {
		t.Errorf("Last-Modified %s after an event left the feed, want about now (%s)", lm, s.clock())
	}
}

func TestFeedErrorsAndRoutes(t *testing.T) {
	s := newFeedServer(t)
	st := models.StatusDraft
	start := s.clock().Add(48 * time.Hour)
	slug, title, kind := "a-draft", "A draft", models.KindMeeting
	if _, err := models.CreateEvent(s.db.DB, models.EventInput{Slug: &slug, Title: &title, Kind: &kind, Status: &st, StartsAt: &start,
		Venue: &models.VenueInput{Name: &title}}, nil, nil, s.clock()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		status int
		ctype  string
	}{
		{"/calendar/bogus.ics", 404, "text/html"},
		{"/calendar/meeting", 404, "text/html"},
		{"/events/nope.ics", 404, "text/html"},
		{"/events/a-draft.ics", 404, "text/html"},
		{"/events/.ics", 404, "text/html"},
		{"/organisations/nope.ics", 404, "text/html"},
		{"/series/nope.ics", 404, "text/html"},
		{"/me/short.ics", 404, "text/html"},
		{"/me/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", 404, "text/html"},
		{"/me/" + strings.Repeat("x", 500) + ".ics", 404, "text/html"},
		{"/events/public-meeting-hate-crime", 200, "text/html"},
		{"/events/week-of-action-opening-rally.ics", 200, "text/calendar"},
		{"/calendar", 200, "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r, b := s.fetch("GET", tt.path)
			if r.StatusCode != tt.status || !strings.HasPrefix(r.Header.Get("Content-Type"), tt.ctype) {
				t.Errorf("%d %s, want %d %s\n%.300s", r.StatusCode, r.Header.Get("Content-Type"), tt.status, tt.ctype, b)
			}
		})
	}
	r, _ := s.fetch("GET", "/events/week-of-action-opening-rally.ics")
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="week-of-action-opening-rally.ics"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	// A second answer, from the cache, says the same.
	r, _ = s.fetch("GET", "/events/week-of-action-opening-rally.ics")
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "week-of-action-opening-rally.ics") {
		t.Errorf("cached Content-Disposition %q", cd)
	}
}

func TestSubscribePages(t *testing.T) {
	s := newFeedServer(t)
	_, page := s.fetch("GET", "/calendar")
	for _, want := range []string{
		"webcal://events.example.org/calendar.ics", "https://events.example.org/calendar.ics",
		"webcal://events.example.org/calendar/iftar.ics", "webcal://events.example.org/calendar/memorial.ics",
		"webcal://events.example.org/organisations/al-noor-mosque.ics", "webcal://events.example.org/series/week-of-action.ics",
		"calendar.google.com/calendar/render?cid=webcal%3A%2F%2Fevents.example.org%2Fcalendar.ics",
		"Google Calendar", "Apple Calendar", "Outlook", "Thunderbird",
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("/calendar lacks %q", want)
		}
	}
	tests := []struct {
		slug      string
		want, not []string
	}{
		{"public-meeting-hate-crime", []string{`href="/events/public-meeting-hate-crime.ics"`, "https://calendar.google.com/calendar/render?action=TEMPLATE",
			"https://outlook.live.com/calendar/0/deeplink/compose?", "173%20Euston%20Road", "ctz=Europe%2FLondon"}, nil},
		{"solidarity-iftar", []string{"action=TEMPLATE", "rru=addevent"}, []string{"Hill%20Rise", "Hill+Rise"}},
		{"panel-on-press-freedom", nil, []string{"action=TEMPLATE", `href="/events/panel-on-press-freedom.ics"`}},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			_, page := s.fetch("GET", "/events/"+tt.slug)
			html := strings.ReplaceAll(string(page), "&amp;", "&")
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("event page lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(html, n) {
					t.Errorf("event page must not contain %q", n)
				}
			}
		})
	}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func TestRotateFeedAddress(t *testing.T) {
	s := newFeedServer(t)
	reg := s.registration("public-meeting-hate-crime", models.RegConfirmed, models.InPerson)
	manage := "/r/" + s.tok.ManageToken(reg)
	oldFeed := s.feedPath(reg)

	r, page := s.fetch("GET", manage)
	if r.StatusCode != 200 || !strings.Contains(string(page), "https://events.example.org"+oldFeed) ||
		!strings.Contains(string(page), "webcal://events.example.org"+oldFeed) {
		t.Fatalf("manage page %d lacks the feed address", r.StatusCode)
	}
	m := csrfField.FindStringSubmatch(string(page))
	var cookie string
	for _, c := range r.Cookies() {
		cookie = c.Name + "=" + c.Value
	}
	if m == nil || cookie == "" {
		t.Fatal("no CSRF token")
	}
	post := func(form url.Values) *http.Response {
		req, _ := http.NewRequest("POST", s.url+manage+"/feed", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", cookie)
		r, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r
	}
	if r := post(url.Values{}); r.StatusCode != 403 {
		t.Errorf("rotation without the CSRF token: %d", r.StatusCode)
	}
	if r, _ := s.fetch("GET", oldFeed); r.StatusCode != 200 {
		t.Fatalf("feed before rotation: %d", r.StatusCode)
	}
	r = post(url.Values{"_csrf": {m[1]}})
	if r.StatusCode != 303 || r.Header.Get("Location") != manage+"?feed=new" {
		t.Fatalf("rotation: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r, _ := s.fetch("GET", oldFeed); r.StatusCode != 404 {
		t.Errorf("old feed address after rotation: %d, want 404", r.StatusCode)
	}
	var fresh models.Registration
	s.db.First(&fresh, reg.ID)
	newFeed := s.feedPath(&fresh)
	if newFeed == oldFeed {
		t.Fatal("feed address unchanged")
	}
	if r, _ := s.fetch("GET", newFeed); r.StatusCode != 200 {
		t.Errorf("new feed address: %d", r.StatusCode)
	}
	_, page = s.fetch("GET", manage+"?feed=new")
	if !strings.Contains(string(page), newFeed) || !strings.Contains(string(page), "has changed") || strings.Contains(string(page), oldFeed) {
		t.Error("manage page does not show the new address and the notice")
	}
	if r, _ := s.fetch("POST", "/r/not-a-real-token-but-long-enough/feed"); r.StatusCode != 403 && r.StatusCode != 404 {
		t.Errorf("rotation with a bad token: %d", r.StatusCode)
	}
}

// TestFeedsConcurrently fetches feeds from several clients while an event
// changes (run with -race): every answer is whole, and afterwards the feed
// shows the last change.
func TestFeedsConcurrently(t *testing.T) {
	s := newFeedServer(t)
	reg := s.registration("hmd-interfaith-memorial", models.RegConfirmed, models.Online)
	paths := []string{"/calendar.ics", "/calendar/meeting.ics", "/organisations/open-doors.ics", "/events/public-meeting-hate-crime.ics", s.feedPath(reg)}
	errs := make(chan error, 64)
	done := make(chan struct{})
	for w := 0; w < 4; w++ {
		go func(w int) {
			defer func() { done <- struct{}{} }()
			etags := map[string]string{}
			for i := 0; i < 25; i++ {
				path := paths[(i+w)%len(paths)]
				req, _ := http.NewRequest("GET", s.url+path, nil)
				if et := etags[path]; et != "" {
					req.Header.Set("If-None-Match", et)
				}
				r, err := s.client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				b, _ := io.ReadAll(r.Body)
				r.Body.Close()
				switch r.StatusCode {
				case 200:
					if _, lintErrs := feedstest.Lint(b); len(lintErrs) > 0 {
						errs <- lintErrs[0]
						return
					}
					etags[path] = r.Header.Get("ETag")
				case 304:
				default:
					errs <- fmt.Errorf("%s: status %d", path, r.StatusCode)
					return
				}
			}
		}(w)
	}
	for i := 0; i < 5; i++ {
		title := fmt.Sprintf("Public Meeting, edition %d", i)
		if _, err := models.UpdateEvent(s.db.DB, "public-meeting-hate-crime", models.EventInput{Title: &title}, nil, s.clock()); err != nil {
			t.Fatal(err)
		}
	}
	for w := 0; w < 4; w++ {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, b := s.fetch("GET", "/calendar.ics")
	if !strings.Contains(string(b), `SUMMARY:Public Meeting\, edition 4`) {
		t.Error("the feed does not show the last change")
	}
}
