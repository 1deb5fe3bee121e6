package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ukOptions() Options {
	m, _ := MethodByCode(DefaultMethod)
	return Options{Method: m}
}

func codes(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

func has(ws []Warning, code string) (Warning, bool) {
	for _, w := range ws {
		if w.Code == code {
			return w, true
		}
	}
	return Warning{}, false
}

// clashCase is an event in London (local times) that must or must not
// raise a code.
type clashCase struct {
	name       string
	start, end string
	iftar      bool
	raise      bool
}

// TestClashCodes checks every warning code on dates that must raise it and
// dates that must not, in London (Diaspora schedule).
func TestClashCodes(t *testing.T) {
	tables := map[string][]clashCase{
		Shabbat: {
			{"Friday evening after candle lighting", "2026-11-27 18:00", "2026-11-27 20:00", false, true},
			{"Saturday morning", "2026-11-28 10:00", "2026-11-28 12:00", false, true},
			{"Friday lunchtime, before candle lighting (15:39)", "2026-11-27 12:00", "2026-11-27 15:30", false, false},
			{"Saturday evening after nightfall (16:54)", "2026-11-28 17:30", "2026-11-28 19:00", false, false},
			{"a Wednesday", "2026-12-02 18:00", "2026-12-02 20:00", false, false},
		},
		RoshHashanah: {
			{"second day", "2026-09-13 11:00", "2026-09-13 13:00", false, true},
			{"eve after candle lighting", "2026-09-11 19:30", "2026-09-11 21:00", false, true},
			{"two days after", "2026-09-15 11:00", "2026-09-15 13:00", false, false},
		},
		YomKippur: {
			{"the day", "2026-09-21 10:00", "2026-09-21 12:00", false, true},
			{"Kol Nidre evening", "2026-09-20 19:30", "2026-09-20 21:00", false, true},
			{"eve, midday", "2026-09-20 12:00", "2026-09-20 14:00", false, false},
			{"the day after", "2026-09-22 10:00", "2026-09-22 12:00", false, false},
		},
		Sukkot: {
			{"second day", "2026-09-27 11:00", "2026-09-27 13:00", false, true},
			{"intermediate day (chol hamoed)", "2026-09-29 11:00", "2026-09-29 13:00", false, false},
		},
		SheminiAtzeret: {
			{"the day", "2026-10-03 11:00", "2026-10-03 13:00", false, true},
			{"Hoshana Rabbah morning", "2026-10-02 10:00", "2026-10-02 12:00", false, false},
		},
		SimchatTorah: {
			{"the day", "2026-10-04 11:00", "2026-10-04 13:00", false, true},
			{"the day after", "2026-10-05 11:00", "2026-10-05 13:00", false, false},
		},
		Pesach: {
			{"first day", "2027-04-22 11:00", "2027-04-22 13:00", false, true},
			{"seventh day", "2027-04-28 11:00", "2027-04-28 13:00", false, true},
			{"intermediate day", "2027-04-26 11:00", "2027-04-26 13:00", false, false},
			{"eve, morning", "2027-04-21 09:00", "2027-04-21 11:00", false, false},
		},
		Shavuot: {
			{"first day", "2027-06-11 11:00", "2027-06-11 13:00", false, true},
			{"a week later", "2027-06-18 11:00", "2027-06-18 12:00", false, false},
		},
		EidAlFitr: {
			{"estimated day (Fri 20 Mar 2026)", "2026-03-20 11:00", "2026-03-20 13:00", false, true},
			{"a day later, after moon sighting", "2026-03-21 11:00", "2026-03-21 13:00", false, true},
			{"eve, after sunset", "2026-03-19 19:00", "2026-03-19 21:00", false, true},
			{"in Ramadan, morning", "2026-03-17 11:00", "2026-03-17 13:00", false, false},
			{"three days after", "2026-03-23 11:00", "2026-03-23 13:00", false, false},
		},
		EidAlAdha: {
			{"estimated day (Wed 27 May 2026)", "2026-05-27 11:00", "2026-05-27 13:00", false, true},
			{"a week later", "2026-06-03 11:00", "2026-06-03 13:00", false, false},
		},
		Jumuah: {
			{"Friday lunchtime", "2026-12-04 12:30", "2026-12-04 13:30", false, true},
			{"Friday morning", "2026-12-04 09:00", "2026-12-04 10:30", false, false},
			{"Thursday lunchtime", "2026-12-03 12:30", "2026-12-03 13:30", false, false},
		},
		Christmas: {
			{"Christmas Day", "2026-12-25 11:00", "2026-12-25 13:00", false, true},
			{"Christmas Eve evening", "2026-12-24 19:00", "2026-12-24 21:00", false, true},
			{"Christmas Eve morning", "2026-12-24 10:00", "2026-12-24 12:00", false, false},
			{"Boxing Day", "2026-12-26 11:00", "2026-12-26 13:00", false, false},
		},
		GoodFriday: {
			{"Good Friday 2026", "2026-04-03 10:00", "2026-04-03 11:00", false, true},
			{"the Wednesday before", "2026-04-01 10:00", "2026-04-01 11:00", false, false},
		},
		Easter: {
			{"Easter Sunday 2027", "2027-03-28 11:00", "2027-03-28 13:00", false, true},
			{"Easter Monday 2027", "2027-03-29 11:00", "2027-03-29 13:00", false, false},
		},
		RamadanIftarTime: {
			{"meeting over Maghrib in Ramadan", "2026-02-25 17:00", "2026-02-25 19:00", false, true},
			{"an iftar itself", "2026-02-25 17:00", "2026-02-25 19:00", true, false},
			{"meeting at lunchtime in Ramadan", "2026-02-25 12:00", "2026-02-25 14:00", false, false},
			{"meeting over sunset after Ramadan", "2026-04-15 19:00", "2026-04-15 21:00", false, false},
		},
	}
	loc := zone(t, "Europe/London")
	for code, cases := range tables {
		for _, c := range cases {
			t.Run(code+"/"+c.name, func(t *testing.T) {
				ws := Clashes(London, at(t, loc, c.start), at(t, loc, c.end), c.iftar, ukOptions())
				w, ok := has(ws, code)
				if ok != c.raise {
					t.Fatalf("raised %s = %v, want %v; warnings %v", code, ok, c.raise, ws)
				}
				if ok && !strings.Contains(w.Message, " in London: ") {
					t.Errorf("message %q does not say where", w.Message)
				}
			})
		}
	}
}

func TestShabbatMessage(t *testing.T) {
	loc := zone(t, "Europe/London")
	ws := Clashes(London, at(t, loc, "2026-11-27 18:00"), at(t, loc, "2026-11-27 20:00"), false, ukOptions())
	w, ok := has(ws, Shabbat)
	if !ok || w.Message != "Shabbat in London: Fri 3:39pm – Sat 4:54pm" {
		t.Fatalf("warnings %v", ws)
	}
}

func TestQuietDayHasNoWarnings(t *testing.T) {
	loc := zone(t, "Europe/London")
	ws := Clashes(London, at(t, loc, "2026-12-08 10:00"), at(t, loc, "2026-12-08 12:00"), false, ukOptions())
	if ws == nil || len(ws) != 0 {
		t.Fatalf("want an empty list, got %#v", ws)
	}
}

// TestJerusalemFollowsIsraeliSchedule: one day of Yom Tov, Shemini Atzeret
// is Simchat Torah, candle lighting 40 minutes before sunset.
func TestJerusalemFollowsIsraeliSchedule(t *testing.T) {
	loc := zone(t, "Asia/Jerusalem")
	jer := Place{Name: "Jerusalem", Latitude: 31.7767, Longitude: 35.2345, Zone: loc}
	ws := Clashes(jer, at(t, loc, "2026-10-03 11:00"), at(t, loc, "2026-10-03 13:00"), false, ukOptions())
	for _, code := range []string{SheminiAtzeret, SimchatTorah, Shabbat} {
		if _, ok := has(ws, code); !ok {
			t.Errorf("3 Oct 2026 in Jerusalem: no %s in %v", code, ws)
		}
	}
	if ws := Clashes(jer, at(t, loc, "2026-10-04 11:00"), at(t, loc, "2026-10-04 13:00"), false, ukOptions()); len(ws) != 0 {
		t.Errorf("4 Oct 2026 in Jerusalem is a weekday there: %v", ws)
	}
	if ws := Clashes(jer, at(t, loc, "2027-04-23 09:00"), at(t, loc, "2027-04-23 11:00"), false, ukOptions()); len(ws) != 0 {
		t.Errorf("Pesach II is not Yom Tov in Israel: %v", ws)
	}
	ws = Clashes(jer, at(t, loc, "2026-11-27 18:00"), at(t, loc, "2026-11-27 20:00"), false, ukOptions())
	w, ok := has(ws, Shabbat)
	sunset, _ := Sunset(jer, Date{2026, 11, 27})
	want := "Shabbat in Jerusalem: Fri " + Clock(sunset.Add(-40*time.Minute).In(loc))
	if !ok || !strings.HasPrefix(w.Message, want) {
		t.Errorf("Jerusalem candle lighting: got %v, want prefix %q", ws, want)
	}
}

// TestUrumqiZones: Ürümqi keeps Beijing time officially (Asia/Shanghai) and
// Xinjiang time (Asia/Urumqi, two hours behind) in daily life. The instants
// are the same whichever zone the event uses; only their wording changes.
func TestUrumqiZones(t *testing.T) {
	sh, ur := zone(t, "Asia/Shanghai"), zone(t, "Asia/Urumqi")
	official := Place{Name: "Ürümqi", Latitude: 43.8256, Longitude: 87.6168, Zone: sh}
	local := official
	local.Zone = ur
	m, _ := MethodByCode("sunset")
	for _, d := range []Date{{2026, 2, 20}, {2026, 6, 21}, {2026, 12, 21}} {
		a, errA := Maghrib(official, d, m)
		b, errB := Maghrib(local, d, m)
		if errA != nil || errB != nil || !a.Equal(b) {
			t.Fatalf("%v: %v (%v) vs %v (%v)", d, a, errA, b, errB)
		}
		if a.In(sh).Hour()-a.In(ur).Hour() != 2 {
			t.Errorf("%v: %v in Beijing time vs %v in Xinjiang time", d, a.In(sh), a.In(ur))
		}
		if h := a.In(sh).Hour(); h < 18 || h > 22 {
			t.Errorf("%v: Maghrib at %v Beijing time is not an evening", d, a.In(sh))
		}
	}
	friday := time.Date(2026, 11, 27, 20, 0, 0, 0, ur)
	w1, _ := has(Clashes(local, friday, friday.Add(time.Hour), false, ukOptions()), Shabbat)
	w2, _ := has(Clashes(official, friday, friday.Add(time.Hour), false, ukOptions()), Shabbat)
	if w1.Message == "" || w2.Message == "" || w1.Message == w2.Message {
		t.Errorf("Shabbat in the two zones: %q / %q", w1.Message, w2.Message)
	}
}

// TestEdges covers daylight saving, events over midnight and over several
// days, polar day and bad coordinates: clear results, never a panic.
func TestEdges(t *testing.T) {
	loc := zone(t, "Europe/London")
	uk := ukOptions().Method

	// Clocks go forward at 01:00 UTC on 29 March 2026: Maghrib moves about
	// two minutes, not an hour, and is written in BST.
	before, err1 := Maghrib(London, Date{2026, 3, 28}, uk)
	after, err2 := Maghrib(London, Date{2026, 3, 29}, uk)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if d := after.Sub(before) - 24*time.Hour; d < time.Minute || d > 3*time.Minute {
		t.Errorf("Maghrib 28→29 March moved %v", d)
	}
	if _, off := after.Zone(); off != 3600 {
		t.Errorf("29 March Maghrib %v not in BST", after)
	}

	// Over midnight into the Sunday that clocks go back (25 Oct 2026).
	ws := Clashes(London, at(t, loc, "2026-10-24 17:00"), at(t, loc, "2026-10-25 02:30"), false, ukOptions())
	if _, ok := has(ws, Shabbat); !ok {
		t.Errorf("Saturday 17:00 → Sunday 02:30: %v", ws)
	}
	ws = Clashes(London, at(t, loc, "2026-10-24 20:00"), at(t, loc, "2026-10-25 03:00"), false, ukOptions())
	if len(ws) != 0 {
		t.Errorf("Saturday night after nightfall: %v", ws)
	}

	// A weekend retreat: Friday morning to Sunday afternoon.
	ws = Clashes(London, at(t, loc, "2026-12-04 10:00"), at(t, loc, "2026-12-06 16:00"), false, ukOptions())
	if got := strings.Join(codes(ws), ","); got != "jumuah,shabbat" {
		t.Errorf("weekend retreat: %v", ws)
	}

	// Tromsø at midsummer: the sun does not set.
	oslo := zone(t, "Europe/Oslo")
	tromso := Place{Name: "Tromsø", Latitude: 69.6492, Longitude: 18.9553, Zone: oslo}
	if _, err := Maghrib(tromso, Date{2026, 6, 20}, uk); !errors.Is(err, ErrNoSunset) {
		t.Errorf("Tromsø midsummer Maghrib: %v", err)
	}
	ws = Clashes(tromso, at(t, oslo, "2026-06-20 10:00"), at(t, oslo, "2026-06-20 12:00"), false, ukOptions())
	if _, ok := has(ws, Shabbat); !ok {
		t.Errorf("Tromsø Saturday: %v", ws)
	}
	if days := Days(tromso, Date{2026, 6, 1}, Date{2026, 6, 30}, ukOptions(), nil); len(days) != 30 {
		t.Errorf("Tromsø June has %d days", len(days))
	}

	for _, c := range []struct{ lat, lon float64 }{{91, 0}, {-90.5, 0}, {0, 181}, {0, -180.01}} {
		if _, err := Maghrib(Place{Latitude: c.lat, Longitude: c.lon, Zone: loc}, Date{2026, 3, 1}, uk); err == nil {
			t.Errorf("%v: no error", c)
		}
		if ws := Clashes(Place{Latitude: c.lat, Longitude: c.lon, Zone: loc}, at(t, loc, "2026-11-27 18:00"), at(t, loc, "2026-11-27 20:00"), false, ukOptions()); len(ws) != 0 {
			t.Errorf("%v: warnings %v", c, ws)
		}
	}
}

func TestEstimates(t *testing.T) {
	cases := []struct {
		year, offset                  int
		ramadan, lastFast, fitr, adha string
	}{
		{1447, 0, "2026-02-18", "2026-03-19", "2026-03-20", "2026-05-27"},
		{1448, 0, "2027-02-08", "2027-03-08", "2027-03-09", "2027-05-16"},
		{1448, 1, "2027-02-09", "2027-03-09", "2027-03-10", "2027-05-17"},
		{1448, -1, "2027-02-07", "2027-03-07", "2027-03-08", "2027-05-15"},
	}
	for _, c := range cases {
		e, err := Estimate(c.year, c.offset)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{e.RamadanStart.String(), e.RamadanEnd.String(), e.EidAlFitr.String(), e.EidAlAdha.String()}
		want := []string{c.ramadan, c.lastFast, c.fitr, c.adha}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%d%+d: got %v, want %v", c.year, c.offset, got, want)
		}
	}
	if e, ok := NextEstimate(Date{2026, 11, 26}, 0); !ok || e.HijriYear != 1448 {
		t.Errorf("the coming year from 26 Nov 2026: %+v", e)
	}
	if e, ok := NextEstimate(Date{2026, 3, 1}, 0); !ok || e.HijriYear != 1447 {
		t.Errorf("the coming year from 1 Mar 2026 (in Ramadan): %+v", e)
	}
	if _, err := Estimate(1600, 0); err == nil {
		t.Error("year outside the tables accepted")
	}
}

func TestMemorials(t *testing.T) {
	obs := Memorials(Date{2027, 1, 1}, Date{2027, 12, 31}, []Anniversary{{Title: "Founding of the Trust", Month: time.March, Day: 14, Year: 2017}})
	got := map[string]string{}
	for _, o := range obs {
		got[o.Code] = o.First.String() + " " + o.Title
	}
	want := map[string]string{
		HolocaustMemorialDay:  "2027-01-27 Holocaust Memorial Day",
		YomHaShoahCode:        "2027-05-04 Yom HaShoah",
		SrebrenicaMemorialDay: "2027-07-11 Srebrenica Memorial Day",
		AnniversaryCode:       "2027-03-14 Founding of the Trust (10th anniversary)",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	// Yom HaShoah moves off Friday and Sunday: 27 Nisan 5784 was Sunday
	// 5 May 2024, observed Monday 6 May; 27 Nisan 5780 was Tuesday 21 April
	// 2020, kept.
	for year, want := range map[int]string{2024: "2024-05-06", 2020: "2020-04-21", 2026: "2026-04-14"} {
		if d, ok := YomHaShoah(year); !ok || d.String() != want {
			t.Errorf("Yom HaShoah %d: %v, want %s", year, d, want)
		}
	}
}

func TestEasterSunday(t *testing.T) {
	for year, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25", 2285: "2285-03-22"} {
		if got := EasterSunday(year).String(); got != want {
			t.Errorf("%d: %s, want %s", year, got, want)
		}
	}
}

func TestDaysShowWindowsAndIftars(t *testing.T) {
	days := Days(London, Date{2026, 2, 18}, Date{2026, 2, 21}, ukOptions(), nil)
	text := func(d Day) string {
		var s []string
		for _, e := range d.Entries {
			s = append(s, e.Text)
		}
		return strings.Join(s, "; ")
	}
	want := []string{
		"Ramadan 1 (estimated), iftar",
		"Ramadan 2 (estimated), iftar",
		"Shabbat begins 5:06pm",
		"Shabbat ends 6:17pm",
	}
	for i, w := range want {
		if !strings.Contains(text(days[i]), w) {
			t.Errorf("%v: %q lacks %q", days[i].Date, text(days[i]), w)
		}
	}
	if !strings.Contains(text(days[2]), "Ramadan 3 (estimated), iftar 5:25pm") {
		t.Errorf("20 Feb 2026: %q", text(days[2]))
	}
}

func TestSunsetAroundTheWorld(t *testing.T) {
	t.Run("stays on the local date far from Greenwich", func(t *testing.T) {
		for _, c := range []struct {
			tz       string
			lat, lon float64
		}{{"Pacific/Kiritimati", 1.87, -157.47}, {"Pacific/Auckland", -36.85, 174.76}, {"Pacific/Honolulu", 21.31, -157.86}, {"Asia/Tokyo", 35.68, 139.69}} {
			loc := zone(t, c.tz)
			for _, d := range []Date{{2026, 1, 15}, {2026, 7, 15}} {
				got, err := Sunset(Place{Latitude: c.lat, Longitude: c.lon, Zone: loc}, d)
				if err != nil || DateOf(got) != d || got.Hour() < 16 || got.Hour() > 21 {
					t.Errorf("%s %v: sunset %v (%v)", c.tz, d, got, err)
				}
			}
		}
	})
	t.Run("polar day and night have no sunset", func(t *testing.T) {
		for _, c := range []struct {
			d        Date
			lat, lon float64
		}{{Date{2026, 6, 21}, 69.6492, 18.9553}, {Date{2026, 12, 21}, 69.6492, 18.9553}, {Date{2026, 6, 21}, 78.2232, 15.6267}, {Date{2026, 12, 21}, -77.85, 166.67}} {
			if got, err := Sunset(Place{Latitude: c.lat, Longitude: c.lon, Zone: time.UTC}, c.d); !errors.Is(err, ErrNoSunset) {
				t.Errorf("%v at %.2f,%.2f: sunset %v, want none", c.d, c.lat, c.lon, got)
			}
		}
	})
}
