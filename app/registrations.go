package app

import (
	"encoding/json"
	"errors"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// registrationForm holds what was typed, so a form with errors shows it again.
type registrationForm struct {
	Name         string
	Email        string
	Guests       string
	Attendance   string
	Dietary      string
	DietaryOther string
	// GuestDiets are the guests' dietary requirements as typed, in order.
	GuestDiets  []models.PersonDiet
	AccessNeeds string
	Consent     bool
	Answers     map[string]string
	// IfFull is the choice made on the second step, when the party did not
	// fit the free places: "waitlist", or "" to be asked.
	IfFull string
	// Code is the allocation code of the private link the person came
	// through, carried in the form; Stamp the form's signed time (formstamp.go).
	Code  string
	Stamp string
}

// hiddenField is one input of a form carried through a second step.
type hiddenField struct{ Name, Value string }

// Hidden lists what was typed as hidden inputs, so that the second step of
// a registration (the choice when the party does not fit) keeps it all.
func (f registrationForm) Hidden(questions []models.Question) []hiddenField {
	out := []hiddenField{{"name", f.Name}, {"email", f.Email}, {"attendance", f.Attendance}, {"guests", f.Guests},
		{"dietary", f.Dietary}, {"dietary_other", f.DietaryOther}, {"access_needs", f.AccessNeeds}}
	for i, d := range f.GuestDiets {
		out = append(out, hiddenField{guestDietField(i, "dietary"), d.Dietary}, hiddenField{guestDietField(i, "dietary_other"), d.Other})
	}
	if f.Consent {
		out = append(out, hiddenField{"consent", "yes"})
	}
	if f.Code != "" {
		out = append(out, hiddenField{"code", f.Code})
	}
	if f.Stamp != "" {
		out = append(out, hiddenField{stampField, f.Stamp})
	}
	for _, q := range questions {
		v, ok := f.Answers[q.Key]
		if !ok {
			continue
		}
		if q.Kind == models.QuestionMultiple {
			for _, part := range strings.Split(v, "\n") {
				if part != "" {
					out = append(out, hiddenField{"answers." + q.Key, part})
				}
			}
			continue
		}
		out = append(out, hiddenField{"answers." + q.Key, v})
	}
	return out
}

// guestDietField names a guest's dietary field as the API's errors do:
// guest_dietary.0.dietary is the first guest's choice.
func guestDietField(i int, what string) string {
	return "guest_dietary." + strconv.Itoa(i) + "." + what
}

// guestDietRow is one guest's dietary question on a form.
type guestDietRow struct {
	Number          int // 1 for the first guest
	Field, Other    string
	Dietary, Detail string
	Error, OtherErr string
}

// GuestDietRows are the guests' dietary questions of a form for an event
// that takes up to max guests, with what was typed and the errors.
func (f registrationForm) GuestDietRows(max int, errs map[string]string) []guestDietRow {
	out := make([]guestDietRow, max)
	for i := range out {
		r := guestDietRow{Number: i + 1, Field: guestDietField(i, "dietary"), Other: guestDietField(i, "dietary_other")}
		if i < len(f.GuestDiets) {
			r.Dietary, r.Detail = f.GuestDiets[i].Dietary, f.GuestDiets[i].Other
		}
		r.Error, r.OtherErr = errs[r.Field], errs[r.Other]
		out[i] = r
	}
	return out
}

func parseRegistrationForm(c *fiber.Ctx, ev *models.Event) (registrationForm, models.RegisterInput, map[string]string) {
	f := registrationForm{
		Name: c.FormValue("name"), Email: c.FormValue("email"), Guests: strings.TrimSpace(c.FormValue("guests")),
		Attendance: c.FormValue("attendance"), Dietary: c.FormValue("dietary"), DietaryOther: c.FormValue("dietary_other"),
		AccessNeeds: c.FormValue("access_needs"), Answers: map[string]string{}, IfFull: c.FormValue("if_full"),
		Code: strings.TrimSpace(c.FormValue("code")), Stamp: c.FormValue(stampField),
	}
	switch strings.ToLower(c.FormValue("consent")) {
	case "on", "yes", "true", "1":
		f.Consent = true
	}
	for i := range ev.MaxGuests {
		f.GuestDiets = append(f.GuestDiets, models.PersonDiet{
			Dietary: c.FormValue(guestDietField(i, "dietary")), Other: c.FormValue(guestDietField(i, "dietary_other"))})
	}
	for _, q := range ev.Questions {
		if q.Kind == models.QuestionMultiple {
			var picked []string
			for _, v := range c.Context().PostArgs().PeekMulti("answers." + q.Key) {
				picked = append(picked, string(v))
			}
			f.Answers[q.Key] = strings.Join(picked, "\n")
			continue
		}
		f.Answers[q.Key] = c.FormValue("answers." + q.Key)
	}
	in := models.RegisterInput{Name: f.Name, Email: f.Email, Attendance: f.Attendance, Dietary: f.Dietary,
		DietaryOther: f.DietaryOther, GuestDietary: slices.Clone(f.GuestDiets), AccessNeeds: f.AccessNeeds, Consent: f.Consent,
		Answers: f.Answers, IfFull: f.IfFull}
	errs := map[string]string{}
	if ev.Hybrid() && f.Attendance == models.Online {
		// Guests come in person: the form asks about them for in-person
		// places only (register.js hides the question), so what a form
		// without the script sent for them is not kept.
		f.Guests, f.GuestDiets, in.GuestDietary = "0", nil, nil
	}
	if f.Guests != "" {
		n, err := strconv.Atoi(f.Guests)
		if err != nil {
			errs["guests"] = "Enter the number of guests as a whole number, like 2"
		} else {
			in.Guests = n
		}
	}
	return f, in, errs
}

// registerForm handles the registration form of an event page. A party
// bigger than the free places is never waitlisted without being asked: the
// form goes on to a second step (choosePlaces) unless the person already
// chose the waitlist.
func (a *App) registerForm(c *fiber.Ctx) error {
	ev, err := a.events.static(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if !ev.Public() {
		return models.ErrNotFound
	}
	if c.FormValue("website") != "" { // honeypot: people never fill it in
		return a.renderCheckEmail(c, ev)
	}
	form, in, errs := parseRegistrationForm(c, ev)
	if c.FormValue("edit") != "" { // "Change my answers" on the second step
		return a.renderEventForm(c, 200, ev.Slug, form, nil)
	}
	if msg := a.checkStamp(form.Stamp, a.now()); msg != "" {
		return a.renderEventForm(c, 422, ev.Slug, form, map[string]string{"form": msg})
	}
	if form.Code != "" {
		al, _, err := a.allocationByCode(c, ev, form.Code)
		if err != nil {
			return err
		}
		if al != nil {
			in.AllocationID = &al.ID
		}
	}
	switch {
	case c.FormValue("step") == "choose":
		if problem := applyPlacesChoice(c, &form, &in); problem != "" {
			return a.renderPlacesChoice(c, 422, ev, form, placesChoiceFrom(c), problem)
		}
	}
	if in.IfFull != models.IfFullWaitlist {
		in.IfFull = models.IfFullReject
	}
	if err := models.ValidateRegistration(ev, &in); err != nil {
		var ve *models.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		for k, v := range ve.Fields {
			if _, ok := errs[k]; !ok {
				errs[k] = v
			}
		}
	}
	if len(errs) == 0 {
		res, err := a.reg.Register(c.UserContext(), ev.ID, in, a.now())
		a.events.touch(ev.ID)
		if err == nil {
			a.metrics.registered(res)
		}
		var pe *models.PlacesError
		switch {
		case err == nil && res.CheckEmail:
			return a.renderCheckEmail(c, ev)
		case err == nil:
			return c.Redirect(models.ManagePath(res.ManageToken)+"?new=1", fiber.StatusSeeOther)
		case errors.As(err, &pe) && (pe.Waitlist || pe.PlacesLeft > 0):
			return a.renderPlacesChoice(c, 409, ev, form, placesChoice{PlacesLeft: pe.PlacesLeft, Party: pe.Party, Waitlist: pe.Waitlist}, "")
		}
		status := 422
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			errs = ve.Fields
		} else if p, ok := problemOf(err); ok && p.Status == 409 {
			status, errs = 409, map[string]string{"form": p.Detail}
		} else {
			return err
		}
		return a.renderEventForm(c, status, ev.Slug, form, errs)
	}
	return a.renderEventForm(c, 422, ev.Slug, form, errs)
}

// placesChoice is the second step of a registration whose party does not
// fit: come with fewer guests now, or join the waitlist with everyone.
type placesChoice struct {
	PlacesLeft int
	Party      int
	Waitlist   bool
}

// FitGuests is how many guests fit in the free places.
func (p placesChoice) FitGuests() int { return p.PlacesLeft - 1 }

func placesChoiceFrom(c *fiber.Ctx) placesChoice {
	left, _ := strconv.Atoi(c.FormValue("places_left"))
	party, _ := strconv.Atoi(c.FormValue("party"))
	return placesChoice{PlacesLeft: max(left, 0), Party: party, Waitlist: c.FormValue("waitlist_open") == "yes"}
}

// applyPlacesChoice turns the second step's answer into the registration:
// fewer guests (and only if they fit), or the waitlist for the party. It
// returns a message for the person when no choice was made.
func applyPlacesChoice(c *fiber.Ctx, form *registrationForm, in *models.RegisterInput) string {
	switch c.FormValue("choice") {
	case "fewer":
		n, err := strconv.Atoi(c.FormValue("fit_guests"))
		if err != nil || n < 0 {
			return "Choose how you want to come"
		}
		in.Guests, form.Guests = n, strconv.Itoa(n)
		in.IfFull, form.IfFull = models.IfFullReject, ""
	case "waitlist":
		in.IfFull, form.IfFull = models.IfFullWaitlist, models.IfFullWaitlist
	default:
		return "Choose whether to come with fewer guests now or to join the waitlist"
	}
	return ""
}

// placesChoiceData is the second step's page.
type placesChoiceData struct {
	Event   EventView
	Form    registrationForm
	Hidden  []hiddenField
	Choice  placesChoice
	Error   string
	ErrList []fieldError
}

func (a *App) renderPlacesChoice(c *fiber.Ctx, status int, ev *models.Event, form registrationForm, pc placesChoice, problem string) error {
	fresh, wl, err := a.events.get(c.UserContext(), ev.Slug)
	if err != nil {
		return err
	}
	d := placesChoiceData{Event: a.eventView(fresh, wl), Form: form, Hidden: form.Hidden(ev.Questions), Choice: pc, Error: problem}
	title := "Not enough places: " + ev.Title
	if problem != "" {
		d.ErrList = []fieldError{{"choice", problem}}
		title = "Error: " + title
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, status, "register_choice", Page{Title: title, Data: d})
}

// renderEventForm shows the event page again with the form as typed.
func (a *App) renderEventForm(c *fiber.Ctx, status int, slug string, form registrationForm, errs map[string]string) error {
	ev, wl, err := a.events.get(c.UserContext(), slug)
	if err != nil {
		return err
	}
	p, err := a.eventPageData(c, ev, wl, form, errs)
	if err != nil {
		return err
	}
	if form.Code != "" {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return a.render(c, status, "event", p)
}

type message struct {
	// Event is the title of the event the message is about, shown above
	// the heading (isolated: it may be in any script); "" for none.
	Event    string
	Heading  string
	Body     string
	Link     string
	LinkText string
}

// renderCheckEmail is the one answer to a registration that is not simply
// confirmed or waitlisted: a request to confirm by mail, a duplicate, a bot.
// Within a registration mode it never differs, so that nobody learns from
// it whether an address is registered.
func (a *App) renderCheckEmail(c *fiber.Ctx, ev *models.Event) error {
	return a.render(c, 200, "message", Page{Title: "Check your email", Data: checkEmail(ev)})
}

func checkEmail(ev *models.Event) message {
	m := message{Event: ev.Title, Heading: "Check your email", Link: "/events/" + ev.Slug, LinkText: "Back to the event",
		Body: "We have sent a message to the address you gave, with a private link to see, change or cancel your registration for this event."}
	switch ev.RegistrationMode {
	case models.ModeConfirmEmail:
		m.Body = "We have sent a message to the address you gave. Follow the link in it within 24 hours to confirm your registration: only then is a place kept for you. If nothing arrives in a few minutes, look in your spam folder."
	case models.ModeApproval:
		m.Body = "We have sent a message to the address you gave. Follow the link in it within 24 hours to confirm your request for a place. The organisers then look at each request and email you their answer. If nothing arrives in a few minutes, look in your spam folder."
	}
	return m
}

// confirmLink handles the link in a request's mail: it confirms the
// address, then shows the registration. A used, expired or unknown link
// gets a page that says so, and changes nothing.
func (a *App) confirmLink(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex")
	if c.Method() == fiber.MethodHead {
		// Mail scanners check links with HEAD before anyone clicks: that
		// must not confirm (nor say whether the link is valid).
		return c.SendStatus(fiber.StatusOK)
	}
	token := c.Params("token")
	reg, err := models.FindRegistrationByToken(a.dbc(c).DB, token)
	if errors.Is(err, models.ErrNotFound) {
		return a.render(c, 404, "message", Page{Title: "Link not valid", Data: message{Heading: "This link is not valid",
			Body: "This confirmation link is not valid, or the request it confirmed has expired and been deleted. Nothing has changed. " +
				"Check that you copied the whole link from the email, or register again from the event's page."}})
	}
	if err != nil {
		return err
	}
	ev, err := models.EventByID(a.dbc(c).DB, reg.EventID)
	if err != nil {
		return err
	}
	res, err := models.ConfirmRegistration(a.dbc(c).DB, reg.ID, a.now())
	a.events.touch(reg.EventID)
	back := message{Event: ev.Title, Link: "/events/" + ev.Slug, LinkText: "Go to the event"}
	switch {
	case errors.Is(err, models.ErrLinkExpired):
		back.Heading, back.Body = "This link has expired", "Confirmation links work for 24 hours, and this one is older. Nothing has changed. If you still want a place, register again: you will get a new link."
		return a.render(c, 410, "message", Page{Title: "Link expired", Data: back})
	case err != nil:
		p, ok := problemOf(err)
		if !ok {
			return err
		}
		back.Heading, back.Body = "Your registration could not be confirmed", p.Detail+" Nothing has changed."
		if fields := validationFields(err); fields != nil {
			back.Body = fields[sortedKeys(fields)[0]] + ". Nothing has changed."
		}
		return a.render(c, p.Status, "message", Page{Title: p.Title, Data: back})
	case res.Duplicate:
		back.Heading, back.Body = "You are already registered", "This email address already holds a registration for this event, so nothing has changed. We have emailed you its private link again."
		return a.render(c, 200, "message", Page{Title: "Already registered", Data: back})
	case res.Used:
		back.Heading, back.Body = "This link has been used already", "Your email address was confirmed before, so nothing has changed. Your registration is "+
			strings.ToLower(statusLabel(res.Registration.Status))+"."
		back.Link, back.LinkText = models.ManagePath(token), "See your registration"
		return a.render(c, 200, "message", Page{Title: "Link used already", Data: back})
	}
	return c.Redirect(models.ManagePath(token)+"?new=1", fiber.StatusSeeOther)
}

// manageData is what the manage page shows a registrant.
type manageData struct {
	Reg       *models.Registration
	Event     EventView
	Position  int
	ManageURL string
	FeedURL   string
	New       bool
	Changed   bool
	Stream    string
	Address   bool
	Form      registrationForm
	Errors    map[string]string
	ErrList   []fieldError
	Diets     []string
	Answers   map[string]string
	Questions []models.Question
	Token     string
	// CheckInQR opens the organisers' check-in page for this registration
	// (confirmed places only); it is not the manage link.
	CheckInQR template.HTML

	// FeedChanged says the private feed has just been given a new address.
	FeedChanged bool
	// Privacy says how long what is kept stays ("Your data").
	Privacy privacyNotice

	// Switch offers a hybrid event's other way of attending: its mode and
	// availability; SwitchFull says it had no room for the party, when
	// the person just tried; Switched that the switch is done.
	Switch     *Availability
	SwitchFull *models.PlacesError
	Switched   bool
}

// SwitchWords names the other way of attending: "online" or "in person".
func (d manageData) SwitchWords() string {
	if d.Switch == nil {
		return models.ModeWords(models.InPerson)
	}
	return models.ModeWords(d.Switch.Mode)
}

// canChange says the registration can still be changed or cancelled.
func (d manageData) CanChange() bool {
	return d.Reg.Status != models.RegCancelled && d.Reg.Status != models.RegDeclined && d.Event.Current()
}

func (a *App) loadManage(c *fiber.Ctx) (*models.Registration, *models.Event, error) {
	reg, err := models.FindRegistrationByToken(a.dbc(c).DB, c.Params("token"))
	if err != nil {
		return nil, nil, err
	}
	ev, err := models.EventByID(a.dbc(c).DB, reg.EventID)
	if err != nil {
		return nil, nil, err
	}
	return reg, ev, nil
}

func (a *App) manageData(c *fiber.Ctx, reg *models.Registration, ev *models.Event) (manageData, error) {
	wl, err := models.WaitlistLength(a.dbc(c).DB, ev.ID)
	if err != nil {
		return manageData{}, err
	}
	pos, err := models.WaitlistPosition(a.dbc(c).DB, reg)
	if err != nil {
		return manageData{}, err
	}
	token := c.Params("token")
	d := manageData{Token: token, Reg: reg, Event: a.eventView(ev, wl), Position: pos,
		ManageURL: a.links().ManageToken(token), FeedURL: a.links().Feed(reg),
		Diets: models.DietaryChoices, Questions: ev.Questions, Answers: map[string]string{}, Privacy: a.privacyNotice(ev)}
	_ = json.Unmarshal([]byte(reg.Answers), &d.Answers)
	if reg.Status == models.RegConfirmed {
		if reg.Attendance == models.Online {
			d.Stream = ev.StreamURL
		}
		d.Address = true
	}
	if reg.Status == models.RegConfirmed && (reg.Attendance == models.InPerson || !ev.InPerson) {
		if d.CheckInQR, err = qrSVG(a.links().CheckIn(reg), "Check-in code"); err != nil {
			return manageData{}, err
		}
	}
	if d.Event.Hybrid() && d.CanChange() {
		d.Switch = d.Event.InPerson
		if reg.Attendance == models.InPerson {
			d.Switch = d.Event.Online
		}
	}
	d.Form = registrationForm{Guests: strconv.Itoa(reg.Guests), Dietary: reg.Dietary, DietaryOther: reg.DietaryOther,
		GuestDiets: reg.GuestDiets(), AccessNeeds: reg.AccessNeeds, Answers: d.Answers}
	return d, nil
}

// links builds registrations' private addresses (models.Links).
func (a *App) links() models.Links { return models.Links{Base: a.cfg.BaseURL, Tokens: a.tok} }

// managePage shows a registration to the holder of its private link.
func (a *App) managePage(c *fiber.Ctx) error {
	reg, ev, err := a.loadManage(c)
	if err != nil {
		return err
	}
	d, err := a.manageData(c, reg, ev)
	if err != nil {
		return err
	}
	d.New = c.Query("new") == "1"
	d.Changed = c.Query("changed") == "1"
	d.FeedChanged = c.Query("feed") == "new"
	d.Switched = c.Query("switched") == "1"
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex")
	return a.render(c, 200, "manage", Page{Title: manageTitle(reg.Status), Data: d})
}

// manageTitle is the manage page's title: the registration's status, as
// its heading says it.
func manageTitle(status string) string {
	switch status {
	case models.RegConfirmed:
		return "You are registered"
	case models.RegWaitlisted:
		return "You are on the waitlist"
	case models.RegPending:
		return "Your request is with the organisers"
	case models.RegUnconfirmed:
		return "Confirm your email address"
	case models.RegDeclined:
		return "Your request was not accepted"
	}
	return "Your registration is cancelled"
}

// manageChange changes guests, dietary choice, access needs or answers.
func (a *App) manageChange(c *fiber.Ctx) error {
	reg, ev, err := a.loadManage(c)
	if err != nil {
		return err
	}
	form, in, errs := parseRegistrationForm(c, ev)
	ch := models.RegistrationChange{Dietary: &in.Dietary, DietaryOther: &in.DietaryOther, GuestDietary: &in.GuestDietary, AccessNeeds: &in.AccessNeeds}
	if len(ev.Questions) > 0 {
		ch.Answers = in.Answers
	}
	if form.Guests != "" {
		ch.Guests = &in.Guests
	}
	if len(errs) == 0 {
		_, err = models.ChangeRegistration(a.dbc(c).DB, reg.ID, ch, a.now())
		a.events.touch(reg.EventID)
		if err == nil {
			return c.Redirect(models.ManagePath(c.Params("token"))+"?changed=1", fiber.StatusSeeOther)
		}
		var ve *models.ValidationError
		if !errors.As(err, &ve) {
			if p, ok := problemOf(err); ok {
				errs["form"] = p.Detail
			} else {
				return err
			}
		} else {
			errs = ve.Fields
		}
	}
	d, derr := a.manageData(c, reg, ev)
	if derr != nil {
		return derr
	}
	d.Form, d.Errors, d.ErrList = form, errs, formErrors(errs, fieldOrder)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, 422, "manage", Page{Title: "Error: " + manageTitle(reg.Status), Data: d})
}

// manageSwitch moves a registration of a hybrid event to the other way of
// attending (models.SwitchAttendance). When the other way has no room for
// the party the page says so and offers its waitlist, if it has one.
func (a *App) manageSwitch(c *fiber.Ctx) error {
	reg, _, err := a.loadManage(c)
	if err != nil {
		return err
	}
	ifFull := models.IfFullReject
	if c.FormValue("if_full") == models.IfFullWaitlist {
		ifFull = models.IfFullWaitlist
	}
	_, err = models.SwitchAttendance(a.dbc(c).DB, reg.ID, c.FormValue("attendance"), ifFull, a.now())
	a.events.touch(reg.EventID)
	if err == nil {
		return c.Redirect(models.ManagePath(c.Params("token"))+"?switched=1", fiber.StatusSeeOther)
	}
	errs := map[string]string{}
	status := 422
	var pe *models.PlacesError
	switch p, ok := problemOf(err); {
	case errors.As(err, &pe):
		status = 409
	case validationFields(err) != nil:
		errs = validationFields(err)
	case ok:
		status, errs["form"] = p.Status, p.Detail
	default:
		return err
	}
	// Read again: the event's counts may have moved.
	ev, err := models.EventByID(a.dbc(c).DB, reg.EventID)
	if err != nil {
		return err
	}
	d, err := a.manageData(c, reg, ev)
	if err != nil {
		return err
	}
	d.SwitchFull, d.Errors, d.ErrList = pe, errs, formErrors(errs, fieldOrder)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, status, "manage", Page{Title: "Not changed: " + manageTitle(reg.Status), Data: d})
}

// cancelConfirm asks before cancelling.
func (a *App) cancelConfirm(c *fiber.Ctx) error {
	reg, ev, err := a.loadManage(c)
	if err != nil {
		return err
	}
	d, err := a.manageData(c, reg, ev)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, 200, "cancel", Page{Title: "Cancel your registration?", Data: d})
}

// cancelRegistration cancels after confirmation; cancelling twice is fine.
func (a *App) cancelRegistration(c *fiber.Ctx) error {
	reg, _, err := a.loadManage(c)
	if err != nil {
		return err
	}
	_, err = models.CancelRegistration(a.dbc(c).DB, reg.ID, nil, a.now())
	a.events.touch(reg.EventID)
	if err != nil {
		return err
	}
	return c.Redirect(models.ManagePath(c.Params("token")), fiber.StatusSeeOther)
}
