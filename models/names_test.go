package models_test

import (
	"errors"
	"testing"

	"convene/models"
	"convene/models/modelstest"
)

func TestCleanName(t *testing.T) {
	tests := []struct {
		name string
		s    string
		ok   bool
	}{
		{"Latin with accents", "Ayşe Yılmaz-Öztürk", true},
		{"Hebrew", "שרה לוי", true},
		{"Arabic", "مريم الحسيني", true},
		{"Uyghur", "ئابدۇرېھىم ئۆتكۈر", true},
		{"Persian with a zero-width non-joiner", "نیک\u200cنام", true},
		{"emoji with a zero-width joiner", "Sam 👩\u200d👩\u200d👧", true},
		{"line feed", "Mallory\nBcc: everyone", false},
		{"carriage return", "Mallory\rX", false},
		{"tab", "A\tB", false},
		{"right-to-left override", "Evil\u202egnp.exe", false},
		{"left-to-right embedding", "A\u202aB", false},
		{"pop directional formatting", "A\u202cB", false},
		{"first strong isolate", "A\u2068B\u2069", false},
		{"right-to-left isolate", "A\u2067B", false},
		{"right-to-left mark", "A\u200fB", false},
		{"Arabic letter mark", "A\u061cB", false},
		{"zero-width space", "Adm\u200bin", false},
		{"byte-order mark", "\ufeffAdmin", false},
		{"soft hyphen", "Ad\u00admin", false},
		{"word joiner", "A\u2060B", false},
		{"line separator", "A\u2028B", false},
		{"paragraph separator", "A\u2029B", false},
		{"next line", "A\u0085B", false},
		{"tag character", "A\U000E0041B", false},
		{"NUL", "A\x00B", false},
	}
	for _, tt := range tests {
		if got := models.CleanName(tt.s); got != tt.ok {
			t.Errorf("%s: CleanName(%q) = %v, want %v", tt.name, tt.s, got, tt.ok)
		}
	}
}

// TestNameFieldsRefuseSpoofing: every name-like field refuses line breaks
// and direction overrides with a message on that field.
func TestNameFieldsRefuseSpoofing(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(5)})
	admin, _, err := models.EnsureUser(db.DB, "admin@example.org", "Admin", true, "", now)
	if err != nil {
		t.Fatal(err)
	}
	org, err := models.SaveOrganisation(db.DB, 0, models.OrganisationInput{Slug: "org", Name: "Org"}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"Mallory\r\nBcc: x", "Evil\u202egnp.exe", "A\u2066B\u2069"} {
		tests := []struct {
			name, field string
			do          func() error
		}{
			{"registration name", "name", func() error {
				return models.ValidateRegistration(ev, &models.RegisterInput{Name: bad, Email: "x@example.org", Consent: true, Attendance: models.InPerson})
			}},
			{"user name", "name", func() error { _, _, err := models.EnsureUser(db.DB, "u@example.org", bad, false, "", now); return err }},
			{"invited user's name", "name", func() error {
				_, _, err := models.InviteUser(db.DB, models.InviteInput{Email: "i@example.org", Name: bad, Kind: models.AccountAdmin}, &admin.ID, now)
				return err
			}},
			{"organisation name", "name", func() error {
				_, err := models.SaveOrganisation(db.DB, 0, models.OrganisationInput{Slug: "o2", Name: bad}, nil, now)
				return err
			}},
			{"series title", "title", func() error {
				_, err := models.SaveSeries(db.DB, 0, models.SeriesInput{Slug: "s2", Title: bad}, nil, now)
				return err
			}},
			{"event title", "title", func() error {
				_, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Title: sp(bad)}, nil, now)
				return err
			}},
			{"event summary", "summary", func() error {
				_, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Summary: sp(bad)}, nil, now)
				return err
			}},
			{"venue name", "venue.name", func() error {
				_, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Venue: &models.VenueInput{Name: sp(bad)}}, nil, now)
				return err
			}},
			{"question label", "questions.0", func() error {
				qs := []models.QuestionInput{{Key: "q", Label: bad, Kind: models.QuestionShortText}}
				_, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Questions: &qs}, nil, now)
				return err
			}},
			{"question option", "questions.0", func() error {
				qs := []models.QuestionInput{{Key: "q", Label: "Pick", Kind: models.QuestionSingle, Options: []string{"Fine", bad}}}
				_, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Questions: &qs}, nil, now)
				return err
			}},
			{"anniversary title", "anniversaries.0.title", func() error {
				as := []models.AnniversaryInput{{Title: bad, Month: 1, Day: 27}}
				_, err := models.SaveCalendarSettings(db.DB, org.ID, models.CalendarSettingsInput{Anniversaries: &as}, nil, now)
				return err
			}},
			{"home place", "home_place.name", func() error {
				_, err := models.SaveCalendarSettings(db.DB, org.ID, models.CalendarSettingsInput{HomePlace: sp(bad)}, nil, now)
				return err
			}},
			{"API token name", "name", func() error {
				_, _, err := models.NewAPIToken(db.DB, admin.ID, models.APITokenInput{Name: bad}, now)
				return err
			}},
			{"message subject", "subject", func() error {
				_, err := models.MessageRegistrants(db.DB, ev.ID, "Doors open \u202eat six", "Body", nil, nil, now)
				return err
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.do()
				var ve *models.ValidationError
				if !errors.As(err, &ve) || ve.Fields[tt.field] == "" {
					t.Fatalf("%q: err %v, want a message for %s", bad, err, tt.field)
				}
			})
		}
	}
}

// TestEmailsFoldASCIICaseOnly: U+212A KELVIN SIGN is not k, so a look-alike
// address does not hold the real one's place, while ASCII case still folds.
func TestEmailsFoldASCIICaseOnly(t *testing.T) {
	if got := models.NormaliseEmail("  \u212Aate@Example.ORG "); got != "\u212aate@example.org" {
		t.Fatalf("NormaliseEmail = %q", got)
	}
	if got := models.NormaliseEmail("ÉLISE@EXAMPLE.ORG"); got != "Élise@example.org" {
		t.Fatalf("NormaliseEmail folds beyond ASCII: %q", got)
	}
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(5)})
	register(t, db, ev.ID, "\u212Aate@example.org", 0, models.InPerson)
	if res := register(t, db, ev.ID, "KATE@example.org", 0, models.InPerson); res.Duplicate {
		t.Fatal("the look-alike address holds kate@example.org's place")
	}
	if res := register(t, db, ev.ID, "kate@EXAMPLE.org", 0, models.InPerson); !res.Duplicate {
		t.Fatal("ASCII case no longer folds")
	}
}
