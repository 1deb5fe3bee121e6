package app_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"convene/models"
)

// TestConcurrentRegistrationsOverHTTP races 500 registrations for 50 places
// through the real HTTP server on a file-backed SQLite database.
func TestConcurrentRegistrationsOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.event("race", func(in *models.EventInput) { in.Capacity = ip(50) })
	base := e.serve()
	const n = 500
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var wg sync.WaitGroup
	codes := make([]int, n)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := fmt.Sprintf(`{"name":"P%d","email":"p%d@example.org","consent":true}`, i, i)
			r, err := client.Post(base+"/api/v1/events/race/registrations", "application/json", strings.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			r.Body.Close()
			codes[i] = r.StatusCode
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i, c := range codes {
		if c != 201 {
			t.Fatalf("request %d: status %d", i, c)
		}
	}
	var confirmed, waitlisted []models.Registration
	e.db.Where("event_id = ? AND status = ?", ev.ID, models.RegConfirmed).Find(&confirmed)
	e.db.Where("event_id = ? AND status = ?", ev.ID, models.RegWaitlisted).Order("waitlist_seq").Find(&waitlisted)
	if len(confirmed) != 50 || len(waitlisted) != n-50 {
		t.Fatalf("confirmed %d, waitlisted %d; want 50 and %d", len(confirmed), len(waitlisted), n-50)
	}
	var fresh models.Event
	e.db.First(&fresh, ev.ID)
	if fresh.Taken != 50 {
		t.Fatalf("taken counter %d, want 50", fresh.Taken)
	}
	positions := make([]int, len(waitlisted))
	for i := range waitlisted {
		p, err := models.WaitlistPosition(e.db.DB, &waitlisted[i])
		if err != nil {
			t.Fatal(err)
		}
		positions[i] = p
	}
	sort.Ints(positions)
	for i, p := range positions {
		if p != i+1 {
			t.Fatalf("waitlist positions are not 1..%d: position %d at %d", n-50, p, i)
		}
	}
}
