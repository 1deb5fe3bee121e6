package calendar

import (
	"strings"
	"time"
)

// Clock writes a time of day the one way Convene's pages, mails and feeds
// do: "7pm", "5:19pm". It formats t as it is; put it in the right zone
// first.
func Clock(t time.Time) string {
	if t.Minute() == 0 {
		return strings.ToLower(t.Format("3pm"))
	}
	return strings.ToLower(t.Format("3:04pm"))
}

// When writes an event's date and times the one way Convene's pages and
// mails do, in loc (the event's zone): "Thursday 10 December 2026, 7pm to
// 9pm (GMT, London time)", or with both dates when it ends on another day.
func When(start, end time.Time, loc *time.Location) string {
	s, e := start.In(loc), end.In(loc)
	day := "Monday 2 January 2006"
	out := s.Format(day) + ", " + Clock(s) + " to " + Clock(e)
	if s.YearDay() != e.YearDay() || s.Year() != e.Year() {
		out = s.Format(day) + ", " + Clock(s) + " to " + e.Format(day) + ", " + Clock(e)
	}
	return out + " (" + ZoneName(s) + ")"
}

// ZoneName names t's zone for people, as it is at t: "GMT, London time",
// "BST, London time", "-03, Buenos Aires time".
func ZoneName(t time.Time) string {
	abbr, _ := t.Zone()
	city := t.Location().String()
	if i := strings.LastIndexByte(city, '/'); i >= 0 {
		city = strings.ReplaceAll(city[i+1:], "_", " ")
	}
	return abbr + ", " + city + " time"
}
