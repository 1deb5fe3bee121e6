package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"convene/models"
	"convene/models/modelstest"
)

const testBaseURL = "https://events.example.org"

func ptr[T any](v T) *T { return &v }

func testComposer() Composer {
	return Composer{BaseURL: testBaseURL, From: "Convene <no-reply@events.example.org>", Tokens: modelstest.Tokens()}
}

// fastSchedule retries within milliseconds so tests run quickly.
func fastSchedule() Schedule {
	return Schedule{Delays: []time.Duration{5 * time.Millisecond, 10 * time.Millisecond}, Every: 20 * time.Millisecond, GiveUp: time.Minute}
}

// testEvent creates a published hybrid event ten days ahead, hosted by an
// organisation with a contact address, its venue address for registrants.
func testEvent(t testing.TB, db *gorm.DB, capacity int) *models.Event {
	t.Helper()
	org := models.Organisation{Slug: "open-doors", Name: "Open Doors", Email: "events@opendoors.example.org", Timezone: "Europe/London"}
	if err := db.Where(models.Organisation{Slug: org.Slug}).FirstOrCreate(&org).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	start := now.Add(10 * 24 * time.Hour).Truncate(time.Hour)
	ev, err := models.CreateEvent(db, models.EventInput{
		Title: ptr("Solidarity iftar"), Kind: ptr(models.KindIftar), Status: ptr(models.StatusPublished),
		StartsAt: &start, EndsAt: ptr(start.Add(2 * time.Hour)), InPerson: ptr(true), Online: ptr(true),
		Venue:     &models.VenueInput{Name: ptr("Al-Noor Mosque"), Address: ptr("1 High Street, London"), AddressVisibility: ptr(models.AddressRegistrants)},
		StreamURL: ptr("https://stream.example.org/iftar"), CapacitySet: true, Capacity: ptr(capacity), MaxGuests: ptr(3),
	}, nil, &org.ID, now)
	if err != nil {
		t.Fatalf("create event: %v", err)
	}
	return ev
}

func registerAs(t testing.TB, db *gorm.DB, ev *models.Event, email, mode string, guests int) *models.Registration {
	t.Helper()
	res, err := models.Register(db, modelstest.Tokens(), ev.ID, models.RegisterInput{
		Name: "Amina Example", Email: email, Guests: guests, Attendance: mode, Consent: true, Answers: map[string]string{},
	}, time.Now().UTC())
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return res.Registration
}

// fill registers n people, so the outbox holds n confirmations.
func fill(t testing.TB, db *gorm.DB, n int) *models.Event {
	t.Helper()
	ev := testEvent(t, db, n)
	for i := range n {
		registerAs(t, db, ev, fmt.Sprintf("person%03d@example.org", i), models.InPerson, 0)
	}
	return ev
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runSender starts a sender on db and returns a function that stops it and
// waits until it has.
func runSender(t testing.TB, db *models.DB, smtpURL string, configure func(*Config)) (stop func()) {
	t.Helper()
	cfg := Config{SMTPURL: smtpURL, Composer: testComposer(), Schedule: fastSchedule(), Poll: 5 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if configure != nil {
		configure(&cfg)
	}
	s, err := New(db, cfg)
	if err != nil {
		t.Fatalf("new sender: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Errorf("sender did not stop within 10s")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually polls cond until it holds, failing the test after timeout.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func countStatus(t testing.TB, db *gorm.DB, status string) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&models.OutboxMail{}).Where("status = ?", status).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// part is one leaf of a MIME message.
type part struct {
	ContentType string
	Params      map[string]string
	Disposition string
	// ContentID is the part's Content-ID header, angle brackets and all.
	ContentID string
	// Parent is the type of the multipart directly holding the part; empty
	// for a single-part message.
	Parent string
	Body   []byte
}

// leaves parses a MIME entity into its leaf parts, decoding transfer
// encodings.
func leaves(t *testing.T, header mail.Header, body io.Reader) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type %q: %v", header.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		var out []part
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			sub := leaves(t, mail.Header(p.Header), p)
			for i := range sub {
				if sub[i].Parent == "" {
					sub[i].Parent = mt
				}
			}
			out = append(out, sub...)
		}
	}
	var r io.Reader = body
	switch strings.ToLower(header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", mt, err)
	}
	return []part{{ContentType: mt, Params: params, Disposition: header.Get("Content-Disposition"),
		ContentID: header.Get("Content-Id"), Body: b}}
}

func findPart(parts []part, contentType string) *part {
	for i := range parts {
		if parts[i].ContentType == contentType {
			return &parts[i]
		}
	}
	return nil
}
