package feeds

import (
	"bytes"
	"net/url"
	"time"

	ics "github.com/arran4/golang-ical"

	"convene/calendar"
)

// Observances builds an organiser's private feed of the days to plan
// around at a place: Shabbat and Yom Tov with their times (in UTC), the
// other days as whole days; estimates are TENTATIVE. The same observances
// give the same bytes (DTSTAMP is the observance's first day), so the feed
// can be compared and cached.
func Observances(meta Meta, obs []calendar.Observance, place calendar.Place, baseURL string) []byte {
	host := baseURL
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	cal := ics.NewCalendarFor("Convene")
	cal.SetProductId(ProductID)
	cal.SetCalscale("GREGORIAN")
	cal.SetName(line(meta.Name))
	if meta.Description != "" {
		cal.SetDescription(text(meta.Description))
		cal.SetXWRCalDesc(text(meta.Description))
	}
	cal.SetRefreshInterval("PT12H")
	cal.SetXPublishedTTL("PT12H")
	where := place.Label()
	for _, o := range obs {
		e := &ics.VEvent{ComponentBase: ics.ComponentBase{Properties: make([]ics.IANAProperty, 0, 12)}}
		add := func(name ics.ComponentProperty, value string, params map[string][]string) {
			e.Properties = append(e.Properties, ics.IANAProperty{BaseProperty: ics.BaseProperty{IANAToken: string(name), Value: value, ICalParameters: params}})
		}
		stamp := o.First.In(time.UTC).Format(utcFormat)
		add(ics.ComponentPropertyUniqueId, o.Code+"-"+o.First.String()+"@"+host, nil)
		add(ics.ComponentPropertyDtstamp, stamp, nil)
		title := o.Title
		desc := o.Title + " at " + where + "."
		if o.Timed() {
			add(ics.ComponentPropertyDtStart, o.Window.Start.UTC().Format(utcFormat), nil)
			add(ics.ComponentPropertyDtEnd, o.Window.End.UTC().Format(utcFormat), nil)
			desc = o.Title + " at " + where + ": from candle lighting on the eve to nightfall."
		} else {
			date := map[string][]string{"VALUE": {"DATE"}}
			add(ics.ComponentPropertyDtStart, o.First.In(time.UTC).Format("20060102"), date)
			add(ics.ComponentPropertyDtEnd, o.Last.AddDays(1).In(time.UTC).Format("20060102"), date)
		}
		status := ics.ObjectStatusConfirmed
		if o.Estimated {
			title += " (estimated)"
			desc += " Estimated from the Umm al-Qura calendar: the date depends on the sighting of the moon."
			status = ics.ObjectStatusTentative
		}
		add(ics.ComponentPropertySummary, line(title), nil)
		add(ics.ComponentPropertyDescription, text(desc), nil)
		add(ics.ComponentPropertyStatus, string(status), nil)
		add(ics.ComponentPropertyCategories, o.Faith, nil)
		add(ics.ComponentPropertyClass, string(ics.ClassificationPrivate), nil)
		add(ics.ComponentPropertyTransp, string(ics.TransparencyTransparent), nil)
		cal.AddVEvent(e)
	}
	var b bytes.Buffer
	_ = cal.SerializeTo(&b, ics.WithNewLineWindows) // a bytes.Buffer never fails
	return b.Bytes()
}
