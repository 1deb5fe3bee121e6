package app_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestIftarTimeWrittenLikeEventTimes: the iftar line says "5:19pm", as the
// event's own time above it does, on every page and feed that shows it.
func TestIftarTimeWrittenLikeEventTimes(t *testing.T) {
	e := seeded(t)
	twelve := regexp.MustCompile(`Iftar at sunset — \d{1,2}(:\d\d)?[ap]m`)
	twentyFour := regexp.MustCompile(`\d{2}:\d{2}`)
	for _, path := range []string{"/events/solidarity-iftar", "/", "/events/solidarity-iftar/poster", "/events/solidarity-iftar.ics"} {
		t.Run(path, func(t *testing.T) {
			r, b := e.get(path)
			if r.StatusCode != 200 {
				t.Fatalf("%d", r.StatusCode)
			}
			b = strings.ReplaceAll(b, "\r\n ", "")
			if !twelve.MatchString(b) {
				t.Fatalf("no iftar line in the event's time format")
			}
			for _, m := range regexp.MustCompile(`Iftar at sunset — [^<\\\n]{0,8}`).FindAllString(b, -1) {
				if twentyFour.MatchString(m) {
					t.Errorf("24-hour iftar time: %q", m)
				}
			}
		})
	}
}
