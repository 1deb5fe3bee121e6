package mail

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"convene/feeds/feedstest"
	"convene/models"
	"convene/models/modelstest"
)

func smtpURL(addr string) string { return "smtp://" + addr + "?tls=none" }

// TestConfirmationDelivered sends a confirmation for an online place to a
// real SMTP server and checks the headers, both bodies and the calendar
// attachment as they arrive.
func TestConfirmationDelivered(t *testing.T) {
	db := modelstest.Open(t)
	ev := testEvent(t, db.DB, 10)
	reg := registerAs(t, db.DB, ev, "Amina@Example.org", models.Online, 0)
	srv := startServer(t, "127.0.0.1:0", nil)
	// tls=opportunistic: STARTTLS when offered; this server offers none.
	runSender(t, db, "smtp://"+srv.Addr+"?tls=opportunistic", nil)
	d := srv.Wait(t, 10*time.Second)

	if d.From != "no-reply@events.example.org" || len(d.To) != 1 || d.To[0] != "Amina@Example.org" {
		t.Errorf("envelope from %q to %v", d.From, d.To)
	}
	if strings.Contains(strings.ReplaceAll(string(d.Data), "\r\n", ""), "\n") {
		t.Error("the message has bare LF line ends")
	}
	msg, err := d.Header(t)
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	addr := func(name string) *mail.Address {
		a, err := mail.ParseAddress(h.Get(name))
		if err != nil {
			t.Fatalf("%s %q: %v", name, h.Get(name), err)
		}
		return a
	}
	if a := addr("From"); a.Address != "no-reply@events.example.org" || a.Name != "Convene" {
		t.Errorf("From = %v", a)
	}
	if a := addr("To"); a.Address != "Amina@Example.org" {
		t.Errorf("To = %v", a)
	}
	if a := addr("Reply-To"); a.Address != "events@opendoors.example.org" {
		t.Errorf("Reply-To = %v, want the host's address", a)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != "You're registered: Solidarity iftar" {
		t.Errorf("Subject = %q (%v)", subject, err)
	}
	var row models.OutboxMail
	if err := db.Where("kind = ?", models.MailConfirmation).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if id := h.Get("Message-Id"); !regexp.MustCompile(fmt.Sprintf(`^<convene\.%d\.[0-9a-z]+@events\.example\.org>$`, row.ID)).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	if date, err := mail.ParseDate(h.Get("Date")); err != nil || time.Since(date) > time.Minute || time.Until(date) > time.Minute {
		t.Errorf("Date = %q (%v)", h.Get("Date"), err)
	}
	if h.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", h.Get("Auto-Submitted"))
	}

	parts := leaves(t, h, msg.Body)
	text, html, cal := findPart(parts, "text/plain"), findPart(parts, "text/html"), findPart(parts, "text/calendar")
	if text == nil || html == nil || cal == nil || len(parts) != 3 {
		t.Fatalf("parts %v: want text, HTML and a calendar", parts)
	}
	tok := modelstest.Tokens()
	manage := testBaseURL + "/r/" + tok.ManageToken(reg)
	// The mail goes to the address: it links the feed of all its
	// registrations (created by the sender, on the writer).
	addressFeed, err := models.AttendeeFeedToken(db.DB, tok, reg.Email, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	feed := testBaseURL + "/me/" + addressFeed + ".ics"
	for _, want := range []string{manage, feed, "https://stream.example.org/iftar", "Amina Example"} {
		if !strings.Contains(string(text.Body), want) {
			t.Errorf("text lacks %q:\n%s", want, text.Body)
		}
		if !strings.Contains(string(html.Body), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if !strings.Contains(string(text.Body), "Hello Amina Example,") || !strings.Contains(string(html.Body), `Hello <span dir="auto">Amina Example</span>,`) {
		t.Error("the greeting does not name the registrant (isolated in HTML)")
	}
	if !strings.Contains(cal.Disposition, "attachment") || !strings.Contains(cal.Disposition, "event.ics") {
		t.Errorf("calendar disposition %q", cal.Disposition)
	}
	vev := checkICS(t, cal.Body, ev).Sub("VEVENT")[0]
	if got := vev.Get("LOCATION"); got != "https://stream.example.org/iftar" {
		t.Errorf("calendar location %q, want the stream link of the confirmed online place", got)
	}

	eventually(t, 5*time.Second, "the row to be marked sent", func() bool {
		return countStatus(t, db.DB, models.MailSent) == 1
	})
	var stored []models.OutboxMail
	db.Find(&stored)
	for _, m := range stored {
		if strings.Contains(m.Data, tok.ManageToken(reg)) || strings.Contains(m.Data, tok.FeedToken(reg)) {
			t.Error("the outbox stores a raw token")
		}
	}
}

// checkICS reads a mail's calendar file as a strict reader would: one
// event, at the event's instants, a file to import rather than a calendar to
// subscribe to. It returns the calendar for further checks.
func checkICS(t *testing.T, b []byte, ev *models.Event) *feedstest.Component {
	t.Helper()
	cal, errs := feedstest.Lint(b)
	for _, err := range errs {
		t.Error(err)
	}
	if cal == nil {
		t.Fatalf("no calendar in\n%s", b)
	}
	for _, name := range []string{"METHOD", "NAME", "X-WR-CALNAME", "X-WR-CALDESC", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"} {
		if len(cal.All(name)) > 0 {
			t.Errorf("a file of one event has %s", name)
		}
	}
	vevs := cal.Sub("VEVENT")
	if len(vevs) != 1 {
		t.Fatalf("%d VEVENTs, want 1", len(vevs))
	}
	vev := vevs[0]
	for prop, want := range map[string]time.Time{"DTSTART": ev.StartsAt, "DTEND": ev.EndsAt} {
		if got, err := feedstest.Instant(cal, vev.All(prop)[0]); err != nil || !got.Equal(want) {
			t.Errorf("%s reads as %v (%v), want %v", prop, got, err, want)
		}
	}
	want := map[string]string{
		"UID": fmt.Sprintf("event-%d@events.example.org", ev.ID),
		"URL": testBaseURL + "/events/" + ev.Slug,
	}
	for k, v := range want {
		if got := vev.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if vev.Get("SUMMARY") == "" {
		t.Error("no SUMMARY")
	}
	return cal
}

// TestServerDownThenUp: while the server is unreachable the mail waits and
// is retried; once the server is back it is delivered, once.
func TestServerDownThenUp(t *testing.T) {
	db := modelstest.Open(t)
	fill(t, db.DB, 1)
	addr := freeAddr(t)
	stop := runSender(t, db, smtpURL(addr), nil)
	eventually(t, 10*time.Second, "a few failed attempts", func() bool {
		m, _ := models.FindOutboxMail(db.DB, 1)
		return m.Attempts >= 3 && m.Status == models.MailPending && strings.Contains(m.LastError, "connecting")
	})
	srv := startServer(t, addr, nil)
	srv.Wait(t, 10*time.Second)
	eventually(t, 5*time.Second, "the row to be marked sent", func() bool {
		return countStatus(t, db.DB, models.MailSent) == 1
	})
	stop() // whatever it was still doing is done: count every delivery
	if n := len(srv.Received()); n != 1 {
		t.Fatalf("%d deliveries, want 1", n)
	}
}

// TestPermanentFailure: a 550 fails the mail at once for admins to see;
// the other mails of the batch still go.
func TestPermanentFailure(t *testing.T) {
	db := modelstest.Open(t)
	ev := testEvent(t, db.DB, 10)
	registerAs(t, db.DB, ev, "nobody@example.org", models.InPerson, 0)
	registerAs(t, db.DB, ev, "someone@example.org", models.InPerson, 0)
	srv := startServer(t, "127.0.0.1:0", func(ts *testServer) {
		ts.reject = func(to string) error {
			if strings.HasPrefix(to, "nobody@") {
				return permanentRefusal
			}
			return nil
		}
	})
	logs := &logBuffer{}
	stop := runSender(t, db, smtpURL(srv.Addr), func(c *Config) { c.Log = slog.New(slog.NewTextHandler(logs, nil)) })
	srv.Wait(t, 10*time.Second)
	eventually(t, 5*time.Second, "one sent and one failed", func() bool {
		return countStatus(t, db.DB, models.MailSent) == 1 && countStatus(t, db.DB, models.MailFailed) == 1
	})
	stop() // nothing in flight while the row is read: its attempts are final

	var failed models.OutboxMail
	db.Where("status = ?", models.MailFailed).Take(&failed)
	if failed.Attempts != 1 || !strings.Contains(failed.LastError, "550") || failed.To != "nobody@example.org" {
		t.Fatalf("failed row %+v: want one attempt and the 550", failed)
	}
	if out := logs.String(); !strings.Contains(out, "smtp 550") || strings.Contains(out, "nobody@") || strings.Contains(out, "Amina") {
		t.Errorf("log should name the code but no address or name:\n%s", out)
	}
}

// TestTLSRequired: with tls=required (the default for a remote server, see
// TestTLSPolicy) a server without STARTTLS gets nothing, rather than the
// mail going out in the clear.
func TestTLSRequired(t *testing.T) {
	for _, query := range []string{"?tls=required"} {
		t.Run("smtp://host"+query, func(t *testing.T) {
			db := modelstest.Open(t)
			fill(t, db.DB, 1)
			srv := startServer(t, "127.0.0.1:0", nil)
			runSender(t, db, "smtp://"+srv.Addr+query, nil)
			eventually(t, 10*time.Second, "a refused attempt", func() bool {
				m, _ := models.FindOutboxMail(db.DB, 1)
				return m.Attempts >= 1 && m.Status == models.MailPending && strings.Contains(m.LastError, "STARTTLS")
			})
			if n := len(srv.Received()); n != 0 {
				t.Fatalf("%d mails sent without TLS", n)
			}
		})
	}
}

// TestRetriesExhausted: temporary failures for longer than the schedule
// allows end in failed, not in endless retries.
func TestRetriesExhausted(t *testing.T) {
	db := modelstest.Open(t)
	fill(t, db.DB, 1)
	runSender(t, db, smtpURL(freeAddr(t)), func(c *Config) {
		c.Schedule = Schedule{Delays: []time.Duration{time.Millisecond}, Every: 2 * time.Millisecond, GiveUp: 6 * time.Millisecond}
	})
	eventually(t, 10*time.Second, "the mail to fail", func() bool { return countStatus(t, db.DB, models.MailFailed) == 1 })
	m, _ := models.FindOutboxMail(db.DB, 1)
	if m.Attempts != 4 || !strings.HasPrefix(m.LastError, "gave up after 4 attempts") {
		t.Fatalf("row %+v: want failed after 4 attempts (1+2+2 ms waited, the next would pass 6 ms)", m)
	}
}

// onceEach checks that every outbox row was delivered exactly once.
func onceEach(t *testing.T, db *models.DB, got []delivery, want int) {
	t.Helper()
	seen := map[string]int{}
	for _, d := range got {
		seen[messageID(t, d)]++
	}
	var twice []string
	for id, n := range seen {
		if n != 1 {
			twice = append(twice, fmt.Sprintf("%s×%d", id, n))
		}
	}
	sort.Strings(twice)
	if len(twice) > 0 {
		t.Errorf("delivered more than once: %v", twice)
	}
	if len(seen) != want {
		t.Errorf("%d distinct mails delivered, want %d", len(seen), want)
	}
	if n := countStatus(t, db.DB, models.MailSent); n != int64(want) {
		t.Errorf("%d rows sent, want %d", n, want)
	}
}

// TestRestartMidQueue stops a sender in the middle of a queue and starts a
// new one on the same database: nothing is lost or sent twice.
func TestRestartMidQueue(t *testing.T) {
	const n = 40
	db := modelstest.Open(t)
	fill(t, db.DB, n)
	// The first sender is stopped while the server takes its tenth mail.
	stopFirst := make(chan func(), 1)
	stopped := make(chan struct{})
	var accepted atomic.Int64
	srv := startServer(t, "127.0.0.1:0", func(ts *testServer) {
		ts.accepted = func() {
			if accepted.Add(1) == 10 {
				go func() { (<-stopFirst)(); close(stopped) }()
			}
		}
	})
	stopFirst <- runSender(t, db, smtpURL(srv.Addr), func(c *Config) { c.Batch = 8 })
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the first sender did not deliver ten mails and stop")
	}
	first := len(srv.Received())
	if first >= n {
		t.Fatalf("the first sender delivered all %d before it was stopped", first)
	}
	if sending := countStatus(t, db.DB, models.MailSending); sending != 0 {
		t.Errorf("%d rows left claimed after a graceful stop", sending)
	}
	runSender(t, db, smtpURL(srv.Addr), nil)
	eventually(t, 10*time.Second, "every mail", func() bool { return countStatus(t, db.DB, models.MailSent) == n })
	t.Logf("first sender delivered %d of %d, the second the rest", first, n)
	onceEach(t, db, srv.Received(), n)
}

// TestCrashedClaimant: rows claimed by a sender that died are retried by
// another once the lease runs out, and sent once.
func TestCrashedClaimant(t *testing.T) {
	db := modelstest.Open(t)
	fill(t, db.DB, 5)
	claimedAt := time.Now().UTC()
	claimed, err := models.ClaimMail(db.DB, "crashed", 200*time.Millisecond, 3, claimedAt)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claim: %d (%v)", len(claimed), err)
	}
	srv := startServer(t, "127.0.0.1:0", nil)
	runSender(t, db, smtpURL(srv.Addr), nil)
	eventually(t, 10*time.Second, "every mail", func() bool { return countStatus(t, db.DB, models.MailSent) == 5 })
	if time.Since(claimedAt) < 200*time.Millisecond {
		t.Error("the claimed rows were taken before their lease ran out")
	}
	onceEach(t, db, srv.Received(), 5)
}

// TestTwoSenders runs two senders, each with its own connection pool, on
// one database: every mail is delivered exactly once.
func TestTwoSenders(t *testing.T) {
	tests := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return t.TempDir() + "/shared.db" }},
		{"postgres", func(t *testing.T) string { return modelstest.PostgresURL(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 60
			url := tt.url(t)
			one, two := modelstest.OpenURL(t, url), modelstest.OpenURL(t, url)
			fill(t, one.DB, n)
			srv := startServer(t, "127.0.0.1:0", nil)
			logs := []*logBuffer{{}, {}}
			var stops []func()
			for i, db := range []*models.DB{one, two} {
				stops = append(stops, runSender(t, db, smtpURL(srv.Addr), func(c *Config) {
					c.Batch = 4
					c.Log = slog.New(slog.NewTextHandler(logs[i], &slog.HandlerOptions{Level: slog.LevelDebug}))
				}))
			}
			eventually(t, 20*time.Second, "every mail", func() bool { return countStatus(t, one.DB, models.MailSent) == n })
			for _, stop := range stops {
				stop() // a double delivery in flight would have arrived by now
			}
			onceEach(t, one, srv.Received(), n)
			a, b := strings.Count(logs[0].String(), "mail sent"), strings.Count(logs[1].String(), "mail sent")
			t.Logf("first sender sent %d, second %d", a, b)
			if a+b != n {
				t.Errorf("senders logged %d+%d sent mails, want %d", a, b, n)
			}
		})
	}
}

// TestHeldWithoutServer: with no SMTP_URL, mail is held and each held mail
// is logged in development by kind, id and event, never by address or name.
func TestHeldWithoutServer(t *testing.T) {
	db := modelstest.Open(t)
	ev := fill(t, db.DB, 2)
	logs := &logBuffer{}
	runSender(t, db, "", func(c *Config) {
		c.Development = true
		c.Log = slog.New(slog.NewTextHandler(logs, nil))
	})
	// The sender logs each mail just after marking it held: wait for both.
	eventually(t, 5*time.Second, "both mails held and logged", func() bool {
		return countStatus(t, db.DB, models.MailHeld) == 2 && strings.Count(logs.String(), "mail_id=") >= 2
	})
	out := logs.String()
	for _, want := range []string{"kind=confirmation", "mail_id=1", "mail_id=2", "event=" + ev.Slug} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, never := range []string{"@example.org", "Amina"} {
		if strings.Contains(out, never) {
			t.Errorf("log holds personal data %q:\n%s", never, out)
		}
	}
}

// BenchmarkConfirmationLatency measures how long a confirmation takes from
// models.Register to the SMTP server receiving it, with the default poll
// interval (250 ms). Each registration comes at a random moment of the
// sender's poll cycle, as people's do; that wait is not timed. ns/op is the
// mean; the median and the worst are reported beside it.
//
//	go test -run XXX -bench ConfirmationLatency -benchtime 40x ./mail/
func BenchmarkConfirmationLatency(b *testing.B) {
	db := modelstest.Open(b)
	ev := testEvent(b, db.DB, b.N+10)
	srv := startServer(b, "127.0.0.1:0", nil)
	runSender(b, db, smtpURL(srv.Addr), func(c *Config) { c.Poll = 0 }) // 0: the default
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond) // a random phase of the poll cycle
		b.StartTimer()
		start := time.Now()
		registerAs(b, db.DB, ev, fmt.Sprintf("timed%06d@example.org", i), models.InPerson, 0)
		d := srv.Wait(b, 10*time.Second)
		lat = append(lat, d.At.Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "ms-max")
}

// BenchmarkConfirmation is the same path with a 1 ms poll, to show the
// cost of composing and sending one confirmation apart from the wait.
func BenchmarkConfirmation(b *testing.B) {
	db := modelstest.Open(b)
	ev := testEvent(b, db.DB, b.N+10)
	srv := startServer(b, "127.0.0.1:0", nil)
	runSender(b, db, smtpURL(srv.Addr), func(c *Config) { c.Poll = time.Millisecond })
	b.ResetTimer()
	for i := range b.N {
		registerAs(b, db.DB, ev, fmt.Sprintf("bench%06d@example.org", i), models.InPerson, 0)
		srv.Wait(b, 10*time.Second)
	}
}

func TestTLSPolicy(t *testing.T) {
	for raw, want := range map[string]string{
		"smtp://mail.example.org:587":               "",
		"smtp://user:pw@mail.example.org":           "",
		"smtp://mail.example.org?tls=opportunistic": "opportunistic",
		"smtp://localhost:1025":                     "opportunistic",
		"smtp://127.0.0.1:1025":                     "opportunistic",
		"smtp://[::1]:1025":                         "opportunistic",
		"smtp://127.0.0.1:1025?tls=required":        "required",
		"smtp://localhost:1025?tls=none":            "none",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := tlsPolicy(u); got != want {
			t.Errorf("%s: policy %q, want %q (\"\" is required)", raw, got, want)
		}
	}
}
