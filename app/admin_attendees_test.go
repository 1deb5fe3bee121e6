package app

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"convene/models"
)

func TestNeutraliseCells(t *testing.T) {
	in := []string{"=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx", "plain", "", "a=b", "'quoted"}
	want := []string{"'=1+1", "'+44 20", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "plain", "", "a=b", "'quoted"}
	got := neutralise(append([]string{}, in...))
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("neutralise(%q) = %q, want %q", in[i], got[i], want[i])
		}
	}
}

func TestCSVExport(t *testing.T) {
	f := newFixture(t, nil)
	// A name that a spreadsheet would run as a formula, and one with Hebrew.
	f.db.Model(&models.Registration{}).Where("id = ?", f.waiting.ID).Updates(map[string]any{"name": "=cmd|' /C calc'!A0", "access_needs": "שלום, step-free\r\nplease"})
	// Times are written in the event's zone, which the header names.
	f.db.Model(&models.Event{}).Where("id = ?", f.ev.ID).Update("timezone", "America/New_York")
	if _, err := models.CheckIn(f.db.DB, f.ev.ID, f.reg.ID, 2, nil, f.now); err != nil {
		t.Fatal(err)
	}
	res := f.do(request{method: "GET", path: "/admin/events/iftar/registrations.csv", role: roleOrganiser})
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `attachment; filename="iftar-registrations.csv"`) {
		t.Fatalf("disposition %q", cd)
	}
	raw := []byte(readBody(t, res))
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatal("no UTF-8 byte-order mark")
	}
	lines := bytes.Count(raw, []byte("\n"))
	if crlf := bytes.Count(raw, []byte("\r\n")); crlf != lines {
		t.Fatalf("%d line ends, %d of them CRLF", lines, crlf)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want header and 2 registrations", len(rows))
	}
	header := rows[0]
	if header[0] != "id" || header[len(header)-1] != "How did you hear?" {
		t.Fatalf("header %v", header)
	}
	if header[10] != "guest_dietary" || header[12] != "checked_in_at (America/New_York)" || header[13] != "checked_in_people" || header[14] != "registered_at (America/New_York)" {
		t.Errorf("guest_dietary, check-in and time columns %q, %q: want the event's zone named", header[10], header[12:15])
	}
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		byName[r[1]] = r
	}
	amira := byName["Amira Haddad"]
	if amira == nil || amira[len(amira)-1] != `'=HYPERLINK("x")` || amira[3] != "confirmed" || amira[7] != "3" || amira[8] != "halal" {
		t.Fatalf("Amira's row: %q", amira)
	}
	// f.now is 12:00 UTC on 2 November 2026: 07:00 in New York (EST).
	if amira[10] != "not stated; not stated" {
		t.Errorf("Amira's guests' dietary %q", amira[10])
	}
	if amira[12] != "2026-11-02T07:00:00-05:00" || amira[13] != "2" || amira[14] != "2026-11-02T07:00:00-05:00" {
		t.Errorf("Amira's check-in and times %q: want 2 of her party in, New York time", amira[12:15])
	}
	daniel := byName["'=cmd|' /C calc'!A0"]
	if daniel == nil || daniel[3] != "waitlisted" || daniel[4] != "1" || !strings.HasPrefix(daniel[11], "שלום") {
		t.Fatalf("the formula name was not neutralised or the row is wrong: %q", rows)
	}
}

func TestAttendeesPageCateringAndFilters(t *testing.T) {
	f := newFixture(t, nil)
	// Make room and add a vegan party of two and a second halal person.
	n := 10
	if _, err := models.SetCapacity(f.db.DB, f.ev.ID, models.InPerson, &n, nil, f.now); err != nil {
		t.Fatal(err)
	}
	res := f.do(request{method: "POST", path: "/admin/events/iftar/attendees", role: roleOrganiser,
		form: url.Values{"name": {"Walk In"}, "email": {"walk@example.net"}, "guests": {"1"}, "dietary": {"vegan"}, "guest_dietary.0.dietary": {"halal"},
			"consent": {"yes"}, "access_needs": {"Wheelchair user"}}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d %.400s", res.StatusCode, readBody(t, res))
	}
	res = f.do(request{method: "POST", path: "/admin/events/iftar/attendees", role: roleOrganiser,
		form: url.Values{"name": {"Second"}, "email": {"walk@example.net"}, "consent": {"yes"}}})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, "already holds a registration") {
		t.Fatalf("duplicate email: %d", res.StatusCode)
	}
	res = f.do(request{method: "GET", path: "/admin/events/iftar/attendees", role: roleOrganiser})
	body := readBody(t, res)
	// Each person counts by their own choice: Amira (halal, 2 guests who
	// stated nothing) counts 1 halal and 2 not stated; Daniel was promoted
	// (kosher, 1); the walk-in party is 1 vegan and a halal guest: 6 people.
	for _, want := range []string{
		`<th scope="row">Halal</th><td class="num">2</td>`,
		`<th scope="row">Kosher</th><td class="num">1</td>`,
		`<th scope="row">Vegan</th><td class="num">1</td>`,
		`<th scope="row">Not stated</th><td class="num">2</td>`,
		`<th scope="row">Total</th><td class="num">6</td>`,
		`<strong><bdi>Walk In</bdi></strong> (party of 2): <bdi>Wheelchair user</bdi>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("attendees page lacks %s", want)
		}
	}
	res = f.do(request{method: "GET", path: "/admin/events/iftar/attendees?q=amira&status=confirmed", role: roleOrganiser})
	body = readBody(t, res)
	if !strings.Contains(body, "Amira Haddad") || strings.Contains(body, "walk@example.net") {
		t.Fatal("search and status filter do not narrow the list")
	}
}

func TestSummariseAttendeesCountsGuests(t *testing.T) {
	now := testNow()
	regs := []models.Registration{
		{ID: 1, Status: models.RegConfirmed, Attendance: models.InPerson, Guests: 2, Dietary: "halal"},
		{ID: 2, Status: models.RegConfirmed, Attendance: models.InPerson, Guests: 0, Dietary: "halal", CheckedInAt: &now},
		{ID: 3, Status: models.RegConfirmed, Attendance: models.InPerson, Guests: 1},
		{ID: 4, Status: models.RegConfirmed, Attendance: models.Online, Guests: 0},
		{ID: 5, Status: models.RegWaitlisted, Attendance: models.InPerson, Guests: 3, Dietary: "vegan"},
		{ID: 6, Status: models.RegCancelled, Attendance: models.InPerson, Guests: 1, Dietary: "kosher"},
		// Purged: counted in the tallies only.
		{ID: 7, Status: models.RegConfirmed, Attendance: models.InPerson, Guests: 2, PurgedAt: &now},
	}
	s := models.SummariseAttendees(regs, []models.CateringTally{{Diet: "halal", People: 2}, {Diet: "kosher", People: 1}})
	got := fmt.Sprint(s.Catering)
	// Each person by their own choice: a halal registrant with 2 guests
	// who stated nothing counts 1 halal and 2 not stated.
	if got != "[{halal 4} {kosher 1} {not_stated 4}]" || s.CateringSum != 9 {
		t.Fatalf("catering %s sum %d", got, s.CateringSum)
	}
	if s.Confirmed.People != 9 || s.ConfirmedOnline.People != 1 || s.Waitlisted.People != 4 || s.Cancelled.Registrations != 1 || s.CheckedIn.People != 1 {
		t.Fatalf("tallies %+v", s)
	}
}

func TestPromoteRespectsCapacity(t *testing.T) {
	f := newFixture(t, nil)
	res := f.do(request{method: "POST", path: fmt.Sprintf("/admin/events/iftar/registrations/%d/promote", f.waiting.ID), role: roleOrganiser})
	if body := readBody(t, res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Only 0 places are free") {
		t.Fatalf("promote into a full event: %d", res.StatusCode)
	}
	// Another event's registration is not found through this event.
	var other models.Registration
	f.db.Where("event_id = ?", f.other.ID).Take(&other)
	res = f.do(request{method: "POST", path: fmt.Sprintf("/admin/events/iftar/registrations/%d/cancel", other.ID), role: roleOrganiser})
	if res.StatusCode != 404 {
		t.Fatalf("cancel another event's registration: %d", res.StatusCode)
	}
	n := 4
	if _, err := models.SetCapacity(f.db.DB, f.ev.ID, models.InPerson, &n, nil, f.now); err != nil {
		t.Fatal(err)
	}
	var w models.Registration
	f.db.First(&w, f.waiting.ID)
	if w.Status != models.RegConfirmed {
		t.Fatal("raising capacity did not promote")
	}
	res = f.do(request{method: "POST", path: fmt.Sprintf("/admin/events/iftar/registrations/%d/cancel", f.reg.ID), role: roleOrganiser})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	ev := must(models.FindEvent(f.db.DB, "iftar"))
	if ev.Taken != 1 {
		t.Fatalf("taken %d after cancelling a party of 3", ev.Taken)
	}
}

func TestDoorCheckInUndoAndSearch(t *testing.T) {
	f := newFixture(t, nil)
	res := f.do(request{method: "GET", path: "/admin/events/iftar/door?q=AMI", role: roleDoor})
	body := readBody(t, res)
	if res.StatusCode != 200 || !strings.Contains(body, "Amira Haddad") || !strings.Contains(body, "<span data-checked-in>0</span> of <span data-expected>3</span>") {
		t.Fatalf("door page: %d", res.StatusCode)
	}
	if strings.Contains(body, "amira.haddad@example.net") {
		t.Fatal("the door page shows email addresses")
	}
	if res := f.do(request{method: "GET", path: "/admin/events/iftar/door?q=zzz", role: roleDoor}); strings.Contains(readBody(t, res), "Amira Haddad") {
		t.Fatal("search does not filter")
	}
	path := fmt.Sprintf("/admin/events/iftar/door/%d/check-in", f.reg.ID)
	res = f.do(request{method: "POST", path: path, role: roleDoor, form: url.Values{"q": {"ami"}}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != fmt.Sprintf("/admin/events/iftar/door?q=ami#reg-%d", f.reg.ID) {
		t.Fatalf("check-in: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	var r models.Registration
	f.db.First(&r, f.reg.ID)
	first := r.CheckedInAt
	if first == nil {
		t.Fatal("not checked in")
	}
	// Again, from the script: idempotent, with counts.
	res = f.do(request{method: "POST", path: path, role: roleDoor, accept: "application/json"})
	var out struct {
		CheckedIn bool              `json:"checked_in"`
		Counts    models.DoorCounts `json:"counts"`
	}
	if err := json.Unmarshal([]byte(readBody(t, res)), &out); err != nil || !out.CheckedIn || out.Counts != (models.DoorCounts{CheckedIn: 3, Expected: 3}) {
		t.Fatalf("JSON check-in: %v %+v", err, out)
	}
	f.db.First(&r, f.reg.ID)
	if !r.CheckedInAt.Equal(*first) {
		t.Fatal("checking in twice changed the time")
	}
	res = f.do(request{method: "POST", path: fmt.Sprintf("/admin/events/iftar/door/%d/undo", f.reg.ID), role: roleDoor})
	r = models.Registration{} // GORM leaves a field as it was when the column is NULL
	f.db.First(&r, f.reg.ID)
	if res.StatusCode != http.StatusSeeOther || r.CheckedInAt != nil {
		t.Fatal("undo did not clear the check-in")
	}
	var acts []string
	f.db.Model(&models.Activity{}).Where("registration_id = ?", f.reg.ID).Order("id").Pluck("action", &acts)
	if strings.Join(acts, ",") != "checked_in,check_in_undone" {
		t.Fatalf("audit %v", acts)
	}
	// A waitlisted registration cannot be checked in.
	res = f.do(request{method: "POST", path: fmt.Sprintf("/admin/events/iftar/door/%d/check-in", f.waiting.ID), role: roleDoor})
	if res.StatusCode != 422 {
		t.Fatalf("waitlisted check-in: %d", res.StatusCode)
	}
}

func TestQRCheckIn(t *testing.T) {
	f := newFixture(t, nil)
	manage := f.app.tok.ManageToken(f.reg)
	res := f.do(request{method: "GET", path: "/r/" + manage})
	body := readBody(t, res)
	code := f.app.tok.CheckInCode(f.reg)
	if res.StatusCode != 200 || !strings.Contains(body, `<svg class="qr"`) {
		t.Fatalf("manage page: %d, QR code shown: %v", res.StatusCode, strings.Contains(body, "<svg"))
	}
	if strings.Contains(code, manage) || strings.Contains(manage, strings.SplitN(code, "-", 2)[1]) {
		t.Fatal("the check-in code reveals the manage token")
	}
	// Scanned by someone not signed in: sent to sign in, then back here.
	res = f.do(request{method: "GET", path: "/admin/check-in/" + code})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/admin/login?next="+url.QueryEscape("/admin/check-in/"+code) {
		t.Fatalf("anonymous scan: %d %q", res.StatusCode, loc)
	}
	// A door volunteer of another event, or a forged code: not found.
	if res := f.do(request{method: "GET", path: "/admin/check-in/" + code, role: roleDoorOther}); res.StatusCode != 404 {
		t.Fatalf("door volunteer of another event: %d", res.StatusCode)
	}
	forged := fmt.Sprintf("%d-%s", f.reg.ID, strings.Repeat("A", 32))
	if res := f.do(request{method: "GET", path: "/admin/check-in/" + forged, role: roleAdmin}); res.StatusCode != 404 {
		t.Fatalf("forged code: %d", res.StatusCode)
	}
	res = f.do(request{method: "GET", path: "/admin/check-in/" + code, role: roleDoor})
	if body := readBody(t, res); res.StatusCode != 200 || !strings.Contains(body, "Amira Haddad") || !strings.Contains(body, `<option value="3" selected>All 3</option>`) {
		t.Fatalf("check-in page: %d", res.StatusCode)
	}
	res = f.do(request{method: "POST", path: "/admin/check-in/" + code, role: roleDoor})
	var r models.Registration
	f.db.First(&r, f.reg.ID)
	if res.StatusCode != http.StatusSeeOther || r.CheckedInAt == nil {
		t.Fatalf("QR check-in: %d", res.StatusCode)
	}
	f.do(request{method: "POST", path: "/admin/check-in/" + code + "/undo", role: roleDoor})
	r = models.Registration{}
	f.db.First(&r, f.reg.ID)
	if r.CheckedInAt != nil {
		t.Fatal("QR undo did not clear")
	}
}

func TestAPICheckInForDoorVolunteers(t *testing.T) {
	f := newFixture(t, nil)
	path := fmt.Sprintf("/api/v1/events/iftar/registrations/%d/check-in", f.reg.ID)
	var times []string
	for i := 0; i < 2; i++ {
		res := f.do(request{method: "POST", path: path, role: roleDoor, bearer: true, json: "{}"})
		var j RegistrationJSON
		if err := json.Unmarshal([]byte(readBody(t, res)), &j); err != nil || res.StatusCode != 200 || j.CheckedInAt == nil {
			t.Fatalf("API check-in %d: %d %v", i, res.StatusCode, err)
		}
		times = append(times, *j.CheckedInAt)
	}
	if times[0] != times[1] {
		t.Fatal("API check-in is not idempotent")
	}
	res := f.do(request{method: "POST", path: fmt.Sprintf("/api/v1/events/vigil/registrations/%d/check-in", f.reg.ID), role: roleDoor, bearer: true, json: "{}"})
	if res.StatusCode != http.StatusNotFound { // outside the scope: not found, as in the workspace
		t.Fatalf("door volunteer on another event: %d", res.StatusCode)
	}
}
