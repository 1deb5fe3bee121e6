package app

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"convene/models"
)

// The Reserved places tab: add, see the link and how the community is
// doing, mail the link, change, release and remove, with refusals that say
// the counts; the attendees page and the CSV split by community.
func TestReservedPlacesTab(t *testing.T) {
	f := newFixture(t, nil)
	ten := 10
	if _, err := models.SetCapacity(f.db.DB, f.ev.ID, models.InPerson, &ten, nil, f.now); err != nil {
		t.Fatal(err)
	}
	post := func(form url.Values) (int, string) {
		res := f.do(request{method: "POST", path: "/admin/events/iftar/allocations", role: roleOrganiser, form: form})
		return res.StatusCode, readBody(t, res)
	}
	page := func(role string) string {
		res := f.do(request{method: "GET", path: "/admin/events/iftar/allocations", role: role})
		if res.StatusCode != 200 {
			t.Fatalf("tab as %s: %d", role, res.StatusCode)
		}
		return readBody(t, res)
	}
	// Bad input: the form again, as typed, with the message beside the field.
	for _, c := range []struct {
		name string
		form url.Values
		says string
	}{
		{"no label", url.Values{"label": {""}, "places": {"2"}}, "Enter who the places are for"},
		{"places not a number", url.Values{"label": {"Synagogue"}, "places": {"two"}}, "whole number"},
		{"more than is free", url.Values{"label": {"Synagogue"}, "places": {"9"}}, "Only 6 more in-person places are free"},
		{"bad time", url.Values{"label": {"Synagogue"}, "places": {"2"}, "release_at": {"soon"}}, "Enter a date and time"},
		{"bad contact", url.Values{"label": {"Synagogue"}, "places": {"2"}, "contact_email": {"rabbi"}}, "correct format"},
		{"unknown organisation", url.Values{"label": {"Synagogue"}, "places": {"2"}, "organisation": {"nowhere"}}, "no organisation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.form.Set("action", "save")
			status, body := post(c.form)
			if status != 422 || !strings.Contains(body, c.says) || (c.form.Get("label") != "" && !strings.Contains(body, `value="`+c.form.Get("label")+`"`)) {
				t.Fatalf("%d: want 422 saying %q with the form as typed", status, c.says)
			}
		})
	}
	status, _ := post(url.Values{"action": {"save"}, "label": {"Finchley Synagogue"}, "places": {"4"}, "organisation": {"open-doors"},
		"release_at": {"2026-11-10T12:00"}, "contact_email": {"rabbi@example.org"}})
	if status != 303 {
		t.Fatalf("add: %d", status)
	}
	allocs, _ := models.EventAllocations(f.db.DB, f.ev.ID)
	if len(allocs) != 1 || allocs[0].ReleaseAt == nil || allocs[0].ReleaseAt.UTC().Format("15:04") != "12:00" {
		t.Fatalf("stored %+v", allocs)
	}
	al := allocs[0]
	link := "http://convene.test/events/iftar?code=" + f.app.tok.AllocationCode(&al)
	body := page(roleOrganiser)
	for _, want := range []string{"Finchley Synagogue", link, "your community", "4 places: 0 taken, 4 free", "Email the link to rabbi@example.org", "Release now"} {
		if !strings.Contains(body, want) {
			t.Errorf("tab lacks %q", want)
		}
	}
	// An admin sees it too, without "your community".
	if strings.Contains(page(roleAdmin), "your community") {
		t.Error("an admin is told the community is theirs")
	}
	// Mail the link: one outbox row to the contact, no registration.
	if status, _ := post(url.Values{"action": {"mail"}, "id": {itoa(al.ID)}}); status != 303 {
		t.Fatalf("mail: %d", status)
	}
	var mail models.OutboxMail
	if err := f.db.Where("kind = ?", models.MailAllocation).Take(&mail).Error; err != nil || mail.To != "rabbi@example.org" || mail.RegistrationID != nil {
		t.Fatalf("allocation mail %+v %v", mail, err)
	}
	// Two come through the link, with a dietary choice each.
	for _, who := range []string{"dina", "eli"} {
		in := models.RegisterInput{Name: who, Email: who + "@example.org", Attendance: models.InPerson, Consent: true, Dietary: "kosher", AllocationID: &al.ID}
		if _, err := models.Register(f.db.DB, f.app.tok, f.ev.ID, in, f.now); err != nil {
			t.Fatal(err)
		}
	}
	// Fewer places than taken: refused with the count.
	if status, body := post(url.Values{"action": {"save"}, "id": {itoa(al.ID)}, "label": {"Finchley Synagogue"}, "places": {"1"}}); status != 422 || !strings.Contains(body, "2 places of this allocation are confirmed") {
		t.Fatalf("below taken: %d", status)
	}
	// Removing a used allocation: refused, with the count.
	if status, body := post(url.Values{"action": {"remove"}, "id": {itoa(al.ID)}}); status != 409 || !strings.Contains(body, "2 registrations came through") {
		t.Fatalf("remove used: %d", status)
	}
	// The attendees page and the CSV split by community.
	res := f.do(request{method: "GET", path: "/admin/events/iftar/attendees", role: roleOrganiser})
	att := readBody(t, res)
	if !strings.Contains(att, "By community") || !strings.Contains(att, "2 of 4") || !strings.Contains(att, "2 Kosher") {
		t.Fatal("attendees page not split by community")
	}
	res = f.do(request{method: "GET", path: "/admin/events/iftar/registrations.csv", role: roleOrganiser})
	raw := []byte(readBody(t, res))
	rows, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "allocation" {
			col = i
		}
	}
	through := 0
	for _, r := range rows[1:] {
		if col >= 0 && r[col] == "Finchley Synagogue" {
			through++
		}
	}
	if col < 0 || through != 2 {
		t.Fatalf("CSV column allocation at %d, %d rows through the community", col, through)
	}
	// Release now: the places nobody took open to everyone.
	if status, _ := post(url.Values{"action": {"release"}, "id": {itoa(al.ID)}}); status != 303 {
		t.Fatalf("release: %d", status)
	}
	ev, _ := models.EventByID(f.db.DB, f.ev.ID)
	if ev.Reserved != 0 || !strings.Contains(page(roleOrganiser), "released") {
		t.Fatalf("after release: reserved %d", ev.Reserved)
	}
	// An unused allocation can be removed.
	post(url.Values{"action": {"save"}, "label": {"Church"}, "places": {"1"}})
	allocs, _ = models.EventAllocations(f.db.DB, f.ev.ID)
	if status, _ := post(url.Values{"action": {"remove"}, "id": {itoa(allocs[1].ID)}}); status != 303 {
		t.Fatalf("remove unused: %d", status)
	}
	// Another event's allocation, or none: not found.
	if status, _ := post(url.Values{"action": {"release"}, "id": {"999"}}); status != 404 {
		t.Fatalf("unknown allocation: %d", status)
	}
	if status, _ := post(url.Values{"action": {"explode"}}); status != 400 {
		t.Fatalf("unknown action: %d", status)
	}
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

// An organiser of a community that has reserved places, whether or not it
// hosts the event, sees on the dashboard how its people are doing and the
// link to pass on; others do not.
func TestDashboardShowsYourCommunitysPlaces(t *testing.T) {
	f := newFixture(t, nil)
	ten := 10
	if _, err := models.SetCapacity(f.db.DB, f.ev.ID, models.InPerson, &ten, nil, f.now); err != nil {
		t.Fatal(err)
	}
	// St Mary's does not host the iftar: its organiser is the outsider.
	al, err := models.SaveAllocation(f.db.DB, f.ev.ID, models.AllocationInput{Label: "St Mary's parishioners", Organisation: "st-marys", Places: 3}, nil, f.now)
	if err != nil {
		t.Fatal(err)
	}
	in := models.RegisterInput{Name: "Peter", Email: "peter@example.org", Guests: 1, Attendance: models.InPerson, Consent: true, AllocationID: &al.ID}
	if _, err := models.Register(f.db.DB, f.app.tok, f.ev.ID, in, f.now); err != nil {
		t.Fatal(err)
	}
	link := "http://convene.test/events/iftar?code=" + f.app.tok.AllocationCode(al)
	res := f.do(request{method: "GET", path: "/admin", role: roleOutsider})
	body := readBody(t, res)
	for _, want := range []string{"Places reserved for your community", "St Mary&#39;s parishioners</span>: 2 of 3 reserved places taken, 1 free", "2 people confirmed through the link", link} {
		if !strings.Contains(body, want) {
			t.Errorf("outsider's dashboard lacks %q", want)
		}
	}
	if strings.Contains(body, "Peter") {
		t.Error("the dashboard names a registrant of an event the organiser does not manage")
	}
	res = f.do(request{method: "GET", path: "/admin", role: roleOrganiser})
	if strings.Contains(readBody(t, res), link) {
		t.Error("another organisation's link shown")
	}
}
