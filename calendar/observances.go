package calendar

import (
	"fmt"
	"sort"
	"time"
)

// Faiths (and memorials) that observances belong to, for colours and filters.
const (
	FaithJewish    = "jewish"
	FaithMuslim    = "muslim"
	FaithChristian = "christian"
	FaithMemorial  = "memorial"
)

// Codes of the Islamic observances and of the memorial days.
const (
	Ramadan          = "ramadan"
	EidAlFitr        = "eid_al_fitr"
	EidAlAdha        = "eid_al_adha"
	Jumuah           = "jumuah"
	RamadanIftarTime = "ramadan_iftar_time"

	HolocaustMemorialDay  = "holocaust_memorial_day"
	YomHaShoahCode        = "yom_hashoah"
	SrebrenicaMemorialDay = "srebrenica_memorial_day"
	AnniversaryCode       = "anniversary"
)

// Observance is a day or days to plan around. Timed ones (Shabbat, Yom Tov)
// have a Window from the eve; the others take their whole dates.
type Observance struct {
	Code      string
	Title     string
	Faith     string
	First     Date
	Last      Date
	Window    Window // zero for whole days
	Estimated bool
}

// Timed reports whether the observance has start and end times.
func (o Observance) Timed() bool { return !o.Window.Start.IsZero() }

// Options are an organisation's calendar settings.
type Options struct {
	Method      Method
	HijriOffset int // −1, 0 or +1 day on the Umm al-Qura estimates
}

// Anniversary is a date an organisation remembers every year.
type Anniversary struct {
	Title string
	Month time.Month
	Day   int
	Year  int // the first year, or 0
}

// on is the anniversary's date in year (28 February for 29 February).
func (a Anniversary) on(year int) Date {
	d := Date{year, a.Month, a.Day}
	if d.In(time.UTC).Month() != a.Month {
		d = Date{year, a.Month, a.Day - 1}
	}
	return d
}

// title says which anniversary it is in year, when the first year is known.
func (a Anniversary) title(year int) string {
	if a.Year > 0 && year > a.Year {
		return fmt.Sprintf("%s (%s anniversary)", a.Title, ordinal(year-a.Year))
	}
	return a.Title
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprint(n) + suffix
}

// Memorials are the memorial days and anniversaries from first to last.
func Memorials(first, last Date, anniversaries []Anniversary) []Observance {
	var out []Observance
	in := func(d Date) bool { return !d.Before(first) && !last.Before(d) }
	for y := first.Year; y <= last.Year; y++ {
		days := []Observance{
			{Code: HolocaustMemorialDay, Title: "Holocaust Memorial Day", First: Date{y, time.January, 27}},
			{Code: SrebrenicaMemorialDay, Title: "Srebrenica Memorial Day", First: Date{y, time.July, 11}},
		}
		if d, ok := YomHaShoah(y); ok {
			days = append(days, Observance{Code: YomHaShoahCode, Title: "Yom HaShoah", First: d})
		}
		for _, a := range anniversaries {
			days = append(days, Observance{Code: AnniversaryCode, Title: a.title(y), First: a.on(y)})
		}
		for _, o := range days {
			if in(o.First) {
				o.Faith, o.Last = FaithMemorial, o.First
				out = append(out, o)
			}
		}
	}
	sortObservances(out)
	return out
}

// Observances lists what falls from first to last at p: Shabbat and the
// Jewish festivals with their times, Ramadan and the Eids (estimated), the
// Christian feasts, memorial days and the organisation's anniversaries.
func Observances(p Place, first, last Date, o Options, anniversaries []Anniversary) []Observance {
	var out []Observance
	touches := func(ob Observance) bool { return !last.Before(ob.First) && !ob.Last.Before(first) }
	for _, ob := range jewishWindows(p, first, last) {
		if touches(ob) || ob.Window.Overlaps(first.In(p.zone()), last.AddDays(1).In(p.zone())) {
			out = append(out, ob)
		}
	}
	for _, e := range EstimatesBetween(first, last, o.HijriOffset) {
		for _, ob := range []Observance{
			{Code: Ramadan, Title: "Ramadan", First: e.RamadanStart, Last: e.RamadanEnd},
			{Code: EidAlFitr, Title: "Eid al-Fitr", First: e.EidAlFitr, Last: e.EidAlFitr},
			{Code: EidAlAdha, Title: "Eid al-Adha", First: e.EidAlAdha, Last: e.EidAlAdha},
		} {
			ob.Faith, ob.Estimated = FaithMuslim, true
			if touches(ob) {
				out = append(out, ob)
			}
		}
	}
	for y := first.Year; y <= last.Year; y++ {
		for _, ob := range christianDays(y) {
			if touches(ob) {
				out = append(out, ob)
			}
		}
	}
	out = append(out, Memorials(first, last, anniversaries)...)
	sortObservances(out)
	return out
}

func sortObservances(obs []Observance) {
	sort.SliceStable(obs, func(i, j int) bool {
		a, b := obs[i], obs[j]
		if a.First != b.First {
			return a.First.Before(b.First)
		}
		return a.Timed() && !b.Timed()
	})
}

// Entry is one line of a day in the organiser's calendar.
type Entry struct {
	Code, Faith, Text string
	Estimated         bool
}

// Day is a date with what falls on it.
type Day struct {
	Date    Date
	Entries []Entry
}

// Days lays observances out by date from first to last: a timed
// observance shows when it begins on its eve and when it ends, and each day
// of Ramadan shows the iftar time at p by o's method.
func Days(p Place, first, last Date, o Options, anniversaries []Anniversary) []Day {
	obs := Observances(p, first.AddDays(-1), last.AddDays(1), o, anniversaries)
	loc := p.zone()
	var out []Day
	for d := first; !last.Before(d); d = d.AddDays(1) {
		day := Day{Date: d}
		for _, ob := range obs {
			text := ""
			switch {
			case ob.Timed() && DateOf(ob.Window.Start.In(loc)) == d:
				text = fmt.Sprintf("%s begins %s", ob.Title, clock(ob.Window.Start, loc))
			case ob.Timed() && DateOf(ob.Window.End.In(loc)) == d:
				text = fmt.Sprintf("%s ends %s", ob.Title, clock(ob.Window.End, loc))
			case d.Before(ob.First) || ob.Last.Before(d):
				continue
			case ob.Code == Ramadan:
				n := int(d.In(time.UTC).Sub(ob.First.In(time.UTC)).Hours()/24) + 1
				text = fmt.Sprintf("Ramadan %d (estimated)", n)
				if m, err := Maghrib(p, d, o.Method); err == nil {
					text += ", iftar " + clock(m, loc)
				}
			case ob.Estimated:
				text = ob.Title + " (estimated)"
			default:
				text = ob.Title
			}
			day.Entries = append(day.Entries, Entry{Code: ob.Code, Faith: ob.Faith, Text: text, Estimated: ob.Estimated})
		}
		out = append(out, day)
	}
	return out
}

// Warning is a clash between an event and an observance. Warnings advise:
// they never stop an event being saved.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// jumuahLength is how long Friday prayers keep people from the start of
// Zuhr: the sermon, the prayer and often a second congregation.
const jumuahLength = 2 * time.Hour

// Clashes lists the observances that an event at p from start to end
// overlaps, with messages in p's time: Shabbat and the Yom Tov days, the
// Eids (estimated, and the day after for communities that follow the moon),
// Friday prayers, Christmas Day, Good Friday, Easter Sunday and, for an
// event that is not itself an iftar, Maghrib on a day of Ramadan.
func Clashes(p Place, start, end time.Time, iftar bool, o Options) []Warning {
	if CheckCoordinates(p.Latitude, p.Longitude) != nil || !start.Before(end) {
		return []Warning{}
	}
	loc := p.zone()
	first, last := DateOf(start.In(loc)), DateOf(end.Add(-time.Nanosecond).In(loc))
	where := p.Label()
	type found struct {
		at time.Time
		w  Warning
	}
	var all []found
	add := func(at time.Time, code, msg string) { all = append(all, found{at, Warning{code, msg}}) }

	for _, ob := range jewishWindows(p, first, last) {
		if ob.Window.Overlaps(start, end) {
			add(ob.Window.Start, ob.Code, fmt.Sprintf("%s in %s: %s", ob.Title, where, span(ob.Window, loc, ob.Code != Shabbat)))
		}
	}
	for _, e := range EstimatesBetween(first.AddDays(-2), last.AddDays(2), o.HijriOffset) {
		for _, eid := range []struct {
			code, title string
			day         Date
		}{{EidAlFitr, "Eid al-Fitr", e.EidAlFitr}, {EidAlAdha, "Eid al-Adha", e.EidAlAdha}} {
			w := Window{eve(p, eid.day), eid.day.AddDays(2).In(loc)}
			if w.Overlaps(start, end) {
				add(w.Start, eid.code, fmt.Sprintf("%s (estimated %s, or a day later after the moon is sighted) in %s: %s",
					eid.title, eid.day.In(loc).Format("Mon 2 Jan"), where, span(w, loc, true)))
			}
		}
		if iftar {
			continue
		}
		for d := e.RamadanStart; !e.RamadanEnd.AddDays(1).Before(d); d = d.AddDays(1) {
			if d.Before(first) || last.Before(d) {
				continue
			}
			m, err := Maghrib(p, d, o.Method)
			if err == nil && !m.Before(start) && m.Before(end) {
				add(m, RamadanIftarTime, fmt.Sprintf("Iftar time in Ramadan (estimated) in %s: %s, when people who are fasting break their fast",
					where, m.In(loc).Format("Mon 2 Jan")+" "+clock(m, loc)))
			}
		}
	}
	for d := first; !last.Before(d); d = d.AddDays(1) {
		if d.Weekday() != time.Friday {
			continue
		}
		if z, err := Zuhr(p, d); err == nil && !z.IsZero() {
			w := Window{z, z.Add(jumuahLength)}
			if w.Overlaps(start, end) {
				add(w.Start, Jumuah, fmt.Sprintf("Friday prayers (Jumu'ah) in %s: %s", where, span(w, loc, false)))
			}
		}
	}
	for y := first.Year - 1; y <= last.Year; y++ {
		for _, ob := range christianDays(y) {
			w := Window{eve(p, ob.First), ob.First.AddDays(1).In(loc)}
			if w.Overlaps(start, end) {
				add(w.Start, ob.Code, fmt.Sprintf("%s in %s: %s", ob.Title, where, span(w, loc, true)))
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	out := make([]Warning, 0, len(all))
	for _, f := range all {
		out = append(out, f.w)
	}
	return out
}

// eve is sunset on the evening before day, when a day that starts at
// sunset begins; where the sun does not set, the civil midnight.
func eve(p Place, day Date) time.Time {
	if t, err := Sunset(p, day.AddDays(-1)); err == nil {
		return t.Truncate(time.Minute)
	}
	return day.In(p.zone())
}

func clock(t time.Time, loc *time.Location) string { return Clock(t.In(loc)) }

// span writes a window in loc: "Fri 3:39pm – Sat 4:54pm", with dates when
// withDates, the end's day only when it differs, and "end of Sat 21 Mar"
// for a window that ends at midnight.
func span(w Window, loc *time.Location, withDates bool) string {
	day := "Mon"
	if withDates {
		day = "Mon 2 Jan"
	}
	s, e := w.Start.In(loc), w.End.In(loc)
	end := e.Format(day) + " " + Clock(e)
	switch {
	case e.Hour() == 0 && e.Minute() == 0:
		end = "end of " + e.Add(-time.Minute).Format(day)
	case DateOf(s) == DateOf(e):
		end = Clock(e)
	}
	return s.Format(day) + " " + Clock(s) + " – " + end
}
