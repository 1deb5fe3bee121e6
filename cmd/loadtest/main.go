// Command loadtest races registrations against running Convene instances and
// checks that no event is oversold. It talks only to the URLs it is given
// (loopback in our own measurements) and stops by itself.
//
//	go run ./cmd/loadtest -token TOKEN -urls http://127.0.0.1:3001,http://127.0.0.1:3002 -n 1000 -capacity 100
//
// It creates a published event through the first URL (with the organiser
// token), sends n registrations spread round-robin over the URLs from c
// concurrent clients, then reads the registrations back and reports
// throughput, latency percentiles and the oversold count (must be 0).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run() error {
	urls := flag.String("urls", "http://127.0.0.1:3000", "comma-separated base URLs of the instances")
	token := flag.String("token", "", "organiser API token (convene token create --email …)")
	n := flag.Int("n", 1000, "registrations to send")
	clients := flag.Int("c", 100, "concurrent clients")
	capacity := flag.Int("capacity", 100, "in-person capacity of the test event")
	timeout := flag.Duration("timeout", 2*time.Minute, "give up after this long")
	flag.Parse()
	if *token == "" {
		return errors.New("-token is required")
	}
	bases := strings.Split(*urls, ",")
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *clients}}

	slug := fmt.Sprintf("load-%d", time.Now().UnixNano())
	event := fmt.Sprintf(`{"slug":%q,"title":"Load test","kind":"meeting","status":"published","starts_at":%q,"capacity":%d}`,
		slug, time.Now().Add(30*24*time.Hour).UTC().Format(time.RFC3339), *capacity)
	if status, body, err := send(client, "POST", bases[0]+"/api/v1/events", *token, event); err != nil || status != 201 {
		return fmt.Errorf("create event: %d %s %v", status, body, err)
	}

	var next atomic.Int64
	var codes sync.Map
	lat := make([]time.Duration, *n)
	deadline := time.Now().Add(*timeout)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= *n || time.Now().After(deadline) {
					return
				}
				base := bases[i%len(bases)]
				t := time.Now()
				status, _, err := send(client, "POST", base+"/api/v1/events/"+slug+"/registrations", "",
					fmt.Sprintf(`{"name":"Load %d","email":"load%d@example.org","consent":true}`, i, i))
				lat[i] = time.Since(t)
				key := fmt.Sprint(status)
				if err != nil {
					key = "error"
				}
				v, _ := codes.LoadOrStore(key, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	_, body, err := send(client, "GET", bases[0]+"/api/v1/events/"+slug+"/registrations", *token, "")
	if err != nil {
		return err
	}
	var list struct {
		Registrations []struct {
			Status string `json:"status"`
			Guests int    `json:"guests"`
		} `json:"registrations"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return fmt.Errorf("read registrations: %w", err)
	}
	confirmed, waitlisted := 0, 0
	for _, r := range list.Registrations {
		switch r.Status {
		case "confirmed":
			confirmed += 1 + r.Guests
		case "waitlisted":
			waitlisted++
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("event %s: %d registrations over %d instance(s) from %d clients in %v\n", slug, *n, len(bases), *clients, elapsed.Round(time.Millisecond))
	fmt.Printf("throughput %.0f registrations/s; latency p50 %v p95 %v p99 %v\n", float64(*n)/elapsed.Seconds(),
		pct(.5).Round(time.Microsecond), pct(.95).Round(time.Microsecond), pct(.99).Round(time.Microsecond))
	codes.Range(func(k, v any) bool { fmt.Printf("  status %s: %d\n", k, v.(*atomic.Int64).Load()); return true })
	oversold := max(0, confirmed-*capacity)
	fmt.Printf("confirmed places %d of %d, waitlisted %d, oversold %d\n", confirmed, *capacity, waitlisted, oversold)
	if oversold > 0 {
		return fmt.Errorf("OVERSOLD by %d", oversold)
	}
	return nil
}

func send(c *http.Client, method, url, token, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	return r.StatusCode, b, err
}
