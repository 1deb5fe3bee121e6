package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"convene/models"
)

// registrationBody is the JSON body of a new registration.
type registrationBody struct {
	Name         string         `json:"name"`
	Email        string         `json:"email"`
	Guests       int            `json:"guests"`
	Attendance   string         `json:"attendance"`
	Answers      map[string]any `json:"answers"`
	Dietary      string         `json:"dietary"`
	DietaryOther string         `json:"dietary_other"`
	GuestDietary []personDiet   `json:"guest_dietary"`
	AccessNeeds  string         `json:"access_needs"`
	Consent      bool           `json:"consent"`
	IfFull       string         `json:"if_full"`
	Code         string         `json:"code"`
}

// answersToStrings reads answers as the schema takes them: strings,
// true/false (yes/no), numbers and lists of strings (one per line); null is
// no answer.
func answersToStrings(in map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range in {
		switch x := v.(type) {
		case string:
			out[k] = x
		case bool:
			out[k] = map[bool]string{true: "yes", false: "no"}[x]
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case []any:
			var parts []string
			for _, p := range x {
				if s, ok := p.(string); ok {
					parts = append(parts, s)
				}
			}
			out[k] = strings.Join(parts, "\n")
		}
	}
	return out
}

// personDiet is one guest's dietary requirement in the API (PersonDiet).
type personDiet struct {
	Dietary      string `json:"dietary"`
	DietaryOther string `json:"dietary_other,omitempty"`
}

func dietsIn(in []personDiet) []models.PersonDiet {
	out := make([]models.PersonDiet, len(in))
	for i, d := range in {
		out[i] = models.PersonDiet{Dietary: d.Dietary, Other: d.DietaryOther}
	}
	return out
}

// dietsOut is never null: an empty list when no guest stated one.
func dietsOut(in []models.PersonDiet) []personDiet {
	out := make([]personDiet, len(in))
	for i, d := range in {
		out[i] = personDiet{Dietary: d.Dietary, DietaryOther: d.Other}
	}
	return out
}

// RegistrationCreated is the answer to a new registration.
type RegistrationCreated struct {
	Status           string `json:"status"`
	WaitlistPosition *int   `json:"waitlist_position,omitempty"`
	ManageURL        string `json:"manage_url"`
	FeedURL          string `json:"feed_url"`
	// Notice says why a code given did not reserve places (wrong or released).
	Notice string `json:"notice,omitempty"`
}

func (a *App) apiRegister(c *fiber.Ctx) error {
	ev, err := a.events.static(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if !ev.Public() {
		return models.ErrNotFound
	}
	var b registrationBody
	p, err := a.decodeBody(c, &b)
	if err != nil {
		return err
	}
	in := models.RegisterInput{Name: b.Name, Email: b.Email, Guests: b.Guests, Attendance: b.Attendance, Answers: answersToStrings(b.Answers),
		Dietary: b.Dietary, DietaryOther: b.DietaryOther, GuestDietary: dietsIn(b.GuestDietary), AccessNeeds: b.AccessNeeds, Consent: b.Consent, IfFull: b.IfFull}
	if !p.none() {
		return refuse(p, nil, func() error { return models.ValidateRegistration(ev, &in) })
	}
	if err := models.OpenForRegistration(ev, a.now()); err != nil {
		return err
	}
	if err := models.ValidateRegistration(ev, &in); err != nil {
		return err
	}
	notice := ""
	if b.Code != "" {
		al, msg, err := a.allocationByCode(c, ev, b.Code)
		if err != nil {
			return err
		}
		if al != nil {
			in.AllocationID = &al.ID
		}
		notice = msg
	}
	res, err := a.reg.Register(c.UserContext(), ev.ID, in, a.now())
	a.events.touch(ev.ID)
	if err != nil {
		return err
	}
	a.metrics.registered(res)
	if res.CheckEmail {
		out := fiber.Map{"status": "check_email"}
		if notice != "" {
			out["notice"] = notice
		}
		return c.Status(fiber.StatusAccepted).JSON(out)
	}
	reg := res.Registration
	out := RegistrationCreated{Status: reg.Status, ManageURL: a.links().ManageToken(res.ManageToken), FeedURL: a.links().FeedToken(res.FeedToken), Notice: notice}
	if reg.Status == models.RegWaitlisted {
		out.WaitlistPosition = &res.Position
	}
	c.Location(out.ManageURL)
	return c.Status(fiber.StatusCreated).JSON(out)
}

// RegistrationJSON is a registration as its holder or an organiser sees it.
// Its first facts are those of the holder's data export
// (models.RegistrationFacts, embedded: the JSON is flat).
type RegistrationJSON struct {
	ID    uint   `json:"id"`
	Event string `json:"event"`
	models.RegistrationFacts
	DietaryOther string            `json:"dietary_other,omitempty"`
	GuestDietary []personDiet      `json:"guest_dietary"`
	AccessNeeds  string            `json:"access_needs"`
	Answers      map[string]string `json:"answers"`
	CheckedInAt  *string           `json:"checked_in_at"`
	Arrived      int               `json:"arrived"`
	// AllocationID is the allocation the registration came through.
	AllocationID *uint  `json:"allocation_id,omitempty"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
	// For the holder only.
	ManageURL    string `json:"manage_url,omitempty"`
	FeedURL      string `json:"feed_url,omitempty"`
	StreamURL    string `json:"stream_url,omitempty"`
	VenueAddress string `json:"venue_address,omitempty"`
}

func registrationJSON(r *models.Registration, ev *models.Event, pos int) RegistrationJSON {
	j := RegistrationJSON{ID: r.ID, Event: ev.Slug, RegistrationFacts: models.FactsOf(r, pos), DietaryOther: r.DietaryOther, AccessNeeds: r.AccessNeeds,
		GuestDietary: dietsOut(r.GuestDiets()), Answers: map[string]string{}, Arrived: r.Arrived(), CreatedAt: r.CreatedAt.UTC().Format(time.RFC3339), UpdatedAt: r.UpdatedAt.UTC().Format(time.RFC3339)}
	_ = json.Unmarshal([]byte(r.Answers), &j.Answers)
	if j.Answers == nil {
		j.Answers = map[string]string{} // a row stored before migration 20 may say null
	}
	j.AllocationID = r.AllocationID
	if r.CheckedInAt != nil {
		s := r.CheckedInAt.UTC().Format(time.RFC3339)
		j.CheckedInAt = &s
	}
	return j
}

func (a *App) holderJSON(c *fiber.Ctx, r *models.Registration) (RegistrationJSON, error) {
	ev, err := models.EventByID(a.dbc(c).DB, r.EventID)
	if err != nil {
		return RegistrationJSON{}, err
	}
	pos, err := models.WaitlistPosition(a.dbc(c).DB, r)
	if err != nil {
		return RegistrationJSON{}, err
	}
	j := registrationJSON(r, ev, pos)
	j.ManageURL = a.links().ManageToken(c.Params("token"))
	j.FeedURL = a.links().Feed(r)
	if r.Status == models.RegConfirmed {
		if r.Attendance == models.Online {
			j.StreamURL = ev.StreamURL
		}
		if ev.InPerson {
			j.VenueAddress = ev.VenueAddress
		}
	}
	return j, nil
}

func (a *App) apiGetRegistration(c *fiber.Ctx) error {
	r, err := models.FindRegistrationByToken(a.dbc(c).DB, c.Params("token"))
	if err != nil {
		return err
	}
	j, err := a.holderJSON(c, r)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(j)
}

type registrationPatch struct {
	// Attendance switches the way of attending of a hybrid event
	// (models.SwitchAttendance, as the manage page's switch does); IfFull
	// says what to do when the other way has no room.
	Attendance   *string         `json:"attendance"`
	IfFull       *string         `json:"if_full"`
	Guests       *int            `json:"guests"`
	Answers      *map[string]any `json:"answers"`
	Dietary      *string         `json:"dietary"`
	DietaryOther *string         `json:"dietary_other"`
	GuestDietary *[]personDiet   `json:"guest_dietary"`
	AccessNeeds  *string         `json:"access_needs"`
}

func (a *App) apiChangeRegistration(c *fiber.Ctx) error {
	r, err := models.FindRegistrationByToken(a.dbc(c).DB, c.Params("token"))
	if err != nil {
		return err
	}
	var b registrationPatch
	p, err := a.decodeBody(c, &b)
	if err != nil {
		return err
	}
	ch := models.RegistrationChange{Guests: b.Guests, Dietary: b.Dietary, DietaryOther: b.DietaryOther, AccessNeeds: b.AccessNeeds}
	if b.Answers != nil {
		ch.Answers = answersToStrings(*b.Answers)
	}
	if b.GuestDietary != nil {
		d := dietsIn(*b.GuestDietary)
		ch.GuestDietary = &d
	}
	// A switch of attendance comes first, then the other fields change on
	// the registration as switched, all in one transaction and one mail:
	// either the whole body is applied or nothing is.
	switching := b.Attendance != nil
	others := b.Guests != nil || b.Answers != nil || b.Dietary != nil || b.DietaryOther != nil || b.GuestDietary != nil || b.AccessNeeds != nil
	found := &models.ValidationError{}
	if b.IfFull != nil && !switching {
		found.Add("if_full", `Send "if_full" with "attendance": it says what to do when the other way of attending is full`)
	}
	if switching && *b.Attendance == models.Online && b.Guests != nil && *b.Guests > 0 {
		// As on the manage page: guests come in person only.
		found.Add("guests", "Guests come in person only: joining online gives up their places, so leave guests out or send 0")
	}
	ifFull := ""
	if b.IfFull != nil {
		ifFull = *b.IfFull
	}
	change := func(db *gorm.DB) error {
		from, status := r.Attendance, r.Status
		var err error
		if switching && !others {
			var res *models.SwitchResult
			if res, err = models.SwitchAttendance(db, r.ID, *b.Attendance, ifFull, a.now()); err == nil {
				r = res.Registration
			}
		} else {
			ch.Attendance, ch.IfFull = b.Attendance, ifFull
			var changed *models.Registration
			if changed, err = models.ChangeRegistration(db, r.ID, ch, a.now()); err == nil {
				r = changed
			}
		}
		var pe *models.PlacesError
		if errors.As(err, &pe) {
			return &switchFullError{PlacesError: pe, from: from, status: status}
		}
		return err
	}
	if !p.none() || found.Err() != nil {
		return refuse(p, found.Err(), a.dryRun(c, change))
	}
	eventID := r.EventID
	err = change(a.dbc(c).DB)
	return a.answerHolder(c, eventID, r, err)
}

// switchFullError is a switch of attendance (PATCH "attendance") refused
// because the other way has no room for the party: its problem says so in
// the words of the manage page, and how to join that way's waitlist when
// there is one.
type switchFullError struct {
	*models.PlacesError
	from, status string // the way of attending and status kept
}

func (e *switchFullError) Unwrap() error { return e.PlacesError }

// switchProblem answers a switch of attendance that did not fit.
func switchProblem(e *switchFullError) Problem {
	left, to := e.PlacesLeft, models.ModeWords(e.Attendance)
	p := Problem{Type: "not-enough-places", Status: 409, Title: "Not enough places", PlacesLeft: &left}
	if left == 0 && !e.Waitlist {
		p.Type, p.Title = "event-full", "Event full"
	}
	free := fmt.Sprintf("There is no free place %s now", to)
	if left > 0 {
		free = fmt.Sprintf("Only %d %s free %s: not enough for a party of %d", left, models.Plural(left, "place is", "places are"), to, e.Party)
	}
	kept := "you keep your place " + models.ModeWords(e.from)
	if e.status == models.RegWaitlisted {
		kept = "you stay on the " + models.ModeWords(e.from) + " waitlist"
	}
	p.Detail = free + ". Nothing has changed: " + kept + "."
	if e.Waitlist {
		give := "give up your place and join"
		if e.status == models.RegWaitlisted {
			give = "join"
		}
		p.Detail += fmt.Sprintf(` Send "if_full": "waitlist" with "attendance" to %s the %s waitlist.`, give, to)
	}
	p.Errors = map[string]string{"attendance": free}
	return p
}

// answerHolder ends a change by the holder of a registration: the event's
// counts are stale now, and the answer is the registration as they see it.
func (a *App) answerHolder(c *fiber.Ctx, eventID uint, r *models.Registration, err error) error {
	a.events.touch(eventID)
	if err != nil {
		return err
	}
	j, err := a.holderJSON(c, r)
	if err != nil {
		return err
	}
	return c.JSON(j)
}

func (a *App) apiCancelRegistration(c *fiber.Ctx) error {
	r, err := models.FindRegistrationByToken(a.dbc(c).DB, c.Params("token"))
	if err != nil {
		return err
	}
	if err := a.takeNoBody(c); err != nil {
		return err
	}
	eventID := r.EventID
	r, err = models.CancelRegistration(a.dbc(c).DB, r.ID, nil, a.now())
	return a.answerHolder(c, eventID, r, err)
}

// organiserEvent loads an event on which the token's user may perform act,
// with the organiser workspace's scope and answers (staffEvent): an event
// outside the scope is not found.
func (a *App) organiserEvent(c *fiber.Ctx, act models.Action) (*models.Event, *models.User, error) {
	return a.staffEvent(c, act)
}

// organiserAction is the event, the user and the ID (of a registration or
// an allocation, from the path) of an organiser's action that takes no body:
// approve, decline, undo a check-in, reissue a link.
func (a *App) organiserAction(c *fiber.Ctx, act models.Action) (*models.Event, *models.User, uint, error) {
	ev, u, err := a.organiserEvent(c, act)
	if err != nil {
		return nil, nil, 0, err
	}
	id, err := strconv.ParseUint(c.Params("id"), 10, 32)
	if err != nil {
		return nil, nil, 0, models.ErrNotFound
	}
	if err := a.takeNoBody(c); err != nil {
		return nil, nil, 0, err
	}
	return ev, u, uint(id), nil
}

func (a *App) apiListRegistrations(c *fiber.Ctx) error {
	ev, _, err := a.organiserEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	regs, err := models.EventRegistrations(a.dbc(c).DB, ev.ID)
	if err != nil {
		return err
	}
	positions := map[string]int{}
	out := make([]RegistrationJSON, len(regs))
	for i := range regs {
		pos := 0
		if regs[i].Status == models.RegWaitlisted {
			positions[regs[i].Attendance]++
			pos = positions[regs[i].Attendance]
		}
		out[i] = registrationJSON(&regs[i], ev, pos)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"registrations": out})
}

func (a *App) apiCheckIn(c *fiber.Ctx) error {
	ev, u, err := a.organiserEvent(c, models.ActCheckIn)
	if err != nil {
		return err
	}
	id, err := strconv.ParseUint(c.Params("id"), 10, 32)
	if err != nil {
		return models.ErrNotFound
	}
	var body checkInBody
	p, err := a.decodeBody(c, &body)
	if err != nil {
		return err
	}
	if !p.none() {
		return refuse(p, nil, nil)
	}
	r, err := models.CheckIn(a.dbc(c).DB, ev.ID, uint(id), body.Arrived, &u.ID, a.now())
	if err != nil {
		return err
	}
	counts, err := models.CountDoor(a.dbc(c).DB, ev)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(checkInJSON(r, ev, counts))
}

// apiUndoCheckIn clears a check-in (models.UndoCheckIn, as the door page's
// undo): the same people may do it as may check in. Undoing when not
// checked in changes nothing.
func (a *App) apiUndoCheckIn(c *fiber.Ctx) error {
	ev, u, id, err := a.organiserAction(c, models.ActCheckIn)
	if err != nil {
		return err
	}
	r, err := models.UndoCheckIn(a.dbc(c).DB, ev.ID, id, &u.ID, a.now())
	if err != nil {
		return err
	}
	counts, err := models.CountDoor(a.dbc(c).DB, ev)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(CheckInUndoneJSON{ID: r.ID, Event: ev.Slug, Name: r.Name, Guests: r.Guests, Places: r.Places(), Counts: counts})
}

// CheckInUndoneJSON answers an undone check-in as CheckInJSON answers a
// check-in: checked_in_at is null and arrived 0.
type CheckInUndoneJSON struct {
	ID          uint              `json:"id"`
	Event       string            `json:"event"`
	Name        string            `json:"name"`
	Guests      int               `json:"guests"`
	Places      int               `json:"places"`
	CheckedInAt *string           `json:"checked_in_at"`
	Arrived     int               `json:"arrived"`
	Counts      models.DoorCounts `json:"counts"`
}

// checkInBody is the optional body of a check-in: how many of the party
// are in (0, left out, is the whole party).
type checkInBody struct {
	Arrived int `json:"arrived"`
}

// CheckInJSON answers a check-in with what the door page shows, whoever
// asks (a door volunteer's token included): the name, the party and the
// door's counts. Never the email address, dietary or access needs or
// answers.
type CheckInJSON struct {
	ID          uint              `json:"id"`
	Event       string            `json:"event"`
	Name        string            `json:"name"`
	Guests      int               `json:"guests"`
	Places      int               `json:"places"`
	CheckedInAt string            `json:"checked_in_at"`
	Arrived     int               `json:"arrived"`
	Counts      models.DoorCounts `json:"counts"`
}

func checkInJSON(r *models.Registration, ev *models.Event, counts models.DoorCounts) CheckInJSON {
	return CheckInJSON{ID: r.ID, Event: ev.Slug, Name: r.Name, Guests: r.Guests, Places: r.Places(),
		CheckedInAt: r.CheckedInAt.UTC().Format(time.RFC3339), Arrived: r.Arrived(), Counts: counts}
}
