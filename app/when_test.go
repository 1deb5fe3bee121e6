package app

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"convene/calendar"
	"convene/mail"
	"convene/models"
)

// TestWhenSameOnPagesAndMails: the event page, the manage page, the poster
// and the confirmation mail say an event's "When" in the same words
// (calendar.When), whatever its zone, across midnight and a change of
// clocks.
func TestWhenSameOnPagesAndMails(t *testing.T) {
	f := newFixture(t, nil)
	s := func(v string) *string { return &v }
	at := func(v string) time.Time { return must(time.Parse(time.RFC3339, v)) }
	pageWhen := regexp.MustCompile(`<dt>When</dt><dd><time datetime="[^"]*">([^<]*)</time>`)
	mailWhen := regexp.MustCompile(`(?m)^When: (.*)$`)
	composer := mail.Composer{BaseURL: "http://convene.test", From: "Convene <events@convene.test>", Tokens: f.app.tok}
	for _, c := range []struct {
		name       string
		zone       string
		start, end time.Time
		want       string
	}{
		{"london-winter", "Europe/London", at("2026-12-10T19:00:00Z"), at("2026-12-10T21:00:00Z"), "Thursday 10 December 2026, 7pm to 9pm (GMT, London time)"},
		{"london-clocks-change", "Europe/London", at("2027-03-27T23:30:00Z"), at("2027-03-28T02:00:00Z"), "Saturday 27 March 2027, 11:30pm to Sunday 28 March 2027, 3am (GMT, London time)"},
		{"kolkata", "Asia/Kolkata", at("2026-12-10T13:30:00Z"), at("2026-12-10T15:00:00Z"), "Thursday 10 December 2026, 7pm to 8:30pm (IST, Kolkata time)"},
		{"buenos-aires", "America/Argentina/Buenos_Aires", at("2026-12-10T22:00:00Z"), at("2026-12-11T00:00:00Z"), "Thursday 10 December 2026, 7pm to 9pm (-03, Buenos Aires time)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pub, yes, capacity := models.StatusPublished, true, 10
			ev := must(models.CreateEvent(f.db.DB, models.EventInput{Slug: s("when-" + c.name), Title: s("When " + c.name), Kind: s(models.KindMeeting),
				Status: &pub, Timezone: s(c.zone), StartsAt: &c.start, EndsAt: &c.end, InPerson: &yes, CapacitySet: true, Capacity: &capacity,
				Venue: &models.VenueInput{Name: s("Hall"), Address: s("1 High St")}, Hosts: &[]models.HostInput{{Organisation: "open-doors"}}}, nil, nil, f.now))
			reg, manage := f.registerAs(ev, "when-"+c.name+"@example.org", 0, models.InPerson)
			for _, path := range []string{"/events/" + ev.Slug, manage, "/events/" + ev.Slug + "/poster"} {
				page := readBody(t, f.do(request{method: "GET", path: path}))
				m := pageWhen.FindStringSubmatch(page)
				if m == nil || html.UnescapeString(m[1]) != c.want {
					t.Errorf("%s says When %q, want %q", path, m, c.want)
				}
			}
			var row models.OutboxMail
			if err := f.db.Where("kind = ? AND registration_id = ?", models.MailConfirmation, reg.ID).First(&row).Error; err != nil {
				t.Fatal(err)
			}
			msg := must(composer.Compose(f.db, &row, f.now))
			if m := mailWhen.FindStringSubmatch(msg.Text); m == nil || strings.TrimSpace(m[1]) != c.want {
				t.Errorf("the mail says %q, want When: %q", m, c.want)
			}
			if got := calendar.When(ev.StartsAt, ev.EndsAt, ev.Location()); got != c.want {
				t.Errorf("calendar.When = %q, want %q", got, c.want)
			}
		})
	}
}
