package models

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

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
	"answers_retention_days": {0, MaxAnswersRetentionDays,
		fmt.Sprintf("Enter a number of days from 0 to %d", MaxAnswersRetentionDays)},
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
		{"sunset_offset_minutes", in.SunsetOffsetMinutes}, {"duration_minutes", in.DurationMinutes},
		{"answers_retention_days", in.AnswersRetentionDays}}
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

// validateEventInput records in v what is wrong with the input itself,
// before anything is looked up or applied: text that cannot be stored,
// lengths, slugs, choices from a list, numbers outside their limits (see
// checkEventLimits), and the questions. It first normalises the questions in
// place (labels trimmed, a missing key made from the label), as they will be
// stored. Every problem is named at once: a field already named keeps its
// first message.
func validateEventInput(in EventInput, v *ValidationError) {
	texts := map[string]*string{"slug": in.Slug, "title": in.Title, "summary": in.Summary, "description": in.Description,
		"kind": in.Kind, "status": in.Status, "timezone": in.Timezone, "stream_url": in.StreamURL, "series": in.Series,
		"cancel_message": in.CancelMessage, "date": in.Date, "start_rule": in.StartRule, "registration_mode": in.RegistrationMode}
	if vin := in.Venue; vin != nil {
		texts["venue.name"], texts["venue.address"], texts["venue.access_notes"], texts["venue.address_visibility"] =
			vin.Name, vin.Address, vin.AccessNotes, vin.AddressVisibility
	}
	for field, p := range texts {
		if p != nil && !CleanText(*p) {
			v.Add(field, "Remove the invisible or broken characters from this field")
		}
	}
	checkEventLimits(in, v)
	if in.Title != nil {
		switch title := str(in.Title); {
		case title == "":
			v.Add("title", "Enter a title")
		case utf8.RuneCountInString(title) > 200:
			v.Add("title", "Title must be 200 characters or fewer")
		case !CleanName(title):
			v.Add("title", NameMessage)
		}
	}
	if s := str(in.Slug); s != "" && (!slugRe.MatchString(s) || len(s) > 80) {
		v.Add("slug", "Use lower-case letters, digits and single hyphens (at most 80)")
	}
	if in.Summary != nil {
		switch summary := str(in.Summary); {
		case utf8.RuneCountInString(summary) > 500:
			v.Add("summary", "Summary must be 500 characters or fewer")
		case !CleanName(summary):
			v.Add("summary", NameMessage)
		}
	}
	if in.Description != nil && utf8.RuneCountInString(strings.TrimSpace(*in.Description)) > 50000 {
		v.Add("description", "Description must be 50,000 characters or fewer")
	}
	if in.Kind != nil && !contains(Kinds, *in.Kind) {
		v.Add("kind", "Choose a kind: "+strings.Join(Kinds, ", "))
	}
	if in.Status != nil && !contains(Statuses, *in.Status) {
		v.Add("status", "Choose a status: "+strings.Join(Statuses, ", "))
	}
	if in.Timezone != nil {
		if _, ok := Zone(str(in.Timezone)); !ok {
			v.Add("timezone", "Use an IANA time zone such as Europe/London")
		}
	}
	if vin := in.Venue; vin != nil {
		if vin.Name != nil {
			if name := str(vin.Name); !CleanName(name) {
				v.Add("venue.name", NameMessage)
			} else if utf8.RuneCountInString(name) > 200 {
				v.Add("venue.name", "Venue name must be 200 characters or fewer")
			}
		}
		if vin.Address != nil && utf8.RuneCountInString(str(vin.Address)) > 500 {
			v.Add("venue.address", "Venue address must be 500 characters or fewer")
		}
		if vin.AddressVisibility != nil {
			if av := str(vin.AddressVisibility); av != AddressPublic && av != AddressRegistrants {
				v.Add("venue.address_visibility", "Choose public or registrants")
			}
		}
	}
	if s := str(in.StreamURL); s != "" {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.Add("stream_url", "Enter a web address starting with https://")
		}
	}
	if in.RegistrationMode != nil && !contains(RegistrationModes, str(in.RegistrationMode)) {
		v.Add("registration_mode", "Choose how people register: "+strings.Join(RegistrationModes, ", "))
	}
	if in.StartRule != nil {
		switch str(in.StartRule) {
		case "", "fixed", "sunset":
		default:
			v.Add("start_rule", "Start rule must be fixed or sunset")
		}
	}
	if in.Date != nil {
		if _, err := time.Parse("2006-01-02", str(in.Date)); err != nil {
			v.Add("date", "Enter the date as YYYY-MM-DD")
		}
	}
	if in.Hosts != nil {
		for i, h := range *in.Hosts {
			if h.Role != "" && h.Role != RoleHost && h.Role != RoleCoHost {
				v.Add(fmt.Sprintf("hosts.%d", i), "Role must be host or co-host")
			}
		}
	}
	if in.Questions != nil {
		validateQuestions(*in.Questions, v)
	}
}

// validateQuestions normalises qs in place and names what is wrong with each.
func validateQuestions(qs []QuestionInput, v *ValidationError) {
	keys := map[string]bool{}
	for i := range qs {
		q := &qs[i]
		field := fmt.Sprintf("questions.%d", i)
		q.Label = strings.TrimSpace(q.Label)
		if q.Key == "" {
			q.Key = Slugify(q.Label)
		}
		switch {
		case q.Label == "":
			v.Add(field, "Each question needs a label")
		case !CleanName(q.Label) || !CleanName(q.Hint):
			v.Add(field, NameMessage)
		}
		for _, o := range q.Options {
			if !CleanName(o) {
				v.Add(field, "Each option: "+NameMessage)
			}
		}
		switch q.Kind {
		case QuestionShortText, QuestionLongText, QuestionCheckbox:
		case QuestionSingle, QuestionMultiple:
			if len(q.Options) < 2 {
				v.Add(field, "A choice question needs at least two options")
			}
		default:
			v.Add(field, "Kind must be short_text, long_text, single_choice, multiple_choice or checkbox")
		}
		if keys[q.Key] {
			v.Add(field, "Two questions have the same key")
		}
		keys[q.Key] = true
	}
}

// checkEvent records in v what is wrong with the event an input made, as
// a whole: the rules that involve values of the input and of the event as
// stored together.
func checkEvent(ev *Event, v *ValidationError) {
	if ev.Kind == KindLivestream && ev.InPerson {
		v.Add("in_person", "A livestream is online only")
	}
	if !ev.InPerson && !ev.Online {
		v.Add("online", "An event must be in person, online or both")
	}
	if ev.RegistrationOpensAt != nil && ev.RegistrationClosesAt != nil && !ev.RegistrationOpensAt.Before(*ev.RegistrationClosesAt) {
		v.Add("registration_closes_at", "Registration must close after it opens")
	}
	if ev.StartRule == "sunset" {
		return // timed by applyIftar, which checks it
	}
	if !ev.StartsAt.IsZero() && !ev.EndsAt.After(ev.StartsAt) {
		v.Add("ends_at", "The end must be after the start")
	}
	if !ev.StartsAt.IsZero() && (ev.StartsAt.Year() < 2000 || ev.StartsAt.Year() > 2200) {
		v.Add("starts_at", "Enter a start between the years 2000 and 2200")
	}
}

// ValidateRegistration checks an attendee's input against the event and its
// questions, normalising it in place.
func ValidateRegistration(ev *Event, in *RegisterInput) error {
	v := &ValidationError{}
	for field, text := range map[string]string{"name": in.Name, "email": in.Email,
		"access_needs": in.AccessNeeds, "attendance": in.Attendance} {
		if !CleanText(text) {
			v.Add(field, "Remove the invisible or broken characters from this answer")
		}
	}
	for key, text := range in.Answers {
		if !CleanText(text) {
			v.Add("answers."+key, "Remove the invisible or broken characters from this answer")
		}
	}
	// Every problem is named at once: a field already named keeps its
	// first message.
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	checkName(v, "name", in.Name, "Enter your name")
	checkEmail(v, "email", in.Email, "Enter your email address")
	if in.Attendance == "" && len(ev.Modes()) == 1 {
		in.Attendance = ev.Modes()[0]
	}
	switch {
	case in.Attendance == "" && ev.Hybrid():
		v.Add("attendance", "Choose whether you will come in person or join online")
	case in.Attendance == InPerson && !ev.InPerson, in.Attendance == Online && !ev.Online:
		v.Add("attendance", "This event does not offer that way of attending")
	case in.Attendance != InPerson && in.Attendance != Online && in.Attendance != "":
		v.Add("attendance", "Choose in person or online")
	}
	switch in.IfFull {
	case "", IfFullWaitlist, IfFullReject:
	default:
		v.Add("if_full", `Choose "waitlist" (join the waitlist with the whole party) or "reject" (register only if the party fits)`)
	}
	switch {
	case in.Guests < 0:
		v.Add("guests", "Guests cannot be a negative number")
	case in.Guests > ev.MaxGuests:
		if ev.MaxGuests == 0 {
			v.Add("guests", "This event does not take guests")
		} else {
			v.Add("guests", fmt.Sprintf("You can bring at most %d guests", ev.MaxGuests))
		}
	}
	in.AccessNeeds = strings.TrimSpace(in.AccessNeeds)
	validateFood(ev, in, v)
	if len([]rune(in.AccessNeeds)) > 2000 {
		v.Add("access_needs", "Access needs must be 2,000 characters or fewer")
	}
	if !in.Consent {
		v.Add("consent", "Agree to us keeping your details for this event to register")
	}
	validateAnswers(ev.Questions, in, v)
	return v.Err()
}

func validateAnswers(qs []Question, in *RegisterInput, v *ValidationError) {
	clean := map[string]string{}
	for key := range in.Answers {
		if !slices.ContainsFunc(qs, func(q Question) bool { return q.Key == key }) {
			v.Add("answers."+key, "This event has no question with this key")
		}
	}
	for _, q := range qs {
		a := strings.TrimSpace(in.Answers[q.Key])
		field := "answers." + q.Key
		if a == "" {
			if q.Required {
				v.Add(field, "Answer this question: "+q.Label)
			}
			continue
		}
		switch q.Kind {
		case QuestionShortText:
			if len([]rune(a)) > 300 {
				v.Add(field, "Answer in 300 characters or fewer")
			}
		case QuestionLongText:
			if len([]rune(a)) > 4000 {
				v.Add(field, "Answer in 4,000 characters or fewer")
			}
		case QuestionSingle:
			if !contains(q.Choices(), a) {
				v.Add(field, "Choose one of the options")
			}
		case QuestionMultiple:
			for _, part := range strings.Split(a, "\n") {
				if !contains(q.Choices(), strings.TrimSpace(part)) {
					v.Add(field, "Choose from the options")
				}
			}
		case QuestionCheckbox:
			if a != "yes" && a != "no" {
				v.Add(field, "Answer yes or no")
			}
		}
		clean[q.Key] = a
	}
	in.Answers = clean
}

// Choices are the options of a choice question. The receiver is a value:
// templates call it on questions that are not addressable.
func (q Question) Choices() []string {
	var out []string
	for _, o := range strings.Split(q.Options, "\n") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// CleanText reports whether s is valid UTF-8 without control characters
// (other than tab and line breaks): text that every database stores and
// every page, feed and mail shows as it was meant.
func CleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// ValidEmail is a deliberately simple syntax check: one @, a dot in the
// domain, no spaces or angle brackets.
func ValidEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>,;\"()[]\\") {
		return false
	}
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.Contains(s[:at], "@")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
