package models

import (
	"math"
	"time"
)

// Sunset returns the moment of sunset (upper limb touching the horizon,
// with standard refraction: a solar altitude of -0.833°) on the local date
// of day (its year, month and day in day's location) at latitude lat and
// longitude lon, using NOAA's solar position equations. It reports false when
// the sun does not set that day (polar day or night).
func Sunset(day time.Time, lat, lon float64) (time.Time, bool) {
	y, m, d := day.Date()
	// Start from local noon, converted to UTC, and iterate twice so that the
	// solar position is taken at (nearly) the moment of sunset.
	noon := time.Date(y, m, d, 12, 0, 0, 0, day.Location()).UTC()
	t := noon
	var ok bool
	for i := 0; i < 3; i++ {
		t, ok = sunsetNear(t, y, m, d, day.Location(), lat, lon)
		if !ok {
			return time.Time{}, false
		}
	}
	return t, true
}

func sunsetNear(at time.Time, y int, m time.Month, d int, loc *time.Location, lat, lon float64) (time.Time, bool) {
	rad := math.Pi / 180
	jd := float64(at.Unix())/86400 + 2440587.5
	jc := (jd - 2451545) / 36525

	l0 := math.Mod(280.46646+jc*(36000.76983+jc*0.0003032), 360)
	mAnom := 357.52911 + jc*(35999.05029-0.0001537*jc)
	e := 0.016708634 - jc*(0.000042037+0.0000001267*jc)
	c := math.Sin(mAnom*rad)*(1.914602-jc*(0.004817+0.000014*jc)) +
		math.Sin(2*mAnom*rad)*(0.019993-0.000101*jc) + math.Sin(3*mAnom*rad)*0.000289
	trueLong := l0 + c
	omega := 125.04 - 1934.136*jc
	appLong := trueLong - 0.00569 - 0.00478*math.Sin(omega*rad)
	meanObliq := 23 + (26+(21.448-jc*(46.815+jc*(0.00059-jc*0.001813)))/60)/60
	obliq := meanObliq + 0.00256*math.Cos(omega*rad)
	decl := math.Asin(math.Sin(obliq*rad)*math.Sin(appLong*rad)) / rad

	yv := math.Tan(obliq / 2 * rad)
	yv *= yv
	eqTime := 4 / rad * (yv*math.Sin(2*l0*rad) - 2*e*math.Sin(mAnom*rad) +
		4*e*yv*math.Sin(mAnom*rad)*math.Cos(2*l0*rad) -
		0.5*yv*yv*math.Sin(4*l0*rad) - 1.25*e*e*math.Sin(2*mAnom*rad)) // minutes

	cosH := (math.Cos(90.833*rad) - math.Sin(lat*rad)*math.Sin(decl*rad)) / (math.Cos(lat*rad) * math.Cos(decl*rad))
	if cosH < -1 || cosH > 1 {
		return time.Time{}, false
	}
	ha := math.Acos(cosH) / rad
	// Minutes after UTC midnight of the civil date.
	minutes := 720 - 4*lon - eqTime + 4*ha
	midnight := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	t := midnight.Add(time.Duration(minutes * float64(time.Minute)))
	// Keep the result on the requested local date for far-from-Greenwich zones.
	ly, lm, ld := t.In(loc).Date()
	if ly != y || lm != m || ld != d {
		if t.In(loc).Before(time.Date(y, m, d, 0, 0, 0, 0, loc)) {
			t = t.Add(24 * time.Hour)
		} else {
			t = t.Add(-24 * time.Hour)
		}
	}
	return t, true
}
