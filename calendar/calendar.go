// Package calendar knows the days an interfaith organiser plans around:
// Maghrib (when an iftar starts), Shabbat and the Jewish festivals, Ramadan
// and the Eids, the Christian feasts, and memorial days. It is pure: no
// storage, no HTTP, no clock of its own. Times come from maintained
// libraries: go-prayer (Maghrib, Zuhr), hebcal-go (the Hebrew calendar,
// candle lighting, nightfall) and go-hijri (the Umm al-Qura calendar).
//
// Jewish and Islamic days start at sunset, so a festival's window runs from
// the evening before: Shabbat from Friday candle lighting to Saturday
// nightfall.
package calendar

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hebcal/hebcal-go/zmanim"
)

// Place is where times are computed: a venue, or an organisation's home
// place for online events.
type Place struct {
	Name      string
	Latitude  float64
	Longitude float64
	Zone      *time.Location
}

// London is the default home place of an organisation.
var London = Place{Name: "London", Latitude: 51.5072, Longitude: -0.1276, Zone: mustZone("Europe/London")}

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Coordinate errors.
var (
	ErrLatitude  = errors.New("latitude must be between -90 and 90")
	ErrLongitude = errors.New("longitude must be between -180 and 180")
	// ErrNoSunset is a place and date where the sun does not set, or does
	// not rise (polar day or night), so there is no Maghrib.
	ErrNoSunset = errors.New("the sun does not set there on that date")
)

// CheckCoordinates reports whether a latitude and longitude are usable.
func CheckCoordinates(lat, lon float64) error {
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return ErrLatitude
	}
	if math.IsNaN(lon) || lon < -180 || lon > 180 {
		return ErrLongitude
	}
	return nil
}

func (p Place) zone() *time.Location {
	if p.Zone == nil {
		return time.UTC
	}
	return p.Zone
}

// Israel reports whether the place follows the Israeli festival schedule
// (one day of Yom Tov where the Diaspora keeps two): its zone is Israel's.
func (p Place) Israel() bool {
	switch p.zone().String() {
	case "Asia/Jerusalem", "Asia/Tel_Aviv", "Israel":
		return true
	}
	return false
}

// Label names the place for messages: its own name, else the nearest
// city hebcal knows within 30 km, else its coordinates.
func (p Place) Label() string {
	if p.Name != "" {
		return p.Name
	}
	if c := NearestCity(p.Latitude, p.Longitude, 30); c != "" {
		return c
	}
	return fmt.Sprintf("%.2f°, %.2f°", p.Latitude, p.Longitude)
}

// NearestCity is the name of the city of hebcal's list nearest to the
// coordinates, if one is within km kilometres.
func NearestCity(lat, lon, km float64) string {
	best, name := km, ""
	for _, c := range zmanim.AllCities() {
		if d := distanceKM(lat, lon, c.Latitude, c.Longitude); d <= best {
			best, name = d, c.Name
		}
	}
	return name
}

// distanceKM is the great-circle distance between two points.
func distanceKM(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 6371 * 2 * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

// Date is a civil date, without a time or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the date of t in its own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return Date{}, err
	}
	return DateOf(t), nil
}

// In is the start (midnight, or the first instant) of the date in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays is the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday is the day of the week of the date.
func (d Date) Weekday() time.Weekday { return d.In(time.UTC).Weekday() }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.In(time.UTC).Before(e.In(time.UTC)) }

// String is YYYY-MM-DD.
func (d Date) String() string { return d.In(time.UTC).Format("2006-01-02") }

// Window is a stretch of time in a place: a festival from its eve to its
// end, or an estimated day.
type Window struct {
	Start, End time.Time
}

// Overlaps reports whether the window and [start, end) share any time.
func (w Window) Overlaps(start, end time.Time) bool {
	return w.Start.Before(end) && start.Before(w.End)
}
