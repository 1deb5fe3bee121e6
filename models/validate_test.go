package models_test

import (
	"errors"
	"maps"
	"math"
	"slices"
	"testing"

	"convene/models"
	"convene/models/modelstest"
)

// TestCheckEventLimits: every number of an event is held to its limit, on
// both bounds, under the field name the API and the editor use; values on
// a bound and absent values pass.
func TestCheckEventLimits(t *testing.T) {
	inf := math.Inf(1)
	for _, tt := range []struct {
		name string
		in   models.EventInput
		want []string // fields named, sorted; none: within the limits
	}{
		{"nothing given", models.EventInput{}, nil},
		{"every number on its lower bound", models.EventInput{CapacitySet: true, Capacity: ip(0), OnlineCapacitySet: true, OnlineCapacity: ip(0),
			MaxGuests: ip(0), ReminderHours: ip(0), SunsetOffsetMinutes: ip(-180), DurationMinutes: ip(1), AnswersRetentionDays: ip(0),
			Venue: &models.VenueInput{Latitude: fp(-90), Longitude: fp(-180)}}, nil},
		{"every number on its upper bound", models.EventInput{CapacitySet: true, Capacity: ip(models.MaxCapacity), OnlineCapacitySet: true,
			OnlineCapacity: ip(1_000_000), MaxGuests: ip(50), ReminderHours: ip(336), SunsetOffsetMinutes: ip(180), DurationMinutes: ip(20160),
			AnswersRetentionDays: ip(models.MaxAnswersRetentionDays),
			Venue:                &models.VenueInput{Latitude: fp(90), Longitude: fp(180)}}, nil},
		{"unlimited capacity", models.EventInput{CapacitySet: true, OnlineCapacitySet: true}, nil},
		{"capacity below", models.EventInput{CapacitySet: true, Capacity: ip(-1)}, []string{"capacity"}},
		{"capacity above", models.EventInput{CapacitySet: true, Capacity: ip(1_000_001)}, []string{"capacity"}},
		{"capacity not being set is not checked", models.EventInput{Capacity: ip(-1)}, nil},
		{"online capacity above", models.EventInput{OnlineCapacitySet: true, OnlineCapacity: ip(2_000_000)}, []string{"online_capacity"}},
		{"guests below", models.EventInput{MaxGuests: ip(-1)}, []string{"max_guests"}},
		{"guests above", models.EventInput{MaxGuests: ip(51)}, []string{"max_guests"}},
		{"reminder below", models.EventInput{ReminderHours: ip(-1)}, []string{"reminder_hours"}},
		{"reminder above", models.EventInput{ReminderHours: ip(337)}, []string{"reminder_hours"}},
		{"sunset offset below", models.EventInput{SunsetOffsetMinutes: ip(-181)}, []string{"sunset_offset_minutes"}},
		{"sunset offset above", models.EventInput{SunsetOffsetMinutes: ip(181)}, []string{"sunset_offset_minutes"}},
		{"no duration", models.EventInput{DurationMinutes: ip(0)}, []string{"duration_minutes"}},
		{"duration above", models.EventInput{DurationMinutes: ip(20161)}, []string{"duration_minutes"}},
		{"answers kept too long", models.EventInput{AnswersRetentionDays: ip(366)}, []string{"answers_retention_days"}},
		{"answers kept negative days", models.EventInput{AnswersRetentionDays: ip(-1)}, []string{"answers_retention_days"}},
		{"latitude above", models.EventInput{Venue: &models.VenueInput{Latitude: fp(90.5)}}, []string{"venue.latitude"}},
		{"longitude below", models.EventInput{Venue: &models.VenueInput{Longitude: fp(-180.5)}}, []string{"venue.longitude"}},
		{"coordinates not numbers", models.EventInput{Venue: &models.VenueInput{Latitude: fp(math.NaN()), Longitude: &inf}},
			[]string{"venue.latitude", "venue.longitude"}},
		{"every problem at once", models.EventInput{CapacitySet: true, Capacity: ip(-3), MaxGuests: ip(99), ReminderHours: ip(1000),
			DurationMinutes: ip(-5)}, []string{"capacity", "duration_minutes", "max_guests", "reminder_hours"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := models.CheckEventLimits(tt.in)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ve *models.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err %v, want a ValidationError naming %v", err, tt.want)
			}
			if got := slices.Sorted(maps.Keys(ve.Fields)); !slices.Equal(got, tt.want) {
				t.Fatalf("named %v, want %v", got, tt.want)
			}
			for field, msg := range ve.Fields {
				if msg == "" {
					t.Errorf("%s named without a message", field)
				}
				if l := models.EventLimit(field); l.Message != "" && msg != l.Message {
					t.Errorf("%s: message %q, not its limit's %q", field, msg, l.Message)
				}
			}
		})
	}
}

// TestEventLimitsHoldEveryWayIn: creating, changing, previewing and copying
// an event are held to the same limits (capacity included, which a change
// applies under the capacity rules, after the others).
func TestEventLimitsHoldEveryWayIn(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(10)})
	over := models.EventInput{CapacitySet: true, Capacity: ip(models.MaxCapacity + 1), MaxGuests: ip(51)}
	for name, call := range map[string]func() error{
		"create": func() error {
			in := over
			in.Title, in.Kind, in.StartsAt = sp("Too big"), sp(models.KindMeeting), tp(now.AddDate(0, 0, 7))
			_, err := models.CreateEvent(db.DB, in, nil, nil, now)
			return err
		},
		"update":  func() error { _, err := models.UpdateEvent(db.DB, ev.Slug, over, nil, now); return err },
		"preview": func() error { _, err := models.PreviewEvent(db.DB, ev.Slug, over, nil); return err },
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Fields["capacity"] == "" || ve.Fields["max_guests"] == "" {
				t.Fatalf("err %v, want capacity and max_guests named", err)
			}
		})
	}
	if got := loadEvent(t, db, ev.ID); got.Capacity == nil || *got.Capacity != 10 || got.MaxGuests != ev.MaxGuests {
		t.Errorf("a refused change was stored: capacity %v, max guests %d", got.Capacity, got.MaxGuests)
	}
}
