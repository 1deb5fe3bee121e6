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

// TestHostsReadAsAList: hosts read "A", "A and B", "A, B and C" on every
// page and feed that names them, each name isolated for bidi.
func TestHostsReadAsAList(t *testing.T) {
	e := seeded(t)
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, c := range []struct {
		path string
		want []string
	}{
		{"/events/hmd-interfaith-memorial", []string{"Hosted by Northside Synagogue, Al-Noor Mosque and St Mary&#39;s Church"}},
		{"/events/solidarity-iftar", []string{"Hosted by Al-Noor Mosque and Northside Synagogue"}},
		{"/events/public-meeting-hate-crime", []string{"Hosted by Open Doors Human Rights\n"}},
		{"/events/hmd-interfaith-memorial/poster", []string{"Hosted by Northside Synagogue, Al-Noor Mosque and St Mary&#39;s Church"}},
		{"/", []string{"Hosted by Northside Synagogue, Al-Noor Mosque and St Mary&#39;s Church", "Hosted by Al-Noor Mosque and Northside Synagogue"}},
		{"/events/hmd-interfaith-memorial.ics", []string{"Hosted by Northside Synagogue\\, Al-Noor Mosque and St Mary's Church."}},
	} {
		t.Run(c.path, func(t *testing.T) {
			r, b := e.get(c.path)
			if r.StatusCode != 200 {
				t.Fatalf("%d", r.StatusCode)
			}
			b = strings.ReplaceAll(b, "\r\n ", "")
			text := tags.ReplaceAllString(b, "")
			if m := regexp.MustCompile(`Hosted by [^\n]* with .*`).FindString(text); m != "" {
				t.Errorf("hosts joined with \"with\": %q", m)
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q", w)
				}
			}
		})
	}
}
