package calendar

import (
	"fmt"
	"time"

	hijri "github.com/hablullah/go-hijri"
)

// IslamicEstimate is the expected Ramadan and Eids of a Hijri year by the
// Umm al-Qura calendar, shifted by an organisation's offset. They are
// estimates: each month really begins when the new moon is sighted, and many
// UK communities begin a day later than Umm al-Qura.
type IslamicEstimate struct {
	HijriYear int
	// RamadanStart and RamadanEnd are the first and last days of fasting.
	RamadanStart, RamadanEnd Date
	EidAlFitr, EidAlAdha     Date
}

// MaxOffset bounds an organisation's shift of the estimates, in days.
const MaxOffset = 1

// Estimate gives the estimates of a Hijri year, shifted by offset days.
// Umm al-Qura tables cover Hijri 1356 to 1500 (1937 to 2077).
func Estimate(hijriYear, offset int) (IslamicEstimate, error) {
	if hijriYear < 1357 || hijriYear > 1499 {
		return IslamicEstimate{}, fmt.Errorf("calendar: Hijri year %d is outside the Umm al-Qura tables", hijriYear)
	}
	day := func(month, d int) Date {
		t := hijri.UmmAlQuraDate{Year: int64(hijriYear), Month: int64(month), Day: int64(d)}.ToGregorian()
		return DateOf(t).AddDays(offset)
	}
	fitr := day(10, 1)
	return IslamicEstimate{HijriYear: hijriYear, RamadanStart: day(9, 1), RamadanEnd: fitr.AddDays(-1),
		EidAlFitr: fitr, EidAlAdha: day(12, 10)}, nil
}

// HijriYear is the Umm al-Qura year of a date, or 0 outside its tables.
func HijriYear(d Date) int {
	h, err := hijri.CreateUmmAlQuraDate(d.In(time.UTC))
	if err != nil {
		return 0
	}
	return int(h.Year)
}

// EstimatesBetween lists the estimates of every Hijri year whose Ramadan or
// Eids fall between from and to, inclusive.
func EstimatesBetween(from, to Date, offset int) []IslamicEstimate {
	first, last := HijriYear(from.AddDays(-400)), HijriYear(to.AddDays(30))
	if first == 0 {
		first = 1357
	}
	if last == 0 {
		last = 1499
	}
	var out []IslamicEstimate
	for y := first; y <= last; y++ {
		e, err := Estimate(y, offset)
		if err != nil {
			continue
		}
		if e.EidAlAdha.Before(from) || to.Before(e.RamadanStart) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// NextEstimate is the first year's estimate whose Eid al-Adha is on or
// after d: "the coming year" seen from d.
func NextEstimate(d Date, offset int) (IslamicEstimate, bool) {
	for _, e := range EstimatesBetween(d, d.AddDays(400), offset) {
		if !e.EidAlAdha.Before(d) {
			return e, true
		}
	}
	return IslamicEstimate{}, false
}
