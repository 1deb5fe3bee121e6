package calendar

import (
	"strings"
	"time"

	"github.com/hebcal/hdate"
	"github.com/hebcal/hebcal-go/event"
	"github.com/hebcal/hebcal-go/hebcal"
	"github.com/hebcal/hebcal-go/zmanim"
)

// Codes of the days on which observant Jews do not travel or write.
const (
	Shabbat        = "shabbat"
	RoshHashanah   = "rosh_hashanah"
	YomKippur      = "yom_kippur"
	Sukkot         = "sukkot" // the first days; the last are Shemini Atzeret and Simchat Torah
	SheminiAtzeret = "shemini_atzeret"
	SimchatTorah   = "simchat_torah"
	Pesach         = "pesach" // first days and last days, each a window of its own
	Shavuot        = "shavuot"
)

// yomTov maps hebcal's holiday names (Basename) to codes.
var yomTov = map[string]string{
	"Rosh Hashana": RoshHashanah, "Yom Kippur": YomKippur, "Sukkot": Sukkot,
	"Shmini Atzeret": SheminiAtzeret, "Simchat Torah": SimchatTorah, "Pesach": Pesach, "Shavuot": Shavuot,
}

// Candle lighting is 18 minutes before sunset, 40 in Jerusalem (the custom
// hebcal follows); nightfall (havdalah) is when the sun is 8.5° below the
// horizon (three small stars).
const (
	candleMinutes          = 18
	jerusalemCandleMinutes = 40
	nightfallDegrees       = 8.5
)

// restDay is one civil date that is Shabbat or Yom Tov, with its codes and
// hebcal's names ("Pesach VII").
type restDay struct {
	date  Date
	code  string
	title string
}

// restDays lists the Shabbat and Yom Tov days from first to last, in date
// order. In Israel, Shemini Atzeret is Simchat Torah too.
func restDays(first, last Date, israel bool) []restDay {
	var out []restDay
	for d := first; !last.Before(d); d = d.AddDays(1) {
		if d.Weekday() == time.Saturday {
			out = append(out, restDay{d, Shabbat, "Shabbat"})
		}
		hd := hdate.FromGregorian(d.Year, d.Month, d.Day)
		for _, h := range hebcal.GetHolidaysOnDate(hd, israel) {
			if h.GetFlags()&event.CHAG == 0 {
				continue
			}
			code, ok := yomTov[h.Basename()]
			if !ok {
				continue
			}
			out = append(out, restDay{d, code, h.Desc})
			if israel && code == SheminiAtzeret {
				out = append(out, restDay{d, SimchatTorah, "Simchat Torah"})
			}
		}
	}
	return out
}

// jewishTitle names a run of rest days of one code.
func jewishTitle(code string, days []restDay, israel bool) string {
	switch code {
	case Shabbat:
		return "Shabbat"
	case RoshHashanah:
		return "Rosh Hashanah"
	case YomKippur:
		return "Yom Kippur"
	case Sukkot:
		if israel {
			return "Sukkot (first day)"
		}
		return "Sukkot (first days)"
	case SheminiAtzeret:
		if israel {
			return "Shemini Atzeret and Simchat Torah"
		}
		return "Shemini Atzeret"
	case SimchatTorah:
		return "Simchat Torah"
	case Pesach:
		last := strings.HasSuffix(days[0].title, "VII") || strings.HasSuffix(days[0].title, "VIII")
		switch {
		case last && israel:
			return "Pesach (last day)"
		case last:
			return "Pesach (last days)"
		case israel:
			return "Pesach (first day)"
		}
		return "Pesach (first days)"
	case Shavuot:
		return "Shavuot"
	}
	return code
}

// jewishWindows are the Shabbat and Yom Tov windows touching the dates
// first to last at p: consecutive days of one code make one window, from
// candle lighting on the eve to nightfall at the end.
func jewishWindows(p Place, first, last Date) []Observance {
	israel := p.Israel()
	// A run of one code is at most two days, so three days either side
	// give every window touching the dates whole.
	days := restDays(first.AddDays(-3), last.AddDays(3), israel)
	var out []Observance
	for i := 0; i < len(days); {
		j := i + 1
		for j < len(days) && days[j].code == days[i].code && days[j].date == days[j-1].date.AddDays(1) {
			j++
		}
		run := days[i:j]
		i = j
		start, end := candleLighting(p, run[0].date.AddDays(-1)), nightfall(p, run[len(run)-1].date)
		out = append(out, Observance{Code: run[0].code, Title: jewishTitle(run[0].code, run, israel), Faith: FaithJewish,
			First: run[0].date, Last: run[len(run)-1].date, Window: Window{start, end}})
	}
	return out
}

func hebcalLocation(p Place) zmanim.Location {
	return zmanim.NewLocation(p.Label(), "", p.Latitude, p.Longitude, 0, p.zone().String())
}

// candleLighting is the start of a rest day whose eve is eve; where the sun
// does not set, the civil midnight that begins the day.
func candleLighting(p Place, eve Date) time.Time {
	loc := hebcalLocation(p)
	z := zmanim.New(&loc, eve.In(time.UTC))
	mins := candleMinutes
	if distanceKM(p.Latitude, p.Longitude, 31.76904, 35.21633) < 15 { // Jerusalem
		mins = jerusalemCandleMinutes
	}
	t := z.SunsetOffset(-mins, true)
	if t.IsZero() {
		return eve.AddDays(1).In(p.zone())
	}
	return t.In(p.zone())
}

// nightfall is the end of the rest day day; where there is no nightfall,
// the civil midnight that ends it.
func nightfall(p Place, day Date) time.Time {
	loc := hebcalLocation(p)
	z := zmanim.New(&loc, day.In(time.UTC))
	t := z.Tzeit(nightfallDegrees)
	if t.IsZero() {
		return day.AddDays(1).In(p.zone())
	}
	return t.Round(time.Minute).In(p.zone())
}

// YomHaShoah is the civil date of Yom HaShoah in the Gregorian year: 27
// Nisan, moved to Thursday when it falls on Friday, to Monday when it falls
// on Sunday (hebcal applies the rules).
func YomHaShoah(year int) (Date, bool) {
	hy := hdate.FromGregorian(year, time.June, 1).Year()
	for _, h := range hebcal.GetHolidaysForYear(hy, false) {
		if h.GetFlags()&event.MODERN_HOLIDAY != 0 && h.Basename() == "Yom HaShoah" {
			y, m, d := h.Date.Greg()
			return Date{y, m, d}, true
		}
	}
	return Date{}, false
}
