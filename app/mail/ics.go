package mail

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"convene/models"
)

// icsEvent is what a mail's calendar attachment says about one event.
type icsEvent struct {
	UID         string
	URL         string
	Location    string
	Description string
}

// eventICS writes a single-event VCALENDAR (RFC 5545): CRLF line ends,
// folded lines, times in UTC. It is small on purpose: the public and
// private feeds have their own generator. DTSTAMP is the event's last change
// so that the same state always gives the same bytes.
func eventICS(ev *models.Event, e icsEvent) []byte {
	var b strings.Builder
	line := func(name, value string) { writeFolded(&b, name+":"+value) }
	utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	summary := ev.Title
	status := "CONFIRMED"
	switch {
	case ev.Status == models.StatusCancelled:
		// Google drops cancelled events; the title says it for everyone.
		summary, status = "Cancelled: "+ev.Title, "CANCELLED"
	case ev.Tentative || ev.Status == models.StatusPostponed:
		status = "TENTATIVE"
	}
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Convene//Convene mail//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("BEGIN", "VEVENT")
	line("UID", e.UID)
	line("DTSTAMP", utc(ev.UpdatedAt))
	line("SEQUENCE", strconv.Itoa(ev.Sequence))
	line("DTSTART", utc(ev.StartsAt))
	line("DTEND", utc(ev.EndsAt))
	line("SUMMARY", escapeText(summary))
	if e.Location != "" {
		line("LOCATION", escapeText(e.Location))
	}
	if e.Description != "" {
		line("DESCRIPTION", escapeText(e.Description))
	}
	if e.URL != "" {
		line("URL", e.URL)
	}
	line("STATUS", status)
	line("END", "VEVENT")
	line("END", "VCALENDAR")
	return []byte(b.String())
}

// escapeText escapes a TEXT value: backslash, semicolon, comma, newline.
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// writeFolded writes a content line folded at 75 octets without splitting
// a UTF-8 character, continuation lines starting with a space.
func writeFolded(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
