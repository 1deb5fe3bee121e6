package app_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// addEvents stores n more published events, with a host, in one go.
func (s *feedServer) addEvents(n int) {
	s.t.Helper()
	var org models.Organisation
	if err := s.db.Where("slug = ?", "open-doors").Take(&org).Error; err != nil {
		s.t.Fatal(err)
	}
	start := s.clock().Add(24 * time.Hour).Truncate(time.Hour)
	evs := make([]models.Event, n)
	for i := range evs {
		st := start.Add(time.Duration(i) * 7 * time.Hour)
		evs[i] = models.Event{Slug: "bench-" + strconv.Itoa(i), Title: "Benchmark meeting " + strconv.Itoa(i), Kind: models.KindMeeting,
			Summary: "A public meeting, one of many.", Status: models.StatusPublished, StartsAt: st, EndsAt: st.Add(2 * time.Hour),
			Timezone: "Europe/London", InPerson: true, VenueName: "Friends Meeting House", VenueAddress: "173 Euston Road, London NW1 2BJ",
			AddressVisibility: models.AddressPublic, Waitlist: true, ReminderHours: 24}
	}
	if err := s.db.CreateInBatches(&evs, 200).Error; err != nil {
		s.t.Fatal(err)
	}
	hosts := make([]models.EventHost, n)
	for i := range hosts {
		hosts[i] = models.EventHost{EventID: evs[i].ID, OrganisationID: org.ID, Role: models.RoleHost}
	}
	if err := s.db.Omit("Organisation").CreateInBatches(&hosts, 500).Error; err != nil {
		s.t.Fatal(err)
	}
}

// benchGet requests path with If-None-Match until b.N, expecting status.
func benchGet(b *testing.B, client *http.Client, url, etag string, status int) {
	b.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != status {
			b.Fatalf("status %d, want %d", r.StatusCode, status)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// benchFeedServer is the demo data plus 2,000 events, /calendar.ics warmed.
func benchFeedServer(b *testing.B) (*feedServer, string, int) {
	s := newFeedServer(b)
	s.addEvents(2000)
	r, body := s.fetch("GET", "/calendar.ics")
	if r.StatusCode != 200 {
		b.Fatalf("status %d", r.StatusCode)
	}
	return s, r.Header.Get("ETag"), len(body)
}

// BenchmarkFeed304 is a calendar client's repeat request for the feed of all
// events (2,000 and the demo's), answered 304 from the ETag: one fingerprint
// query and a map lookup.
func BenchmarkFeed304(b *testing.B) {
	s, etag, _ := benchFeedServer(b)
	benchGet(b, s.client, s.url+"/calendar.ics", etag, 304)
}

// BenchmarkFeed304InMemory is the same through app.Test, in parallel, as
// BenchmarkBareFiber and BenchmarkEventPage measure.
func BenchmarkFeed304InMemory(b *testing.B) {
	s, etag, _ := benchFeedServer(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/calendar.ics", nil)
			req.Header.Set("If-None-Match", etag)
			r, err := s.app.Fiber.Test(req, -1)
			if err != nil || r.StatusCode != 304 {
				b.Fatalf("status %v %v", r.StatusCode, err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkFeed200Cached is a first request for the same feed from another
// client: the cached bytes, about 1.5 MB.
func BenchmarkFeed200Cached(b *testing.B) {
	s, _, size := benchFeedServer(b)
	b.SetBytes(int64(size))
	benchGet(b, s.client, s.url+"/calendar.ics", "", 200)
}

// BenchmarkFeedRebuild is the request after a change: every request here
// follows an edit, so the feed of 2,000 events is read and built each time.
func BenchmarkFeedRebuild(b *testing.B) {
	s, _, _ := benchFeedServer(b)
	req, _ := http.NewRequest("GET", s.url+"/calendar.ics", nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := s.db.Exec("UPDATE events SET updated_at = ? WHERE slug = ?", s.clock().Add(time.Duration(i)*time.Second), "bench-0").Error; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r, err := s.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
}

// BenchmarkBareFiber304 is the yardstick of SPEC §5: a bare Fiber handler
// answering 304 on the same machine, through the same client.
func BenchmarkBareFiber304(b *testing.B) {
	f := fiber.New(fiber.Config{DisableStartupMessage: true})
	f.Get("/calendar.ics", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderETag, `"x"`)
		if c.Get(fiber.HeaderIfNoneMatch) == `"x"` {
			c.Status(fiber.StatusNotModified)
			return nil
		}
		return c.SendString("BEGIN:VCALENDAR")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = f.Listener(ln) }()
	b.Cleanup(func() { _ = f.Shutdown() })
	benchGet(b, &http.Client{}, "http://"+ln.Addr().String()+"/calendar.ics", `"x"`, 304)
}
