package mail

import (
	"fmt"
	"strings"
	"time"

	"convene/calendar"
)

// formatWhen is "Thursday 10 December 2026, 7pm to 9pm (GMT, London time)",
// in the event's own time zone.
func formatWhen(start, end time.Time, tz string) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	s, e := start.In(loc), end.In(loc)
	var out string
	if s.YearDay() == e.YearDay() && s.Year() == e.Year() {
		out = fmt.Sprintf("%s, %s to %s", s.Format("Monday 2 January 2006"), calendar.Clock(s), calendar.Clock(e))
	} else {
		out = fmt.Sprintf("%s, %s to %s, %s", s.Format("Monday 2 January 2006"), calendar.Clock(s), e.Format("Monday 2 January 2006"), calendar.Clock(e))
	}
	abbr, _ := s.Zone()
	city := loc.String()
	if i := strings.LastIndexByte(city, '/'); i >= 0 {
		city = strings.ReplaceAll(city[i+1:], "_", " ")
	}
	return out + " (" + abbr + ", " + city + " time)"
}
