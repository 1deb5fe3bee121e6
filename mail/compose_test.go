package mail

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"convene/calendar"
	"convene/feeds/feedstest"
	"convene/models"
	"convene/models/modelstest"
)

// TestComposeKinds renders every kind of mail from a real registration and
// checks what each must say, and must not.
func TestComposeKinds(t *testing.T) {
	db := modelstest.Open(t)
	ev := testEvent(t, db.DB, 3)
	inPerson := registerAs(t, db.DB, ev, "in@example.org", models.InPerson, 2)
	waiting := registerAs(t, db.DB, ev, "wait@example.org", models.InPerson, 0)
	online := registerAs(t, db.DB, ev, "online@example.org", models.Online, 0)
	if waiting.Status != models.RegWaitlisted {
		t.Fatalf("fixture: %s, want waitlisted", waiting.Status)
	}
	prev := ev.StartsAt.Add(-24 * time.Hour)
	tests := []struct {
		kind    string
		reg     *models.Registration
		data    map[string]string
		subject string
		has     []string
		hasNot  []string
		ics     bool
		// qr: the mail carries the door check-in QR code.
		qr bool
	}{
		{kind: models.MailConfirmation, reg: inPerson, subject: "You're registered: Solidarity iftar",
			has: []string{"you and 2 guests", "Al-Noor Mosque, 1 High Street, London", "/me/"}, hasNot: []string{"stream.example.org"}, ics: true, qr: true},
		{kind: models.MailConfirmation, reg: online, subject: "You're registered: Solidarity iftar",
			has: []string{"Where: online", "https://stream.example.org/iftar"}, hasNot: []string{"High Street"}, ics: true},
		{kind: models.MailWaitlisted, reg: waiting, subject: "You're on the waitlist: Solidarity iftar",
			has: []string{"number 1 in line"}, hasNot: []string{"High Street"}},
		{kind: models.MailPromoted, reg: inPerson, subject: "A place is yours: Solidarity iftar", has: []string{"1 High Street"}, ics: true, qr: true},
		// A promotion held back while the place went back to the waitlist.
		{kind: models.MailPromoted, reg: waiting, subject: "A place is yours: Solidarity iftar", hasNot: []string{"High Street"}},
		{kind: models.MailDuplicate, reg: waiting, subject: "Your registration for Solidarity iftar",
			has: []string{"already registered and on the waitlist (number 1 in line)", "/r/"}},
		{kind: models.MailCancelled, reg: inPerson, subject: "Registration cancelled: Solidarity iftar",
			has: []string{testBaseURL + "/events/" + ev.Slug}},
		{kind: models.MailChanged, reg: inPerson, data: map[string]string{"previous_guests": "0"},
			subject: "Registration updated: Solidarity iftar", has: []string{"Guests: 2 (before: 0)"}},
		{kind: models.MailEventChanged, reg: inPerson,
			data:    map[string]string{"previous_starts_at": prev.Format(time.RFC3339), "previous_ends_at": prev.Add(2 * time.Hour).Format(time.RFC3339), "previous_venue": "St Mary's Church"},
			subject: "Change of time or place: Solidarity iftar",
			has:     []string{"(before: " + calendar.When(prev, prev.Add(2*time.Hour), ev.Location()) + ")", "(before: St Mary's Church)", "still confirmed"}, ics: true},
		{kind: models.MailEventChanged, reg: waiting, data: map[string]string{"previous_starts_at": prev.Format(time.RFC3339)},
			subject: "Change of time or place: Solidarity iftar", has: []string{"still on the waitlist"}, hasNot: []string{"High Street"}},
		{kind: models.MailPostponed, reg: inPerson, data: map[string]string{"message": "New date soon."},
			subject: "Postponed: Solidarity iftar", has: []string{"New date soon."}, ics: true},
		{kind: models.MailEventCancel, reg: inPerson, data: map[string]string{"message": "The hall flooded."},
			subject: "Cancelled: Solidarity iftar", has: []string{"The hall flooded."}, ics: true},
		{kind: models.MailReminder, reg: online, subject: "Reminder: Solidarity iftar, " + calendar.When(ev.StartsAt, ev.EndsAt, ev.Location()),
			has: []string{"https://stream.example.org/iftar"}},
		{kind: models.MailMessage, reg: waiting, data: map[string]string{"subject": "Doors open at 6pm", "body": "Bring <b>water</b>."},
			subject: "Doors open at 6pm", has: []string{"Bring <b>water</b>."}},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.reg.Email, func(t *testing.T) {
			err := db.Transaction(func(tx *gorm.DB) error {
				return models.EnqueueMail(tx, tt.kind, ev, tt.reg, tt.data, time.Now().UTC())
			})
			if err != nil {
				t.Fatal(err)
			}
			var row models.OutboxMail
			db.Order("id DESC").Take(&row)
			msg, err := testComposer().Compose(db, &row, time.Now())
			if err != nil {
				t.Fatalf("compose: %v", err)
			}
			if msg.Subject != tt.subject {
				t.Errorf("subject %q, want %q", msg.Subject, tt.subject)
			}
			for _, s := range append(tt.has, "Hello Amina Example", testBaseURL) {
				if !strings.Contains(msg.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, msg.Text)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(msg.Text, s) || strings.Contains(msg.HTML, s) {
					t.Errorf("mail shows %q", s)
				}
			}
			if (msg.ICS != nil) != tt.ics {
				t.Errorf("calendar attached: %v, want %v", msg.ICS != nil, tt.ics)
			}
			if msg.ICS != nil {
				checkICS(t, msg.ICS, ev)
			}
			if (msg.CheckInPNG != nil) != tt.qr || (msg.CheckInCID != "") != tt.qr {
				t.Errorf("check-in QR code: %v (Content-ID %q), want %v", msg.CheckInPNG != nil, msg.CheckInCID, tt.qr)
			}
			if tt.qr != strings.Contains(msg.HTML, `src="cid:`+msg.CheckInCID+`"`) || tt.qr != strings.Contains(msg.Text, "show the check-in code") {
				t.Errorf("check-in code shown in HTML %v, mentioned in text %v, want %v",
					strings.Contains(msg.HTML, "cid:"), strings.Contains(msg.Text, "check-in code"), tt.qr)
			}
			if !strings.HasPrefix(msg.HTML, "<!doctype html>") || strings.Contains(msg.HTML, "<b>water") {
				t.Errorf("HTML not a page, or not escaped:\n%s", msg.HTML)
			}
			if _, err := msg.MIME(); err != nil {
				t.Errorf("MIME: %v", err)
			}
		})
	}
}

// TestComposeUnsendable: broken rows fail for good instead of retrying.
func TestComposeUnsendable(t *testing.T) {
	db := modelstest.Open(t)
	ev := testEvent(t, db.DB, 3)
	reg := registerAs(t, db.DB, ev, "a@example.org", models.InPerson, 0)
	cancelled := registerAs(t, db.DB, ev, "b@example.org", models.InPerson, 0)
	if _, err := models.CancelRegistration(db.DB, cancelled.ID, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	missing := uint(9999)
	tests := []struct {
		name string
		row  models.OutboxMail
	}{
		{"unknown kind", models.OutboxMail{Kind: "newsletter", EventID: &ev.ID, RegistrationID: &reg.ID}},
		{"no event", models.OutboxMail{Kind: models.MailConfirmation, RegistrationID: &reg.ID}},
		{"event gone", models.OutboxMail{Kind: models.MailConfirmation, EventID: &missing, RegistrationID: &reg.ID}},
		{"registration gone", models.OutboxMail{Kind: models.MailConfirmation, EventID: &ev.ID, RegistrationID: &missing}},
		{"broken data", models.OutboxMail{Kind: models.MailConfirmation, EventID: &ev.ID, RegistrationID: &reg.ID, Data: "[1,"}},
		{"reminder for a cancelled place", models.OutboxMail{Kind: models.MailReminder, EventID: &ev.ID, RegistrationID: &cancelled.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := testComposer().Compose(db, &tt.row, time.Now()); !errors.Is(err, ErrUnsendable) {
				t.Fatalf("err %v, want ErrUnsendable", err)
			}
		})
	}
	for _, to := range []string{"", "not an address", "a@b@c"} {
		msg := &Message{From: "Convene <no-reply@events.example.org>", To: to}
		if _, err := msg.MIME(); !errors.Is(err, ErrUnsendable) {
			t.Errorf("MIME to %q: %v, want ErrUnsendable", to, err)
		}
	}
	if _, err := (&Message{From: "nobody", To: "a@example.org"}).MIME(); !errors.Is(err, ErrUnsendable) {
		t.Errorf("MIME from a bad MAIL_FROM: %v", err)
	}
}

func TestSchedule(t *testing.T) {
	s := DefaultSchedule()
	tests := []struct {
		attempts int
		wait     time.Duration
		retry    bool
	}{
		{0, 10 * time.Second, true},
		{1, 10 * time.Second, true},
		{2, 30 * time.Second, true},
		{3, time.Minute, true},
		{4, 5 * time.Minute, true},
		{5, 15 * time.Minute, true},
		{6, time.Hour, true},
		{28, time.Hour, true}, // 21 min 40 s + 23 hours waited
		{29, 0, false},        // the next wait would pass a day
	}
	for _, tt := range tests {
		wait, retry := s.Next(tt.attempts)
		if wait != tt.wait || retry != tt.retry {
			t.Errorf("Next(%d) = %s, %v; want %s, %v", tt.attempts, wait, retry, tt.wait, tt.retry)
		}
	}
}

func TestNewClient(t *testing.T) {
	tests := []struct {
		url    string
		ok     bool
		server string
	}{
		{"smtp://user:secret@mail.example.org", true, "mail.example.org:587"},
		{"smtp://mail.example.org:25?tls=required", true, "mail.example.org:25"},
		{"smtp://localhost:1025?tls=none", true, "localhost:1025"},
		{"smtp://user:secret@localhost:1025?tls=none", true, "localhost:1025"},
		{"smtps://user:secret@mail.example.org", true, "mail.example.org:465"},
		{"smtp://mail.example.org?tls=maybe", false, ""},
		{"smtp://mail.example.org:99999", false, ""},
		{"smtp://user:secret@mail.example.org:x", false, ""},
		{"http://mail.example.org", false, ""},
		{"smtp://", false, ""},
		{"::not a url", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := NewClient(tt.url, time.Second)
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("error reveals the password: %v", err)
			}
			if err == nil && c.ServerAddr() != tt.server {
				t.Errorf("server %s, want %s", c.ServerAddr(), tt.server)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		permanent bool
	}{
		{"success", nil, false},
		{"unknown error", errors.New("x"), false},
		{"wrapped unsendable", errors.Join(errors.New("compose"), ErrUnsendable), true},
		{"connection refused", errors.New("connecting to the mail server: dial tcp: connection refused"), false},
	}
	for _, tt := range tests {
		if permanent, _ := classify(tt.err); permanent != tt.permanent {
			t.Errorf("%s: permanent %v, want %v", tt.name, permanent, tt.permanent)
		}
	}
}

// TestConfirmationCarriesTheAddressFeed: the mail, which only the address's
// owner reads, links the feed of all their registrations.
func TestConfirmationCarriesTheAddressFeed(t *testing.T) {
	db := modelstest.Open(t)
	first, second := testEvent(t, db.DB, 10), testEvent(t, db.DB, 10)
	registerAs(t, db.DB, first, "amina@example.org", models.InPerson, 0)
	reg := registerAs(t, db.DB, second, "Amina@Example.org", models.Online, 0)
	var m models.OutboxMail
	if err := db.Where("registration_id = ? AND kind = ?", reg.ID, models.MailConfirmation).Take(&m).Error; err != nil {
		t.Fatal(err)
	}
	msg, err := testComposer().Compose(db, &m, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(msg.Text, "/me/")
	if i < 0 {
		t.Fatalf("no feed link in:\n%s", msg.Text)
	}
	token := strings.TrimSuffix(strings.Fields(msg.Text[i+4:])[0], ".ics")
	regs, err := models.FeedRegistrations(db.DB, token, time.Now().Add(-time.Hour))
	if err != nil || len(regs) != 2 {
		t.Fatalf("feed of the mailed link holds %d registrations (%v), want both", len(regs), err)
	}
}

// TestHeldConfirmationAfterCancellation: a confirmation that could not go
// out before the person cancelled is not sent late.
func TestHeldConfirmationAfterCancellation(t *testing.T) {
	db := modelstest.Open(t)
	reg := registerAs(t, db.DB, testEvent(t, db.DB, 10), "late@example.org", models.InPerson, 0)
	if _, err := models.CancelRegistration(db.DB, reg.ID, nil, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	var m models.OutboxMail
	if err := db.Where("registration_id = ? AND kind = ?", reg.ID, models.MailConfirmation).Take(&m).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := testComposer().Compose(db, &m, time.Now().UTC()); !errors.Is(err, ErrUnsendable) {
		t.Fatalf("compose after cancellation: %v, want ErrUnsendable", err)
	}
}

// TestComposeRequestMails renders the mails of the confirm_email and
// approval modes from a request's life.
func TestComposeRequestMails(t *testing.T) {
	db := modelstest.Open(t)
	ev := testEvent(t, db.DB, 2)
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{RegistrationMode: ptr(models.ModeApproval)}, nil, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	compose := func(kind string, reg *models.Registration) (*Message, error) {
		t.Helper()
		var row models.OutboxMail
		if err := db.Where("kind = ? AND registration_id = ?", kind, reg.ID).Order("id DESC").Take(&row).Error; err != nil {
			t.Fatalf("no %s mail: %v", kind, err)
		}
		return testComposer().Compose(db, &row, time.Now())
	}
	a := registerAs(t, db.DB, ev, "a@example.org", models.InPerson, 1)
	b := registerAs(t, db.DB, ev, "b@example.org", models.InPerson, 0)
	c := registerAs(t, db.DB, ev, "c@example.org", models.InPerson, 0)
	msg, err := compose(models.MailConfirmRequest, a)
	if err != nil {
		t.Fatal(err)
	}
	link := testBaseURL + "/r/" + modelstest.Tokens().ManageToken(a) + "/confirm"
	if msg.Subject != "Confirm your registration: Solidarity iftar" || !strings.Contains(msg.Text, link) || !strings.Contains(msg.HTML, link) ||
		!strings.Contains(msg.Text, "send your request to the organisers") || msg.ICS != nil || strings.Contains(msg.Text, "High Street") {
		t.Fatalf("confirmation request:\n%s\n%s", msg.Subject, msg.Text)
	}
	for _, r := range []*models.Registration{a, b, c} {
		if _, err := models.ConfirmRegistration(db.DB, r.ID, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	// Confirmed since: the request's mail has nothing left to do.
	if _, err := compose(models.MailConfirmRequest, a); !errors.Is(err, ErrUnsendable) {
		t.Fatalf("confirmation request after confirming: %v", err)
	}
	msg, err = compose(models.MailAwaitingApproval, a)
	if err != nil || !strings.Contains(msg.Text, "request for 2 places") || !strings.Contains(msg.Text, "with the organisers") {
		t.Fatalf("awaiting approval: %v\n%s", err, msg.Text)
	}
	now := time.Now().UTC()
	if _, _, err := models.ApproveRegistration(db.DB, ev.ID, a.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := models.ApproveRegistration(db.DB, ev.ID, b.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.DeclineRegistration(db.DB, ev.ID, c.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	msg, err = compose(models.MailConfirmation, a)
	if err != nil || !strings.Contains(msg.Text, "approved your request") || msg.ICS == nil {
		t.Fatalf("approved: %v\n%s", err, msg.Text)
	}
	msg, err = compose(models.MailWaitlisted, b)
	if err != nil || !strings.Contains(msg.Text, "approved your request, but Solidarity iftar is full") || !strings.Contains(msg.Text, "number 1 in line") {
		t.Fatalf("approved when full: %v\n%s", err, msg.Text)
	}
	msg, err = compose(models.MailDeclined, c)
	if err != nil || !strings.Contains(msg.Text, "not able to offer you a place") || strings.Contains(msg.Text, "/r/") || strings.Contains(msg.Text, "High Street") {
		t.Fatalf("declined: %v\n%s", err, msg.Text)
	}
}

// TestCalendarAttachment: the .ics of a mail is a file of one event to
// import (no calendar name, refresh hint or METHOD), at the right instant
// even in the hour repeated when clocks go back (read by ical.js too), free
// time once cancelled, and without a reminder unless the event goes ahead.
func TestCalendarAttachment(t *testing.T) {
	db := modelstest.Open(t)
	ev := testEvent(t, db.DB, 3)
	reg := registerAs(t, db.DB, ev, "in@example.org", models.InPerson, 0)
	// 01:30 on 31 October 2027 in London, the first of the two (BST).
	firstOneThirty := time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC)
	tests := []struct {
		status, transp string
		alarm          bool
	}{
		{models.StatusPublished, "OPAQUE", true},
		{models.StatusPostponed, "OPAQUE", false},
		{models.StatusCancelled, "TRANSPARENT", false},
	}
	var files [][]byte
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			in := models.EventInput{Status: ptr(tt.status), StartsAt: &firstOneThirty, EndsAt: ptr(firstOneThirty.Add(3 * time.Hour))}
			updated, err := models.UpdateEvent(db.DB, ev.Slug, in, nil, time.Now().UTC())
			if err != nil {
				t.Fatal(err)
			}
			err = db.Transaction(func(tx *gorm.DB) error {
				return models.EnqueueMail(tx, models.MailEventChanged, updated, reg, nil, time.Now().UTC())
			})
			if err != nil {
				t.Fatal(err)
			}
			var row models.OutboxMail
			db.Order("id DESC").Take(&row)
			msg, err := testComposer().Compose(db, &row, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			cal := checkICS(t, msg.ICS, updated)
			vev := cal.Sub("VEVENT")[0]
			if got := vev.Get("DTSTART"); got != "20271031T003000Z" {
				t.Errorf("DTSTART %q, want the ambiguous local time in UTC", got)
			}
			if got := vev.Get("TRANSP"); got != tt.transp {
				t.Errorf("TRANSP %q, want %q", got, tt.transp)
			}
			if got := len(vev.Sub("VALARM")) > 0; got != tt.alarm {
				t.Errorf("VALARM %v, want %v", got, tt.alarm)
			}
			files = append(files, msg.ICS)
		})
	}
	for i, p := range feedstest.ICALJS(t, files...) {
		if len(p.Events) != 1 || p.Events[0].Start != firstOneThirty.Unix() {
			t.Errorf("file %d: ical.js reads %+v, want a start at %v", i, p.Events, firstOneThirty)
		}
	}
}

// TestMailsCarryIftarTimeAndTentativeDate: a confirmation says when the
// fast is broken and that the date is not final; moving the venue mails the
// registrants the new iftar time with the old one.
func TestMailsCarryIftarTimeAndTentativeDate(t *testing.T) {
	db := modelstest.Open(t)
	ev := testEvent(t, db.DB, 10)
	now := time.Now().UTC()
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Tentative: ptr(true)}, nil, now); err != nil {
		t.Fatal(err)
	}
	reg := registerAs(t, db.DB, ev, "amina@example.org", models.InPerson, 0)
	compose := func(kind string) *Message {
		t.Helper()
		var m models.OutboxMail
		if err := db.Where("registration_id = ? AND kind = ?", reg.ID, kind).Order("id DESC").Take(&m).Error; err != nil {
			t.Fatal(err)
		}
		msg, err := testComposer().Compose(db, &m, now)
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	for _, o := range []models.Organisation{{Slug: "al-noor", Name: "Al-Noor Mosque"}, {Slug: "northside", Name: "Northside Synagogue"}} {
		if err := db.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
	}
	hosts := []models.HostInput{{Organisation: "open-doors", Role: models.RoleHost}, {Organisation: "al-noor", Role: models.RoleCoHost}, {Organisation: "northside", Role: models.RoleCoHost}}
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Hosts: &hosts}, nil, now); err != nil {
		t.Fatal(err)
	}
	ev, _ = models.FindEvent(db.DB, ev.Slug)
	before := ev.IftarClock()
	if !regexp.MustCompile(`^\d{1,2}(:\d\d)?[ap]m$`).MatchString(before) {
		t.Errorf("iftar time %q is not written as the event's times are (5:19pm)", before)
	}
	msg := compose(models.MailConfirmation)
	if want := "Open Doors, Al-Noor Mosque and Northside Synagogue, via Convene"; !strings.Contains(msg.Text, want) {
		t.Errorf("text signature lacks %q:\n%s", want, msg.Text)
	}
	if want := `<span dir="auto">Open Doors</span>, <span dir="auto">Al-Noor Mosque</span> and <span dir="auto">Northside Synagogue</span>, via Convene`; !strings.Contains(msg.HTML, want) {
		t.Errorf("HTML signature lacks %q", want)
	}
	for _, part := range []string{msg.Text, msg.HTML} {
		if !strings.Contains(part, "Iftar at sunset — "+before) || !strings.Contains(part, "Date not final") && !strings.Contains(part, "The date is not final") {
			t.Errorf("confirmation lacks the iftar time %s or the tentative date:\n%s", before, part)
		}
	}
	// Glasgow is west and north: a later iftar.
	moved, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Venue: &models.VenueInput{Latitude: ptr(55.8642), Longitude: ptr(-4.2518)}}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if moved.IftarClock() == before {
		t.Fatalf("iftar time did not move from %s", before)
	}
	msg = compose(models.MailEventChanged)
	if want := "Iftar at sunset — " + moved.IftarClock() + " (before: " + before + ")"; !strings.Contains(msg.Text, want) {
		t.Errorf("change mail lacks %q:\n%s", want, msg.Text)
	}
}
