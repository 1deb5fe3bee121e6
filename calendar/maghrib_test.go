package calendar

import (
	"fmt"
	"testing"
	"time"

	"github.com/hebcal/hebcal-go/zmanim"
)

var (
	manchester = Place{Name: "Manchester", Latitude: 53.4808, Longitude: -2.2426, Zone: London.Zone}
	glasgow    = Place{Name: "Glasgow", Latitude: 55.8642, Longitude: -4.2518, Zone: London.Zone}
)

func minutesApart(a, b time.Time) float64 {
	d := a.Sub(b).Minutes()
	if d < 0 {
		return -d
	}
	return d
}

// TestIftarMatchesPublishedTables compares iftar times with printed UK
// timetables, within 2 minutes. What is compared is the iftar time a
// timetable prints, which holds the publisher's precaution: the default
// ("sunset", rounded up) is within 2 minutes of a table that adds about 2
// minutes, and "uk" (sunset plus 2 minutes) follows such tables exactly.
//
// London, Ramadan 1444 (March 2023): the London iftar column quoted in the
// national press from a charity's timetable. Manchester, Ramadan 1444
// (March 2023): a Manchester Ramadan timetable (republished online under
// 2024 dates; its clock change on 26 March shows it is 2023's), which adds
// a little more, so a community following it chooses "uk".
func TestIftarMatchesPublishedTables(t *testing.T) {
	tables := []struct {
		place   Place
		methods []string
		days    map[string]string
	}{
		{London, []string{DefaultMethod, "uk"}, map[string]string{
			"2023-03-23": "18:20", "2023-03-24": "18:22", "2023-03-25": "18:24", "2023-03-26": "19:25",
			"2023-03-27": "19:27", "2023-03-28": "19:29", "2023-03-29": "19:30", "2023-03-30": "19:32",
			"2023-03-31": "19:34",
		}},
		{manchester, []string{"uk"}, map[string]string{
			"2023-03-12": "18:10", "2023-03-13": "18:12", "2023-03-14": "18:14", "2023-03-15": "18:16",
			"2023-03-16": "18:18", "2023-03-17": "18:20", "2023-03-18": "18:21", "2023-03-19": "18:23",
			"2023-03-20": "18:25", "2023-03-21": "18:27", "2023-03-22": "18:29", "2023-03-23": "18:31",
			"2023-03-24": "18:32", "2023-03-25": "18:34", "2023-03-26": "19:36", "2023-03-27": "19:38",
		}},
	}
	for _, tb := range tables {
		for _, code := range tb.methods {
			m, _ := MethodByCode(code)
			for day, printed := range tb.days {
				t.Run(tb.place.Name+"/"+code+"/"+day, func(t *testing.T) {
					d, _ := ParseDate(day)
					want, err := time.ParseInLocation("2006-01-02 15:04", day+" "+printed, tb.place.Zone)
					if err != nil {
						t.Fatal(err)
					}
					got, err := Maghrib(tb.place, d, m)
					if err != nil {
						t.Fatal(err)
					}
					if minutesApart(got, want) > 2 {
						t.Errorf("iftar %s, timetable %s", got.Format("15:04"), printed)
					}
				})
			}
		}
	}
}

// TestSunsetMatchesAlmanac checks the astronomical Maghrib (go-prayer's
// SPA sunset) against an independent almanac computation, the NOAA
// equations in hebcal's zmanim, for London, Manchester and Glasgow on every
// day of February and March 2026 and 2027, and against the verified figure
// of London on 20 February 2026 (17:24). The default method must stay
// within a minute after that sunset (it rounds up), "uk" within its 2
// minutes' precaution plus rounding.
func TestSunsetMatchesAlmanac(t *testing.T) {
	sunset, _ := MethodByCode(DefaultMethod)
	uk, _ := MethodByCode("uk")
	for _, p := range []Place{London, manchester, glasgow} {
		loc := zmanim.NewLocation(p.Name, "GB", p.Latitude, p.Longitude, 0, "Europe/London")
		for _, year := range []int{2026, 2027} {
			for d := (Date{year, time.February, 1}); d.Month <= time.March; d = d.AddDays(1) {
				z := zmanim.New(&loc, d.In(time.UTC))
				almanac := z.Sunset()
				astro, err := Sunset(p, d)
				if err != nil {
					t.Fatal(err)
				}
				if m := minutesApart(astro, almanac); m > 1 {
					t.Errorf("%s %v: sunset %s, almanac %s", p.Name, d, astro.Format("15:04:05"), almanac.Format("15:04:05"))
				}
				if def, _ := Maghrib(p, d, sunset); def.Before(almanac.Add(-30*time.Second)) || def.Sub(almanac) > 90*time.Second {
					t.Errorf("%s %v: default iftar %s, sunset %s", p.Name, d, def.Format("15:04"), almanac.Format("15:04:05"))
				}
				iftar, _ := Maghrib(p, d, uk)
				if m := iftar.Sub(almanac).Minutes(); m < 1 || m > 3 {
					t.Errorf("%s %v: iftar %s is %.1f minutes after sunset %s", p.Name, d, iftar.Format("15:04"), m, almanac.Format("15:04:05"))
				}
			}
		}
	}
	// The verified figure (FIELD-NOTES), by the default method.
	got, _ := Maghrib(London, Date{2026, 2, 20}, sunset)
	want := time.Date(2026, 2, 20, 17, 24, 0, 0, London.Zone)
	if minutesApart(got, want) > 1 {
		t.Errorf("London 20 Feb 2026: %s, want 17:24 within a minute", got.Format("15:04"))
	}
}

func TestMethods(t *testing.T) {
	d := Date{2026, 2, 20}
	base, _ := Sunset(London, d)
	for _, c := range []struct {
		code     string
		min, max float64 // minutes after sunset
	}{
		{"uk", 1.5, 2.5}, {"sunset", 0, 1}, {"moonsighting", 2.5, 3.5}, {"diyanet", 6.5, 7.5},
		{"jafari", 15, 25}, {"tehran", 17, 28},
	} {
		m, ok := MethodByCode(c.code)
		if !ok {
			t.Fatalf("no method %s", c.code)
		}
		got, err := Maghrib(London, d, m)
		if err != nil {
			t.Fatal(err)
		}
		if after := got.Sub(base).Minutes(); after < c.min || after > c.max {
			t.Errorf("%s: %s is %.1f minutes after sunset %s", c.code, got.Format("15:04"), after, base.Format("15:04:05"))
		}
		if got.Second() != 0 || got.Before(base) {
			t.Errorf("%s: %v not a whole minute after sunset", c.code, got)
		}
	}
	if _, ok := MethodByCode("nope"); ok {
		t.Error("unknown method accepted")
	}
}

func BenchmarkMaghribCached(b *testing.B) {
	m, _ := MethodByCode(DefaultMethod)
	for i := 0; i < b.N; i++ {
		if _, err := Maghrib(London, Date{2026, 2, 1 + i%28}, m); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleMaghrib() {
	for _, code := range []string{DefaultMethod, "uk"} {
		m, _ := MethodByCode(code)
		t, _ := Maghrib(London, Date{2026, 2, 20}, m)
		fmt.Println(code, t.Format("15:04"))
	}
	// Output:
	// sunset 17:25
	// uk 17:27
}
