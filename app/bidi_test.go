package app

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"

	"convene/mail"
	"convene/models"
)

// arabic is what people typed, in Arabic script: every occurrence on a page
// or in a mail must be isolated (<bdi>, or an element with dir), so that
// "محمد عبد الله +2" never shows as "2+ محمد عبد الله".
var arabic = struct {
	Name, Org, Title, Summary, Venue, Address, Access, Description, Series, Label, Answer, Needs, DietOther string
}{
	Name: "محمد عبد الله", Org: "مسجد النور", Title: "إفطار التضامن", Summary: "نلتقي لنفطر معاً",
	Venue: "قاعة المجتمع", Address: "شارع الملك", Access: "مدخل بدون درج", Description: "أهلاً وسهلاً بالجميع",
	Series: "أسبوع العمل", Label: "كيف سمعت عنا؟", Answer: "من صديق", Needs: "كرسي متحرك", DietOther: "بدون مكسرات",
}

func arabicValues() []string {
	return []string{arabic.Name, arabic.Org, arabic.Title, arabic.Summary, arabic.Venue, arabic.Address, arabic.Access,
		arabic.Description, arabic.Series, arabic.Label, arabic.Answer, arabic.Needs, arabic.DietOther}
}

// separators may share an isolating element with user text: list commas.
var separators = regexp.MustCompile(`^[\s,،]*$`)

func hasArabic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// bidiProblems lists the occurrences of Arabic text in page that are not
// isolated: a text node whose nearest <bdi> or element with dir is missing,
// or holds other text of the page (a count, a label) with it; and inputs
// holding Arabic text without dir.
func bidiProblems(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "title", "script", "style":
				return // not shown as text of the page
			case "input":
				if v, _ := attr(n, "value"); hasArabic(v) {
					if _, ok := attr(n, "dir"); !ok {
						problems = append(problems, "input without dir: "+v)
					}
				}
			case "textarea":
				if hasArabic(textOf(n)) {
					if _, ok := attr(n, "dir"); !ok {
						problems = append(problems, "textarea without dir: "+textOf(n))
					}
				}
				return
			}
		}
		if n.Type == html.TextNode && hasArabic(n.Data) {
			var iso *html.Node
			for p := n.Parent; p != nil && iso == nil; p = p.Parent {
				if _, ok := attr(p, "dir"); ok || p.Data == "bdi" {
					iso = p
				}
			}
			switch {
			case iso == nil:
				problems = append(problems, "not isolated: "+strings.TrimSpace(n.Data))
			default:
				rest := textOf(iso)
				for _, v := range arabicValues() {
					rest = strings.ReplaceAll(rest, v, "")
				}
				if !separators.MatchString(rest) {
					problems = append(problems, "isolated with other text: "+strings.TrimSpace(textOf(iso)))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return problems
}

// TestBidiIsolation walks the pages and mails that show people's text, with
// an event, organisation, series, question and registrant in Arabic, and
// checks that every occurrence is isolated.
func TestBidiIsolation(t *testing.T) {
	f := newFixture(t, nil)
	db, now := f.db.DB, f.now
	must(models.SaveOrganisation(db, 0, models.OrganisationInput{Slug: "al-noor", Name: arabic.Org, Timezone: "Europe/London"}, nil, now))
	must(models.SaveSeries(db, 0, models.SeriesInput{Slug: "arabic-week", Title: arabic.Series}, nil, now))
	s := func(v string) *string { return &v }
	n := func(v int) *int { return &v }
	start := now.Add(12 * 24 * time.Hour)
	end := start.Add(2 * time.Hour)
	pub, yes := models.StatusPublished, true
	ev := must(models.CreateEvent(db, models.EventInput{Slug: s("arabic-iftar"), Title: s(arabic.Title), Summary: s(arabic.Summary),
		Description: s(arabic.Description), Kind: s(models.KindMeeting), Status: &pub, StartsAt: &start, EndsAt: &end,
		CapacitySet: true, Capacity: n(20), MaxGuests: n(3), Online: &yes, Series: s("arabic-week"),
		Venue:     &models.VenueInput{Name: s(arabic.Venue), Address: s(arabic.Address), AccessNotes: s(arabic.Access)},
		Hosts:     &[]models.HostInput{{Organisation: "al-noor"}, {Organisation: "open-doors", Role: models.RoleCoHost}},
		Questions: &[]models.QuestionInput{{Key: "heard", Label: arabic.Label, Kind: models.QuestionShortText}}}, nil, nil, now))
	res := must(models.Register(db, f.app.tok, ev.ID, models.RegisterInput{Name: arabic.Name, Email: "mohammed@example.net", Guests: 2,
		Attendance: models.InPerson, Dietary: "other", DietaryOther: arabic.DietOther, AccessNeeds: arabic.Needs,
		Answers: map[string]string{"heard": arabic.Answer}, Consent: true}, now))
	token := f.app.tok.ManageToken(res.Registration)
	// A request waiting for approval, for the requests queue.
	mode := models.ModeApproval
	must(models.UpdateEvent(db, ev.Slug, models.EventInput{RegistrationMode: &mode}, nil, now))
	req := must(models.Register(db, f.app.tok, ev.ID, models.RegisterInput{Name: arabic.Name, Email: "mohammed2@example.net", Guests: 1,
		Attendance: models.InPerson, Dietary: "other", DietaryOther: arabic.DietOther, AccessNeeds: arabic.Needs,
		Answers: map[string]string{"heard": arabic.Answer}, Consent: true}, now))
	must(models.ConfirmRegistration(db, req.Registration.ID, now))

	pages := []struct{ path, role string }{
		{"/", roleAnon},
		{"/events/arabic-iftar", roleAnon},
		{"/organisations", roleAnon},
		{"/organisations/al-noor", roleAnon},
		{"/series", roleAnon},
		{"/series/arabic-week", roleAnon},
		{"/calendar", roleAnon},
		{"/r/" + token, roleAnon},
		{"/r/" + token + "/cancel", roleAnon},
		{"/admin", roleOrganiser},
		{"/admin/events/arabic-iftar/attendees", roleOrganiser},
		{"/admin/events/arabic-iftar/door", roleOrganiser},
		{"/admin/events/arabic-iftar/requests", roleOrganiser},
	}
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			res := f.do(request{method: "GET", path: p.path, role: p.role})
			page := readBody(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("%d", res.StatusCode)
			}
			if !hasArabic(page) {
				t.Fatal("the page shows none of the Arabic text: the test proves nothing")
			}
			for _, p := range bidiProblems(t, page) {
				t.Error(p)
			}
		})
	}
	t.Run("check your email", func(t *testing.T) {
		res := f.do(request{method: "POST", path: "/events/arabic-iftar/register", form: map[string][]string{
			"name": {arabic.Name}, "email": {"mohammed3@example.net"}, "attendance": {"in_person"}, "consent": {"yes"}}})
		page := readBody(t, res)
		if res.StatusCode != 200 || !strings.Contains(page, arabic.Title) {
			t.Fatalf("%d, title shown: %v", res.StatusCode, strings.Contains(page, arabic.Title))
		}
		for _, p := range bidiProblems(t, page) {
			t.Error(p)
		}
	})

	// Every mail these registrations caused, and the kinds they did not.
	var mails []models.OutboxMail
	if err := db.Where("registration_id IN ?", []uint{res.Registration.ID, req.Registration.ID}).Find(&mails).Error; err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{models.MailPromoted, models.MailChanged, models.MailCancelled, models.MailEventChanged, models.MailReminder, models.MailDuplicate} {
		if err := models.EnqueueMail(db, k, ev, res.Registration, map[string]string{"previous_venue": arabic.Address}, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Where("registration_id IN ?", []uint{res.Registration.ID, req.Registration.ID}).Find(&mails).Error; err != nil {
		t.Fatal(err)
	}
	c := mail.Composer{BaseURL: "http://convene.test", From: "Convene <events@convene.test>", Tokens: f.app.tok}
	for _, m := range mails {
		t.Run("mail "+m.Kind, func(t *testing.T) {
			msg, err := c.Compose(f.db, &m, now)
			if m.Kind == models.MailConfirmRequest && errors.Is(err, mail.ErrUnsendable) {
				t.Skip("a confirmation request is not sent once confirmed")
			}
			if err != nil {
				t.Fatal(err)
			}
			if !hasArabic(msg.HTML) {
				t.Fatal("the mail shows none of the Arabic text")
			}
			for _, p := range bidiProblems(t, msg.HTML) {
				t.Error(p)
			}
		})
	}
	if len(mails) < 8 {
		t.Errorf("only %d mails walked", len(mails))
	}
}
