package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// BenchmarkStartToReady builds the convene binary, starts it with
// CONVENE_ENV=production and polls /readyz until it answers 200: on an
// empty database (migrations included) and on an existing one with the
// demo data, on SQLite and on PostgreSQL. ns/op is the mean wall time from
// starting the process to ready; beside it, the median and worst wall time,
// and the median CPU time the process used to get there (all its threads,
// from /proc/PID/task/*/schedstat) and the median time it waited for a CPU
// (the same file's run-queue wait: what other work on the machine cost it).
//
//	go test -run XXX -bench StartToReady -benchtime 20x ./cmd/convene/
//
// CONVENE_BENCH_BIN=/path/to/convene measures that binary instead (an older
// build, say) with the same client.
func BenchmarkStartToReady(b *testing.B) {
	bin := os.Getenv("CONVENE_BENCH_BIN") // another build, to compare
	if bin == "" {
		bin = filepath.Join(b.TempDir(), "convene")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
	}
	sqlite := func(b *testing.B) string { return filepath.Join(b.TempDir(), "convene.db") }
	postgres := func(b *testing.B) string { return modelstest.PostgresURL(b) }
	for _, tc := range []struct {
		name     string
		url      func(*testing.B) string
		existing bool
	}{
		{"sqlite/empty", sqlite, false},
		{"sqlite/existing", sqlite, true},
		{"postgres/empty", postgres, false},
		{"postgres/existing", postgres, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.StopTimer() // only start to ready is timed
			var url string
			if tc.existing {
				url = tc.url(b)
				db := modelstest.OpenURL(b, url)
				if _, err := models.Seed(db.DB, modelstest.Tokens(), time.Now().UTC()); err != nil {
					b.Fatal(err)
				}
				db.Close()
			}
			var wall, cpu, wait []time.Duration
			for range b.N {
				u := url
				if !tc.existing {
					u = tc.url(b)
				}
				w, c, q := startToReady(b, bin, u)
				wall, cpu, wait = append(wall, w), append(cpu, c), append(wait, q)
			}
			slices.Sort(wall)
			slices.Sort(cpu)
			slices.Sort(wait)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(wall[len(wall)/2]), "ms-median")
			b.ReportMetric(ms(wall[len(wall)-1]), "ms-max")
			b.ReportMetric(ms(cpu[len(cpu)/2]), "cpu-ms-median")
			b.ReportMetric(ms(wait[len(wait)/2]), "runqueue-ms-median")
		})
	}
}

// startToReady starts bin serve on url, measures until /readyz answers 200,
// then stops it gracefully (so the next start finds a cleanly closed file).
func startToReady(b *testing.B, bin, url string) (wall, cpu, wait time.Duration) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Dir = b.TempDir()
	cmd.Env = append(os.Environ(), "CONVENE_ENV=production", "CONVENE_ADDR="+addr, "DATABASE_URL="+url,
		"BASE_URL=https://events.example.org", "SECRET_KEY=Zq4v8Lw2Rt6Yp0Kd3Hs7Nb1Xc5Mf9Gj2Tx8WqLm4", "LOG_LEVEL=warn")
	client := &http.Client{Timeout: 2 * time.Second}
	b.StartTimer()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	deadline := start.Add(30 * time.Second)
	for {
		r, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			b.Fatalf("not ready after 30 s (%v)", err)
		}
		time.Sleep(time.Millisecond) // poll, leaving the CPU to the process
	}
	wall = time.Since(start)
	b.StopTimer()
	cpu, wait = schedstat(cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		b.Fatalf("convene serve: %v", err)
	}
	return wall, cpu, wait
}

// schedstat sums the time on a CPU and the time waiting for one of every
// thread of process pid (Linux; zero elsewhere).
func schedstat(pid int) (cpu, wait time.Duration) {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		fields := strings.Fields(string(b))
		if len(fields) < 2 {
			continue
		}
		run, _ := strconv.ParseInt(fields[0], 10, 64)
		queued, _ := strconv.ParseInt(fields[1], 10, 64)
		cpu += time.Duration(run)
		wait += time.Duration(queued)
	}
	return cpu, wait
}
