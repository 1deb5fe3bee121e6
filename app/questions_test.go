package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"convene/models"
)

// allKindsQuestions is one question of every kind.
var allKindsQuestions = []models.QuestionInput{
	{Key: "short", Label: "Your organisation", Kind: models.QuestionShortText},
	{Key: "long", Label: "Anything to add?", Kind: models.QuestionLongText},
	{Key: "meal", Label: "Which sitting?", Kind: models.QuestionSingle, Options: []string{"First sitting", "Second sitting"}, Required: true},
	{Key: "topics", Label: "Which topics interest you?", Kind: models.QuestionMultiple, Options: []string{"Housing", "Schools", "Policing"}},
	{Key: "photos", Label: "I agree to be photographed", Kind: models.QuestionCheckbox},
}

// allKindsEvent adds an event of open-doors asking every kind of question.
func (f *fixture) allKindsEvent(slug string) *models.Event {
	f.t.Helper()
	s := func(v string) *string { return &v }
	n := func(v int) *int { return &v }
	start := f.now.Add(10 * 24 * time.Hour)
	pub := models.StatusPublished
	qs := append([]models.QuestionInput{}, allKindsQuestions...)
	return must(models.CreateEvent(f.db.DB, models.EventInput{Slug: s(slug), Title: s("Every question"), Kind: s(models.KindMeeting),
		Status: &pub, StartsAt: &start, CapacitySet: true, Capacity: n(20), MaxGuests: n(2),
		Venue: &models.VenueInput{Name: s("Hall"), Address: s("1 High St")},
		Hosts: &[]models.HostInput{{Organisation: "open-doors"}}, Questions: &qs}, nil, nil, f.now))
}

// answersForm fills the registration form's questions: one option of the
// single choice, two of the multiple choice, the checkbox ticked.
func answersForm(form url.Values, sitting string, topics ...string) url.Values {
	form.Set("answers.short", "Riverside Trust")
	form.Set("answers.long", "Step-free entrance\nplease")
	form.Set("answers.meal", sitting)
	for _, t := range topics {
		form.Add("answers.topics", t)
	}
	form.Set("answers.photos", "yes")
	return form
}

// checkedOptions lists the options a page shows as chosen, as "key=value".
func checkedOptions(page string) []string {
	var out []string
	for _, part := range strings.Split(page, "<input")[1:] {
		tag := part[:strings.IndexByte(part, '>')]
		if !strings.Contains(tag, " checked") {
			continue
		}
		name := between(tag, `name="`, `"`)
		if strings.HasPrefix(name, "answers.") {
			out = append(out, strings.TrimPrefix(name, "answers.")+"="+between(tag, `value="`, `"`))
		}
	}
	return out
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	return s[:strings.Index(s, to)]
}

// TestQuestionsOfEveryKind shows every kind of question on every page with
// a question form (the event page, its preview, the manage page, the
// organisers' add-a-registration form, each also when it comes back with
// errors), registers through the web answering each kind, and changes the
// answers from the manage page.
func TestQuestionsOfEveryKind(t *testing.T) {
	f := newFixture(t, nil)
	ev := f.allKindsEvent("every-question")
	wantOnForm := []string{
		`name="answers.short" type="text"`, `<textarea id="answers.long" name="answers.long"`,
		`type="radio" name="answers.meal" value="First sitting"`, `type="radio" name="answers.meal" value="Second sitting"`,
		`type="checkbox" name="answers.topics" value="Housing"`, `type="checkbox" name="answers.topics" value="Policing"`,
		`type="checkbox" id="answers.photos" name="answers.photos" value="yes"`,
	}
	page := func(t *testing.T, res *http.Response, status int) string {
		t.Helper()
		b := readBody(t, res)
		if res.StatusCode != status {
			t.Fatalf("status %d, want %d\n%s", res.StatusCode, status, b)
		}
		for _, w := range wantOnForm {
			if !strings.Contains(b, w) {
				t.Errorf("form lacks %s", w)
			}
		}
		return b
	}
	base := func() url.Values {
		return url.Values{"name": {"Layla Ahmed"}, "email": {"layla@example.net"}, "guests": {"1"}, "consent": {"yes"}, "dietary": {"halal"}}
	}

	t.Run("event page", func(t *testing.T) {
		page(t, f.do(request{method: "GET", path: "/events/every-question"}), 200)
	})
	t.Run("preview", func(t *testing.T) {
		page(t, f.do(request{method: "GET", path: "/admin/events/every-question/preview", role: roleOrganiser}), 200)
	})
	t.Run("add-a-registration form", func(t *testing.T) {
		page(t, f.do(request{method: "GET", path: "/admin/events/every-question/attendees/new", role: roleOrganiser}), 200)
	})
	t.Run("event page with errors keeps the choices", func(t *testing.T) {
		form := answersForm(base(), "Third sitting", "Schools", "Policing")
		b := page(t, f.do(request{method: "POST", path: "/events/every-question/register", form: form}), 422)
		if !strings.Contains(b, "Choose one of the options") {
			t.Error("no message beside the single choice")
		}
		if got := strings.Join(checkedOptions(b), ","); got != "topics=Schools,topics=Policing,photos=yes" {
			t.Errorf("checked options %q", got)
		}
	})
	t.Run("add-a-registration form with errors", func(t *testing.T) {
		form := answersForm(url.Values{"name": {"Walk In"}, "guests": {"0"}}, "", "Housing")
		b := page(t, f.do(request{method: "POST", path: "/admin/events/every-question/attendees", role: roleOrganiser, form: form}), 422)
		if !strings.Contains(b, "Answer this question: Which sitting?") {
			t.Error("no message for the required single choice")
		}
	})
	t.Run("add a registration answering every kind", func(t *testing.T) {
		form := answersForm(url.Values{"name": {"Walk In"}, "guests": {"0"}, "email": {"walkin@example.net"}, "consent": {"yes"}}, "First sitting", "Housing")
		res := f.do(request{method: "POST", path: "/admin/events/every-question/attendees", role: roleOrganiser, form: form})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d: %s", res.StatusCode, readBody(t, res))
		}
		var r models.Registration
		f.db.Where("event_id = ? AND email = ?", ev.ID, "walkin@example.net").Take(&r)
		if !strings.Contains(r.Answers, `"meal":"First sitting"`) || !strings.Contains(r.Answers, `"topics":"Housing"`) {
			t.Errorf("answers stored %s", r.Answers)
		}
	})

	var manage string
	t.Run("register answering every kind", func(t *testing.T) {
		form := answersForm(base(), "Second sitting", "Housing", "Policing")
		res := f.do(request{method: "POST", path: "/events/every-question/register", form: form})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d: %s", res.StatusCode, readBody(t, res))
		}
		manage = res.Header.Get("Location")
		var r models.Registration
		if err := f.db.Where("event_id = ? AND email = ?", ev.ID, "layla@example.net").Take(&r).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		if err := json.Unmarshal([]byte(r.Answers), &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"short": "Riverside Trust", "long": "Step-free entrance\nplease", "meal": "Second sitting",
			"topics": "Housing\nPolicing", "photos": "yes"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("answer %s = %q, want %q", k, got[k], v)
			}
		}
	})
	if manage == "" {
		t.Fatal("no manage link")
	}
	path := strings.TrimSuffix(manage, "?new=1")
	t.Run("manage page shows the answers", func(t *testing.T) {
		b := page(t, f.do(request{method: "GET", path: manage}), 200)
		if got := strings.Join(checkedOptions(b), ","); got != "meal=Second sitting,topics=Housing,topics=Policing,photos=yes" {
			t.Errorf("checked options %q", got)
		}
		if !strings.Contains(b, `value="Riverside Trust"`) || !strings.Contains(b, "Step-free entrance\nplease</textarea>") {
			t.Error("text answers not shown")
		}
	})
	t.Run("manage page with errors", func(t *testing.T) {
		form := answersForm(url.Values{"guests": {"1"}, "dietary": {"halal"}}, "Second sitting", "Gardening")
		b := page(t, f.do(request{method: "POST", path: path, form: form}), 422)
		if !strings.Contains(b, "Choose from the options") {
			t.Error("no message beside the multiple choice")
		}
	})
	t.Run("manage page changes the answers", func(t *testing.T) {
		form := url.Values{"guests": {"1"}, "dietary": {"halal"}, "answers.meal": {"First sitting"}, "answers.topics": {"Schools"}}
		res := f.do(request{method: "POST", path: path, form: form})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d: %s", res.StatusCode, readBody(t, res))
		}
		b := page(t, f.do(request{method: "GET", path: path}), 200)
		if got := strings.Join(checkedOptions(b), ","); got != "meal=First sitting,topics=Schools" {
			t.Errorf("checked options after the change %q", got)
		}
	})
}
