package feeds_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	_ "time/tzdata" // the same zone data on every machine

	"convene/feeds"
	"convene/feeds/feedstest"
	"convene/models"
)

func TestEscaping(t *testing.T) {
	tests := []struct {
		name, title, summary string
		host                 string
		wantSummary          string // SUMMARY as written (unfolded)
		wantTitle            string // SUMMARY as read back
		wantInDescription    string // as written
	}{
		{"comma and semicolon", "Bread, salt; water", "", "Open Doors",
			`Bread\, salt\; water`, "Bread, salt; water", ""},
		{"backslash", `C:\ drive \n not a newline`, "", "Open Doors",
			`C:\\ drive \\n not a newline`, `C:\ drive \n not a newline`, ""},
		{"newlines in a title become spaces", "Two\nlines\r\nand\rthree", "", "Open Doors",
			`Two lines and three`, "Two lines and three", ""},
		{"control characters dropped", "Bell\a and\x00 null", "", "Open Doors",
			`Bell and null`, "Bell and null", ""},
		{"white space made single spaces", "  spaced   out\t title ", "", "Open Doors",
			`spaced out title`, "spaced out title", ""},
		{"invalid UTF-8 replaced", "bad \xff byte", "", "Open Doors",
			"bad \uFFFD byte", "bad \uFFFD byte", ""},
		{"newlines in a description kept", "Talk", "First line\r\nsecond line\rthird; last", "Open Doors",
			`Talk`, "Talk", `First line\nsecond line\nthird\; last`},
		{"comma inside a host name stays one category", "Talk", "", "Friends, Families; Neighbours",
			`Talk`, "Talk", `Hosted by Friends\, Families\; Neighbours.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := fixture()[0]
			ev.Title, ev.Summary = tt.title, tt.summary
			ev.Hosts = []models.EventHost{org("h", tt.host)}
			body := feeds.Build(feeds.Meta{Name: "Escapes, \"quoted\"; and \\"}, items([]models.Event{ev}), public())
			cal := lint(t, body)
			if got := cal.Get("NAME"); got != `Escapes\, "quoted"\; and \\` {
				t.Errorf("NAME:%s", got)
			}
			vev := only(t, cal)
			if got := vev.Get("SUMMARY"); got != tt.wantSummary {
				t.Errorf("SUMMARY:%s, want %s", got, tt.wantSummary)
			}
			if got := feedstest.Unescape(vev.Get("SUMMARY")); got != tt.wantTitle {
				t.Errorf("title reads back as %q, want %q", got, tt.wantTitle)
			}
			if !strings.Contains(vev.Get("DESCRIPTION"), tt.wantInDescription) {
				t.Errorf("DESCRIPTION:%s lacks %s", vev.Get("DESCRIPTION"), tt.wantInDescription)
			}
			cats := vev.All("CATEGORIES")
			if len(cats) != 2 || feedstest.Unescape(cats[1].Value) != strings.Join(strings.Fields(tt.host), " ") {
				t.Errorf("CATEGORIES %v, want the kind and %q as two properties", cats, tt.host)
			}
		})
	}
}

func TestFoldingKeepsCharactersWhole(t *testing.T) {
	tests := []struct{ name, title string }{
		{"Uyghur", "ئۇيغۇر ئاياللىرىنىڭ ئاۋازى: گۇۋاھلىق ۋە سۆھبەت، رادىيو بىلەن بىرلىكتە بىۋاسىتە تارقىتىلىدۇ؛ ھەممەيلەن قارشى ئېلىنىدۇ"},
		{"Hebrew", "יום הזיכרון לשואה ולגבורה: טקס בין־דתי משותף של בית הכנסת והמסגד, עם עדויות של ניצולים, תפילות והדלקת נרות"},
		{"Arabic", "إفطار التضامن: نكسر الخبز معاً عند غروب الشمس مع الجيران من كل الأديان ومن لا دين لهم، في قاعة الكنيس الشمالي"},
		{"one long word", strings.Repeat("ئۇيغۇر", 40)},
		{"mixed with emoji", "Vigil 🕯️ for refugees lost at sea — שלום · سلام · ئامانلىق 🕊️ " + strings.Repeat("✡️☪️✝️", 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := fixture()[0]
			ev.Title, ev.Summary = tt.title, tt.title
			body := feeds.Build(feeds.Meta{Name: tt.title}, items([]models.Event{ev}), private())
			cal := lint(t, body) // every line ≤ 75 octets and valid UTF-8 by itself
			vev := only(t, cal)
			if got := feedstest.Unescape(vev.Get("SUMMARY")); got != tt.title {
				t.Errorf("title reads back as %q", got)
			}
			if len("SUMMARY:"+vev.Get("SUMMARY")) <= 75 {
				t.Fatalf("title too short to need folding: the test proves nothing")
			}
			folds := 0
			for _, l := range strings.Split(string(body), "\r\n") {
				if strings.HasPrefix(l, " ") {
					folds++
					if !utf8.ValidString(l) {
						t.Errorf("continuation splits a character: %q", l)
					}
				}
			}
			if folds == 0 {
				t.Error("no folded line")
			}
		})
	}
}

func TestDaylightSavingLondon(t *testing.T) {
	tests := []struct {
		name               string
		start, end         time.Time
		wantStart, wantEnd string // DTSTART and DTEND lines
	}{
		{"across the spring change", utc("2026-03-28 23:00"), utc("2026-03-29 02:00"),
			"DTSTART;TZID=Europe/London:20260328T230000", "DTEND;TZID=Europe/London:20260329T030000"},
		{"across the autumn change", utc("2026-10-24 21:00"), utc("2026-10-25 08:00"),
			"DTSTART;TZID=Europe/London:20261024T220000", "DTEND;TZID=Europe/London:20261025T080000"},
		// Parsers read a local time of the repeated hour as its second
		// occurrence, whatever RFC 5545 says: both are written in UTC.
		{"the first 01:30 of the repeated hour is UTC", utc("2026-10-25 00:30"), utc("2026-10-25 03:00"),
			"DTSTART:20261025T003000Z", "DTEND;TZID=Europe/London:20261025T030000"},
		{"the second 01:30 of the repeated hour is UTC", utc("2026-10-25 01:30"), utc("2026-10-25 03:00"),
			"DTSTART:20261025T013000Z", "DTEND;TZID=Europe/London:20261025T030000"},
		{"01:30 on 31 October 2027, first occurrence", utc("2027-10-31 00:30"), utc("2027-10-31 01:15"),
			"DTSTART:20271031T003000Z", "DTEND:20271031T011500Z"},
		{"just before and after the repeated hour are local", utc("2027-10-30 23:59"), utc("2027-10-31 02:00"),
			"DTSTART;TZID=Europe/London:20271031T005900", "DTEND;TZID=Europe/London:20271031T020000"},
	}
	var bodies [][]byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := fixture()[0]
			ev.StartsAt, ev.EndsAt = tt.start, tt.end
			body := feeds.Build(feeds.Meta{Name: "DST"}, items([]models.Event{ev}), public())
			bodies = append(bodies, body)
			cal := lint(t, body)
			for _, want := range []string{tt.wantStart, tt.wantEnd} {
				if !bytes.Contains(body, []byte("\r\n"+want+"\r\n")) {
					t.Errorf("no line %s in\n%s", want, body)
				}
			}
			zones := cal.Sub("VTIMEZONE")
			if len(zones) != 1 || zones[0].Get("TZID") != "Europe/London" {
				t.Fatalf("VTIMEZONEs %v", zones)
			}
			offsets := map[string]string{}
			for _, o := range zones[0].Children {
				offsets[o.Name+" "+o.Get("TZOFFSETTO")] = o.Get("TZNAME")
			}
			if offsets["STANDARD +0000"] != "GMT" || offsets["DAYLIGHT +0100"] != "BST" {
				t.Errorf("observances %v, want STANDARD +0000 GMT and DAYLIGHT +0100 BST", offsets)
			}
			vev := only(t, cal)
			for prop, want := range map[string]time.Time{"DTSTART": tt.start, "DTEND": tt.end} {
				got, err := feedstest.Instant(cal, vev.All(prop)[0])
				if err != nil || !got.Equal(want) {
					t.Errorf("%s reads as %v (%v), want %v", prop, got, err, want)
				}
			}
		})
	}
	for i, p := range feedstest.ICALJS(t, bodies...) {
		tt := tests[i]
		if len(p.Events) != 1 || p.Events[0].Start != tt.start.Unix() || p.Events[0].End != tt.end.Unix() {
			t.Errorf("%s: ical.js reads %+v, want %d–%d", tt.name, p.Events, tt.start.Unix(), tt.end.Unix())
		}
	}
}

// zoneEvents is an event at 19:00 local on the 1st and 15th of every month
// of 2026 to 2028, one every two hours for a day either side of each change
// and one every quarter of an hour for three hours either side.
func zoneEvents(tz string) []models.Event {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		panic(err)
	}
	var evs []models.Event
	add := func(start time.Time) {
		ev := fixture()[0]
		ev.ID = uint(len(evs) + 1)
		ev.Timezone = tz
		ev.StartsAt, ev.EndsAt = start.UTC(), start.Add(90*time.Minute).UTC()
		evs = append(evs, ev)
	}
	for y := 2026; y <= 2028; y++ {
		for m := time.January; m <= time.December; m++ {
			add(time.Date(y, m, 1, 19, 0, 0, 0, loc))
			add(time.Date(y, m, 15, 19, 0, 0, 0, loc))
		}
	}
	for _, tr := range feeds.Transitions(loc, time.Date(2026, 1, 1, 0, 0, 0, 0, loc), time.Date(2029, 1, 1, 0, 0, 0, 0, loc)) {
		for h := -26; h <= 26; h += 2 {
			add(tr.At.Add(time.Duration(h)*time.Hour + 30*time.Minute))
		}
		// Every quarter of an hour from three hours before to three after,
		// so both occurrences of a repeated local time are there.
		for m := -180; m <= 180; m += 15 {
			add(tr.At.Add(time.Duration(m) * time.Minute))
		}
	}
	return evs
}

var zones = []string{
	"Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo",
	"Africa/Casablanca", "Pacific/Chatham", "America/St_Johns", "Asia/Kathmandu", "Etc/GMT+5", "Asia/Jerusalem",
}

// TestVTimezoneGivesGoTimes reads every DTSTART and DTEND back through the
// generated VTIMEZONE and compares with Go's instants.
func TestVTimezoneGivesGoTimes(t *testing.T) {
	for _, tz := range zones {
		t.Run(tz, func(t *testing.T) {
			evs := zoneEvents(tz)
			body := feeds.Build(feeds.Meta{Name: tz}, items(evs), public())
			cal := lint(t, body)
			if n := len(cal.Sub("VTIMEZONE")); n != 1 {
				t.Fatalf("%d VTIMEZONEs", n)
			}
			for i, vev := range cal.Sub("VEVENT") {
				for prop, want := range map[string]time.Time{"DTSTART": evs[i].StartsAt, "DTEND": evs[i].EndsAt} {
					got, err := feedstest.Instant(cal, vev.All(prop)[0])
					if err != nil || !got.Equal(want) {
						t.Errorf("%s %s reads as %v (%v), want %v", vev.Get("UID"), vev.Get(prop), got, err, want)
					}
				}
			}
		})
	}
}

func TestUTCEventsHaveNoTimezone(t *testing.T) {
	ev := fixture()[7]
	body := feeds.Build(feeds.Meta{Name: "UTC"}, items([]models.Event{ev}), public())
	cal := lint(t, body)
	if n := len(cal.Sub("VTIMEZONE")); n != 0 {
		t.Errorf("%d VTIMEZONEs for a UTC event", n)
	}
	if got := only(t, cal).Get("DTSTART"); got != "20261201T120000Z" {
		t.Errorf("DTSTART:%s", got)
	}
}

func TestTransitions(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	trs := feeds.Transitions(london, utc("2026-01-01 00:00"), utc("2027-01-01 00:00"))
	want := []feeds.Transition{
		{At: utc("2025-10-26 01:00"), From: 3600, To: 0, Name: "GMT"},
		{At: utc("2026-03-29 01:00"), From: 0, To: 3600, Name: "BST", DST: true},
		{At: utc("2026-10-25 01:00"), From: 3600, To: 0, Name: "GMT"},
	}
	if len(trs) != len(want) {
		t.Fatalf("transitions %+v", trs)
	}
	for i := range want {
		if !trs[i].At.Equal(want[i].At) || trs[i].From != want[i].From || trs[i].To != want[i].To || trs[i].Name != want[i].Name || trs[i].DST != want[i].DST {
			t.Errorf("transition %d = %+v, want %+v", i, trs[i], want[i])
		}
	}
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	if trs := feeds.Transitions(kolkata, utc("2026-01-01 00:00"), utc("2030-01-01 00:00")); len(trs) != 1 || trs[0].To != 19800 {
		t.Errorf("Kolkata: %+v, want only the change that brought in +0530", trs)
	}
}

func TestStatuses(t *testing.T) {
	ev := func(status string, tentative bool) models.Event {
		e := fixture()[0]
		e.Status, e.Tentative = status, tentative
		return e
	}
	reg := func(status string) *models.Registration {
		return &models.Registration{Status: status, Attendance: models.InPerson, UpdatedAt: utc("2026-09-02 10:00")}
	}
	tests := []struct {
		name        string
		ev          models.Event
		reg         *models.Registration
		wantStatus  string
		wantSummary string
		wantAlarm   bool
	}{
		{"published", ev(models.StatusPublished, false), nil, "CONFIRMED", `Public Meeting: Standing Together\, Against Hate\; Always`, false},
		{"date not final", ev(models.StatusPublished, true), nil, "TENTATIVE", `Public Meeting: Standing Together\, Against Hate\; Always`, false},
		{"postponed", ev(models.StatusPostponed, true), nil, "TENTATIVE", `Postponed: Public Meeting: Standing Together\, Against Hate\; Always`, false},
		{"cancelled", ev(models.StatusCancelled, false), nil, "CANCELLED", `Cancelled: Public Meeting: Standing Together\, Against Hate\; Always`, false},
		{"private, confirmed", ev(models.StatusPublished, false), reg(models.RegConfirmed), "CONFIRMED", `Public Meeting: Standing Together\, Against Hate\; Always`, true},
		{"private, waitlisted", ev(models.StatusPublished, false), reg(models.RegWaitlisted), "TENTATIVE", `Waitlist: Public Meeting: Standing Together\, Against Hate\; Always`, false},
		{"private, confirmed, event cancelled", ev(models.StatusCancelled, false), reg(models.RegConfirmed), "CANCELLED", `Cancelled: Public Meeting: Standing Together\, Against Hate\; Always`, false},
		{"private, confirmed, postponed: no reminder", ev(models.StatusPostponed, true), reg(models.RegConfirmed), "TENTATIVE", `Postponed: Public Meeting: Standing Together\, Against Hate\; Always`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := public()
			if tt.reg != nil {
				opts = private()
			}
			cal := lint(t, feeds.Build(feeds.Meta{Name: "x"}, []feeds.Item{{Event: &tt.ev, Registration: tt.reg}}, opts))
			vev := only(t, cal)
			if got := vev.Get("STATUS"); got != tt.wantStatus {
				t.Errorf("STATUS:%s, want %s", got, tt.wantStatus)
			}
			if got := vev.Get("SUMMARY"); got != tt.wantSummary {
				t.Errorf("SUMMARY:%s, want %s", got, tt.wantSummary)
			}
			if got := len(vev.Sub("VALARM")) == 1; got != tt.wantAlarm {
				t.Errorf("alarm %v, want %v", got, tt.wantAlarm)
			}
			if got := vev.Get("SEQUENCE"); got != "2" {
				t.Errorf("SEQUENCE:%s, want the event's 2", got)
			}
		})
	}
}

// TestTransparency: a cancelled event is free time in every kind of file;
// otherwise a private feed and a file of one event are busy time and a
// public feed of many events free time.
func TestTransparency(t *testing.T) {
	reg := &models.Registration{Status: models.RegConfirmed, Attendance: models.InPerson}
	single := feeds.Options{BaseURL: baseURL, Single: true}
	privateSingle := feeds.Options{BaseURL: baseURL, Private: true, Single: true}
	for _, tt := range []struct {
		name string
		opts feeds.Options
		reg  *models.Registration
		want map[string]string // event status → TRANSP
	}{
		{"public feed", public(), nil, map[string]string{models.StatusPublished: "TRANSPARENT", models.StatusPostponed: "TRANSPARENT", models.StatusCancelled: "TRANSPARENT"}},
		{"one event", single, nil, map[string]string{models.StatusPublished: "OPAQUE", models.StatusPostponed: "OPAQUE", models.StatusCancelled: "TRANSPARENT"}},
		{"private feed", private(), reg, map[string]string{models.StatusPublished: "OPAQUE", models.StatusPostponed: "OPAQUE", models.StatusCancelled: "TRANSPARENT"}},
		{"private file of one event", privateSingle, reg, map[string]string{models.StatusPublished: "OPAQUE", models.StatusPostponed: "OPAQUE", models.StatusCancelled: "TRANSPARENT"}},
	} {
		for status, want := range tt.want {
			t.Run(tt.name+"/"+status, func(t *testing.T) {
				ev := fixture()[0]
				ev.Status = status
				vev := only(t, lint(t, feeds.Build(feeds.Meta{Name: "x"}, []feeds.Item{{Event: &ev, Registration: tt.reg}}, tt.opts)))
				if got := vev.Get("TRANSP"); got != want {
					t.Errorf("TRANSP:%s, want %s", got, want)
				}
			})
		}
	}
}

func TestPrivateDetails(t *testing.T) {
	iftar, stream := fixture()[1], fixture()[3] // registrants-only address; hybrid with a stream
	confirmed := func(mode string) *models.Registration {
		return &models.Registration{Status: models.RegConfirmed, Attendance: mode, Guests: 1}
	}
	waitlisted := &models.Registration{Status: models.RegWaitlisted, Attendance: models.InPerson}
	tests := []struct {
		name       string
		ev         models.Event
		reg        *models.Registration
		opts       feeds.Options
		want, not  []string // unfolded text of the VEVENT
		wantGeo    bool
		conference bool
	}{
		{"public: no private address", iftar, nil, public(),
			[]string{"Where: Northside Synagogue Hall (the address is sent to registered guests)", "CLASS:PUBLIC", "TRANSP:TRANSPARENT"},
			[]string{"Hill Rise", "LOCATION", "GEO"}, false, false},
		{"public: a registration given to a public feed is ignored", iftar, confirmed(models.InPerson), public(),
			nil, []string{"Hill Rise", "GEO", "Your registration", "VALARM"}, false, false},
		{"public: no stream", stream, nil, public(),
			[]string{"LOCATION:St Mary's Church\\, Upper Street\\, London N1 2TX", "Online: the link is sent to registered guests."},
			[]string{"stream.example.org", "CONFERENCE"}, true, false},
		{"single event: busy time, still no stream", stream, nil, feeds.Options{BaseURL: baseURL, Single: true},
			[]string{"TRANSP:OPAQUE"}, []string{"stream.example.org", "CONFERENCE"}, true, false},
		{"private, confirmed in person: address", iftar, confirmed(models.InPerson), private(),
			[]string{"LOCATION:Northside Synagogue Hall\\, 12 Hill Rise\\, London N8 7QP", "Your registration is confirmed: 2 places.", "CLASS:PRIVATE", "TRANSP:OPAQUE", "TRIGGER:-PT1H"},
			nil, true, false},
		{"private, waitlisted: no address", iftar, waitlisted, private(),
			[]string{"You are on the waitlist (1 place)", "the address is shown once your place is confirmed"},
			[]string{"Hill Rise", "GEO", "VALARM"}, false, false},
		{"private, confirmed online: stream", stream, confirmed(models.Online), private(),
			[]string{"CONFERENCE;FEATURE=AUDIO,VIDEO;LABEL=Livestream;VALUE=URI:" + "https://stream.example.org/live/voices?key=a;b,c",
				"Join online: https://stream.example.org/live/voices?key=a\\;b\\,c", "LOCATION:https://stream.example.org", "2 places\\, online"},
			[]string{"Where:", "GEO"}, false, true},
		{"private, confirmed in person at a hybrid event: no stream", stream, confirmed(models.InPerson), private(),
			[]string{"Where: St Mary's Church"}, []string{"stream.example.org", "CONFERENCE"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := feeds.Build(feeds.Meta{Name: "x"}, []feeds.Item{{Event: &tt.ev, Registration: tt.reg}}, tt.opts)
			cal := lint(t, body)
			vev := only(t, cal)
			unfolded := strings.ReplaceAll(string(body), "\r\n ", "")
			for _, w := range tt.want {
				if !strings.Contains(unfolded, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(unfolded, n) {
					t.Errorf("must not contain %q", n)
				}
			}
			if got := vev.Get("GEO") != ""; got != tt.wantGeo {
				t.Errorf("GEO %q, want present %v", vev.Get("GEO"), tt.wantGeo)
			}
			if got := len(vev.All("CONFERENCE")) == 1; got != tt.conference {
				t.Errorf("CONFERENCE present %v, want %v", got, tt.conference)
			}
			if !tt.opts.Private {
				for _, err := range feedstest.CheckPublic(cal, body, "stream.example.org", "Hill Rise") {
					t.Error(err)
				}
			}
		})
	}
}

func TestByteStableAndDated(t *testing.T) {
	evs := fixture()
	a := feeds.Build(feeds.Meta{Name: "All"}, items(evs), public())
	b := feeds.Build(feeds.Meta{Name: "All"}, items(fixture()), public())
	if !bytes.Equal(a, b) {
		t.Fatal("two builds of the same events differ")
	}
	cal := lint(t, a)
	for i, vev := range cal.Sub("VEVENT") {
		want := evs[i].UpdatedAt.UTC().Format("20060102T150405Z")
		if vev.Get("DTSTAMP") != want || vev.Get("LAST-MODIFIED") != want {
			t.Errorf("%s: DTSTAMP %s, LAST-MODIFIED %s, want both %s", vev.Get("UID"), vev.Get("DTSTAMP"), vev.Get("LAST-MODIFIED"), want)
		}
		if want := feeds.UID(&evs[i], "events.example.org"); vev.Get("UID") != want {
			t.Errorf("UID %s, want %s", vev.Get("UID"), want)
		}
	}
	// A private feed dates an event by its registration's change too.
	reg := &models.Registration{Status: models.RegConfirmed, Attendance: models.InPerson, UpdatedAt: utc("2026-10-01 08:00")}
	vev := only(t, lint(t, feeds.Build(feeds.Meta{Name: "Me"}, []feeds.Item{{Event: &evs[0], Registration: reg}}, private())))
	if vev.Get("DTSTAMP") != "20261001T080000Z" {
		t.Errorf("private DTSTAMP %s, want the registration's later change", vev.Get("DTSTAMP"))
	}
}

// TestCalendarProperties: a feed to subscribe to is named and says how often
// to refresh, with no METHOD; a file of one event to import says none of
// that (Outlook opens a file with X-WR-CALNAME as a new calendar, and an
// iTIP METHOD:PUBLISH needs an ORGANIZER).
func TestCalendarProperties(t *testing.T) {
	meta := feeds.Meta{Name: "Week of Action", Description: "Talks, workshops and vigils.", URL: baseURL + "/series/week"}
	body := feeds.Build(meta, items(fixture()[4:6]), public())
	cal := lint(t, body)
	for prop, want := range map[string]string{
		"PRODID": feeds.ProductID, "VERSION": "2.0", "CALSCALE": "GREGORIAN", "METHOD": "",
		"NAME": "Week of Action", "X-WR-CALNAME": "Week of Action", "X-PUBLISHED-TTL": "PT1H",
		"DESCRIPTION": `Talks\, workshops and vigils.`, "X-WR-CALDESC": `Talks\, workshops and vigils.`, "URL": baseURL + "/series/week",
	} {
		if got := cal.Get(prop); got != want {
			t.Errorf("%s:%s, want %s", prop, got, want)
		}
	}
	ri := cal.All("REFRESH-INTERVAL")
	if len(ri) != 1 || ri[0].Params["VALUE"] != "DURATION" || ri[0].Value != "PT1H" {
		t.Errorf("REFRESH-INTERVAL %+v", ri)
	}
	if !strings.HasPrefix(string(body), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") {
		t.Errorf("feed starts %q", string(body)[:40])
	}

	for _, opts := range []feeds.Options{{BaseURL: baseURL, Single: true}, {BaseURL: baseURL, Single: true, Private: true}} {
		ev := fixture()[4]
		reg := &models.Registration{Status: models.RegConfirmed, Attendance: models.InPerson}
		file := lint(t, feeds.Build(meta, []feeds.Item{{Event: &ev, Registration: reg}}, opts))
		var props []string
		for _, p := range file.Props {
			props = append(props, p.Name)
		}
		if got := strings.Join(props, " "); got != "VERSION PRODID CALSCALE" {
			t.Errorf("file of one event (private %v): calendar properties %s, want VERSION PRODID CALSCALE only", opts.Private, got)
		}
	}
}
