package models

import "math"

// Limit is the range of one of an event's whole numbers and the message
// that says so. Every way in (the editor, the API, copies) is held to the
// same limits, here.
type Limit struct {
	Min, Max int
	Message  string
}

// Allows reports whether n is within the limit.
func (l Limit) Allows(n int) bool { return n >= l.Min && n <= l.Max }

// MaxCapacity is the most places an event may offer in one mode.
const MaxCapacity = 1_000_000

// eventLimits are the ranges of an event's numbers, by field name: the
// names of the API's fields and of the editor's inputs.
var eventLimits = map[string]Limit{
	"capacity":              {0, MaxCapacity, "Enter the number of places as a whole number from 0 to 1,000,000, or none for unlimited"},
	"online_capacity":       {0, MaxCapacity, "Enter the number of places as a whole number from 0 to 1,000,000, or none for unlimited"},
	"max_guests":            {0, 50, "Enter the number of guests as a whole number from 0 to 50"},
	"reminder_hours":        {0, 24 * 14, "Enter the hours before the event as a whole number from 0 to 336"},
	"sunset_offset_minutes": {-180, 180, "Enter the minutes after sunset as a whole number from -180 to 180"},
	"duration_minutes":      {1, 60 * 24 * 14, "Enter how long it lasts in minutes, from 1 to 20160 (14 days)"},
}

// EventLimit is the limit of the event's number named field (see
// eventLimits); the zero Limit for a field that has none.
func EventLimit(field string) Limit { return eventLimits[field] }

// CheckEventLimits names every number of in outside its limit, and every
// coordinate off the globe, in a *ValidationError (nil when all are within).
func CheckEventLimits(in EventInput) error {
	v := &ValidationError{}
	checkEventLimits(in, v)
	return v.Err()
}

func checkEventLimits(in EventInput, v *ValidationError) {
	type number struct {
		field string
		n     *int
	}
	numbers := []number{{"max_guests", in.MaxGuests}, {"reminder_hours", in.ReminderHours},
		{"sunset_offset_minutes", in.SunsetOffsetMinutes}, {"duration_minutes", in.DurationMinutes}}
	if in.CapacitySet {
		numbers = append(numbers, number{"capacity", in.Capacity})
	}
	if in.OnlineCapacitySet {
		numbers = append(numbers, number{"online_capacity", in.OnlineCapacity})
	}
	for _, x := range numbers {
		if x.n != nil && !eventLimits[x.field].Allows(*x.n) {
			v.Add(x.field, eventLimits[x.field].Message)
		}
	}
	if vin := in.Venue; vin != nil {
		degrees := func(field string, f *float64, max float64, msg string) {
			switch {
			case f == nil:
			case math.IsNaN(*f) || math.IsInf(*f, 0):
				v.Add(field, "Enter a number of degrees")
			case *f < -max || *f > max:
				v.Add(field, msg)
			}
		}
		degrees("venue.latitude", vin.Latitude, 90, "Latitude must be between -90 and 90")
		degrees("venue.longitude", vin.Longitude, 180, "Longitude must be between -180 and 180")
	}
}
