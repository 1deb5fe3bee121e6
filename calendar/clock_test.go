package calendar

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	for _, c := range []struct {
		at   string
		want string
	}{
		{"2027-02-17T17:19:00Z", "5:19pm"},
		{"2027-02-17T19:00:00Z", "7pm"},
		{"2027-02-17T00:00:00Z", "12am"},
		{"2027-02-17T12:05:00Z", "12:05pm"},
		{"2027-02-17T09:30:59Z", "9:30am"},
	} {
		at, err := time.Parse(time.RFC3339, c.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := Clock(at); got != c.want {
			t.Errorf("Clock(%s) = %q, want %q", c.at, got, c.want)
		}
	}
}

// TestWhen: the "When" of pages and mails, in the event's zone, across a
// change of clocks, past midnight and in zones with minutes and no
// abbreviation.
func TestWhen(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	for _, c := range []struct {
		start, end string
		zone       string
		want       string
	}{
		{"2026-12-10T19:00:00Z", "2026-12-10T21:00:00Z", "Europe/London", "Thursday 10 December 2026, 7pm to 9pm (GMT, London time)"},
		{"2026-06-11T17:30:00Z", "2026-06-11T20:00:00Z", "Europe/London", "Thursday 11 June 2026, 6:30pm to 9pm (BST, London time)"},
		{"2026-03-28T23:00:00Z", "2026-03-29T02:00:00Z", "Europe/London", "Saturday 28 March 2026, 11pm to Sunday 29 March 2026, 3am (GMT, London time)"},
		{"2026-12-31T22:00:00Z", "2027-01-01T01:00:00Z", "UTC", "Thursday 31 December 2026, 10pm to Friday 1 January 2027, 1am (UTC, UTC time)"},
		{"2026-12-10T13:30:00Z", "2026-12-10T15:00:00Z", "Asia/Kolkata", "Thursday 10 December 2026, 7pm to 8:30pm (IST, Kolkata time)"},
		{"2026-12-10T22:00:00Z", "2026-12-11T00:00:00Z", "America/Argentina/Buenos_Aires", "Thursday 10 December 2026, 7pm to 9pm (-03, Buenos Aires time)"},
	} {
		start, _ := time.Parse(time.RFC3339, c.start)
		end, _ := time.Parse(time.RFC3339, c.end)
		if got := When(start, end, zone(c.zone)); got != c.want {
			t.Errorf("When(%s, %s, %s)\n = %q\nwant %q", c.start, c.end, c.zone, got, c.want)
		}
	}
}
