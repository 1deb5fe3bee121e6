package models_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

func fieldsOf(err error) map[string]string {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

// TestValidateFood: the dietary question per person, per event, with its
// refusals.
func TestValidateFood(t *testing.T) {
	asks := &models.Event{InPerson: true, Online: true, MaxGuests: 3}
	vigil := &models.Event{InPerson: true, MaxGuests: 3, SkipDietary: true}
	tests := []struct {
		name      string
		ev        *models.Event
		in        models.RegisterInput
		errFields []string // the fields refused, nil for none
		dietary   string
		guests    []models.PersonDiet
	}{
		{name: "party of three, one halal", ev: asks,
			in:      models.RegisterInput{Guests: 2, Attendance: models.InPerson, Dietary: "halal"},
			dietary: "halal"},
		{name: "each guest their own", ev: asks,
			in:      models.RegisterInput{Guests: 2, Attendance: models.InPerson, Dietary: " none ", GuestDietary: []models.PersonDiet{{Dietary: "vegan"}, {Dietary: "other", Other: " no nuts "}}},
			dietary: "none", guests: []models.PersonDiet{{Dietary: "vegan"}, {Dietary: "other", Other: "no nuts"}}},
		{name: "trailing empty guests dropped", ev: asks,
			in:     models.RegisterInput{Guests: 1, Attendance: models.InPerson, GuestDietary: []models.PersonDiet{{Dietary: "kosher"}, {}, {}}},
			guests: []models.PersonDiet{{Dietary: "kosher"}}},
		{name: "other without details", ev: asks,
			in:        models.RegisterInput{Attendance: models.InPerson, Dietary: "other", DietaryOther: "  "},
			errFields: []string{"dietary_other"}, dietary: "other"},
		{name: "a guest's other without details", ev: asks,
			in:        models.RegisterInput{Guests: 2, Attendance: models.InPerson, GuestDietary: []models.PersonDiet{{}, {Dietary: "other"}}},
			errFields: []string{"guest_dietary.1.dietary_other"}},
		{name: "unknown choice", ev: asks,
			in:        models.RegisterInput{Guests: 1, Attendance: models.InPerson, Dietary: "paleo", GuestDietary: []models.PersonDiet{{Dietary: "keto"}}},
			errFields: []string{"dietary", "guest_dietary.0.dietary"}},
		{name: "more answers than guests", ev: asks,
			in:        models.RegisterInput{Guests: 1, Attendance: models.InPerson, GuestDietary: []models.PersonDiet{{Dietary: "vegan"}, {Dietary: "halal"}}},
			errFields: []string{"guest_dietary.1.dietary"}},
		{name: "details too long", ev: asks,
			in:        models.RegisterInput{Guests: 1, Attendance: models.InPerson, GuestDietary: []models.PersonDiet{{Dietary: "other", Other: strings.Repeat("x", 201)}}},
			errFields: []string{"guest_dietary.0.dietary_other"}},
		{name: "broken characters", ev: asks,
			in:        models.RegisterInput{Attendance: models.InPerson, Dietary: "other", DietaryOther: "nuts\x00"},
			errFields: []string{"dietary_other"}},
		{name: "the event does not ask: nothing kept", ev: vigil,
			in: models.RegisterInput{Guests: 1, Attendance: models.InPerson, Dietary: "halal", DietaryOther: "x", GuestDietary: []models.PersonDiet{{Dietary: "paleo"}}}},
		{name: "online: nothing kept", ev: asks,
			in: models.RegisterInput{Attendance: models.Online, Dietary: "other", GuestDietary: []models.PersonDiet{{Dietary: "vegan"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Name, in.Email, in.Consent = "Amira", "amira@example.org", true
			fields := fieldsOf(models.ValidateRegistration(tt.ev, &in))
			got := slices.Sorted(maps.Keys(fields))
			if !slices.Equal(got, tt.errFields) {
				t.Fatalf("refused %v (%v), want %v", got, fields, tt.errFields)
			}
			if tt.errFields != nil {
				return
			}
			if in.Dietary != tt.dietary || !slices.Equal(in.GuestDietary, tt.guests) {
				t.Errorf("kept %q %v, want %q %v", in.Dietary, in.GuestDietary, tt.dietary, tt.guests)
			}
			if !tt.ev.AsksDietary() && in.DietaryOther != "" {
				t.Errorf("details kept for an event that does not ask: %q", in.DietaryOther)
			}
		})
	}
}

// TestCateringPerPerson: each person of a party counts by their own
// choice, on the attendees page's summary and in the tallies kept after the
// retention purge; and a change of guests keeps the answers of those who
// remain.
func TestCateringPerPerson(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(20), MaxGuests: ip(3)})
	reg := func(email string, in models.RegisterInput) *models.Registration {
		t.Helper()
		in.Name, in.Email, in.Attendance, in.Consent = "Guest of "+email, email, models.InPerson, true
		if err := models.ValidateRegistration(ev, &in); err != nil {
			t.Fatalf("%s: %v %v", email, err, fieldsOf(err))
		}
		res, err := models.Register(db.DB, tok, ev.ID, in, now)
		if err != nil {
			t.Fatal(err)
		}
		return res.Registration
	}
	// A party of three with one halal choice; a party of two who say each.
	amira := reg("amira@example.org", models.RegisterInput{Guests: 2, Dietary: "halal"})
	reg("dan@example.org", models.RegisterInput{Guests: 1, Dietary: "kosher", GuestDietary: []models.PersonDiet{{Dietary: "other", Other: "no nuts"}}})
	want := map[string]int{"halal": 1, "kosher": 1, "other": 1, models.DietNotStated: 2}
	check := func(what string, counts []models.DietCount, sum int) {
		t.Helper()
		got := map[string]int{}
		for _, c := range counts {
			got[c.Diet] = c.People
		}
		if !maps.Equal(got, want) || sum != 5 {
			t.Errorf("%s: %v (total %d), want %v (total 5)", what, got, sum, want)
		}
	}
	regs, err := models.FindAttendees(db.DB, ev.ID, models.AttendeeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	s := models.SummariseAttendees(regs, nil)
	check("summary", s.Catering, s.CateringSum)
	if !slices.Equal(s.DietaryOther, []string{"no nuts"}) {
		t.Errorf("other details %v", s.DietaryOther)
	}

	// Amira says what her guests eat, then comes with one guest only: the
	// second guest's answer goes with them.
	guests := []models.PersonDiet{{Dietary: "vegan"}, {Dietary: "halal"}}
	if _, err := models.ChangeRegistration(db.DB, amira.ID, models.RegistrationChange{GuestDietary: &guests}, now); err != nil {
		t.Fatal(err)
	}
	one := 1
	changed, err := models.ChangeRegistration(db.DB, amira.ID, models.RegistrationChange{Guests: &one}, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := changed.GuestDiets(); !slices.Equal(got, []models.PersonDiet{{Dietary: "vegan"}}) {
		t.Fatalf("guest answers after fewer guests: %v", got)
	}
	too := []models.PersonDiet{{Dietary: "vegan"}, {Dietary: "vegan"}}
	if _, err := models.ChangeRegistration(db.DB, amira.ID, models.RegistrationChange{GuestDietary: &too}, now); fieldsOf(err)["guest_dietary.1.dietary"] == "" {
		t.Fatalf("more guest answers than guests: %v", err)
	}
	want = map[string]int{"halal": 1, "vegan": 1, "kosher": 1, "other": 1}

	// The purge keeps the same counts in catering_tallies.
	if _, err := models.Purge(db.DB, ev.EndsAt.Add(40*24*time.Hour), 30); err != nil {
		t.Fatal(err)
	}
	tallies, err := models.CateringTallies(db.DB, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, tl := range tallies {
		got[tl.Diet] += tl.People
	}
	if !maps.Equal(got, want) {
		t.Errorf("tallies %v, want %v", got, want)
	}
	var left models.Registration
	if err := db.First(&left, amira.ID).Error; err != nil {
		t.Fatal(err)
	}
	if left.GuestDietary != "[]" || left.Dietary != "" {
		t.Errorf("purged registration keeps food: %q %q", left.Dietary, left.GuestDietary)
	}
}

// TestTurningTheDietaryQuestionOff: no food is asked, and what was given is
// deleted.
func TestTurningTheDietaryQuestionOff(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{Slug: sp("vigil"), MaxGuests: ip(2)})
	if !ev.AsksDietary() {
		t.Fatal("a new event does not ask about food")
	}
	in := input("amira@example.org", 1, models.InPerson)
	in.Dietary, in.GuestDietary = "halal", []models.PersonDiet{{Dietary: "vegan"}}
	res, err := models.Register(db.DB, tok, ev.ID, in, now)
	if err != nil {
		t.Fatal(err)
	}
	ev, err = models.UpdateEvent(db.DB, "vigil", models.EventInput{AskDietary: bp(false)}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if ev.AsksDietary() {
		t.Fatal("still asks")
	}
	var r models.Registration
	if err := db.First(&r, res.Registration.ID).Error; err != nil {
		t.Fatal(err)
	}
	if r.Dietary != "" || r.GuestDietary != "[]" {
		t.Errorf("answers kept after the question was turned off: %q %q", r.Dietary, r.GuestDietary)
	}
	// A new event may be made without the question.
	off := newEvent(t, db, models.EventInput{Slug: sp("outdoor"), AskDietary: bp(false)})
	if off.AsksDietary() {
		t.Error("created with ask_dietary false, but asks")
	}
}
