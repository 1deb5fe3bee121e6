package calendar

import "time"

// Codes of the Christian feasts that warnings name.
const (
	Christmas  = "christmas"
	GoodFriday = "good_friday"
	Easter     = "easter"
)

// EasterSunday is Western Easter in a Gregorian year, by the anonymous
// Gregorian computus (Meeus, Astronomical Algorithms, ch. 8): a dozen lines
// of integer arithmetic that no library of ours offers, checked in the tests
// against published dates.
func EasterSunday(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}

// christianDays are Christmas Day, Good Friday and Easter Sunday of a year.
func christianDays(year int) []Observance {
	easter := EasterSunday(year)
	return []Observance{
		{Code: GoodFriday, Title: "Good Friday", Faith: FaithChristian, First: easter.AddDays(-2), Last: easter.AddDays(-2)},
		{Code: Easter, Title: "Easter Sunday", Faith: FaithChristian, First: easter, Last: easter},
		{Code: Christmas, Title: "Christmas Day", Faith: FaithChristian, First: Date{year, time.December, 25}, Last: Date{year, time.December, 25}},
	}
}
