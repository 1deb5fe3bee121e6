package mail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	gomail "github.com/wneessen/go-mail"
	"gorm.io/gorm"

	"convene/calendar"
	"convene/feeds"
	"convene/models"
	"convene/views"
)

// ErrUnsendable marks a mail that can never be sent as it stands (its event
// or registration is gone, its data is broken, its address is invalid):
// the sender fails it at once instead of retrying.
var ErrUnsendable = errors.New("mail cannot be sent")

// Composer turns outbox rows into messages. Links carrying private tokens
// are rebuilt from the secret at send time, never stored.
type Composer struct {
	// BaseURL is the site's address, without a trailing slash.
	BaseURL string
	// From is the From address (MAIL_FROM), "Name <address>" or an address.
	From string
	// Tokens derives the manage and feed tokens.
	Tokens models.Tokens
}

// Message is a composed mail, ready to send or to show to an admin.
type Message struct {
	From      string
	To        string
	ReplyTo   string
	Subject   string
	MessageID string
	Date      time.Time
	Text      string
	HTML      string
	// ICS is the event as a calendar attachment; nil when there is none.
	ICS []byte
	// CheckInPNG is the door check-in QR code as a PNG, embedded inline and
	// shown by the HTML part; nil when there is none.
	CheckInPNG []byte
	// CheckInCID is the Content-ID (without angle brackets) the HTML part
	// refers to as cid:CheckInCID; empty when there is no CheckInPNG.
	CheckInCID string
}

// kinds lists every kind of mail with its templates in views/mail.
var kinds = []string{
	models.MailConfirmation, models.MailWaitlisted, models.MailPromoted, models.MailDuplicate,
	models.MailCancelled, models.MailChanged, models.MailEventChanged, models.MailPostponed,
	models.MailEventCancel, models.MailReminder, models.MailMessage,
	models.MailConfirmRequest, models.MailAwaitingApproval, models.MailDeclined, models.MailAllocation,
}

// withCalendar are the kinds that carry the event as an .ics attachment,
// for confirmed places.
var withCalendar = map[string]bool{
	models.MailConfirmation: true, models.MailPromoted: true, models.MailEventChanged: true,
	models.MailPostponed: true, models.MailEventCancel: true,
}

type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// withCheckIn are the kinds that carry the door check-in QR code, for
// confirmed in-person places: the mails that say a place is confirmed.
var withCheckIn = map[string]bool{models.MailConfirmation: true, models.MailPromoted: true}

// checkInQRSize is the width and height of the check-in QR image in pixels.
const checkInQRSize = 256

// templates parses views/mail once: each kind's .txt (subject and text
// blocks) with layout.txt, and its .html (html block) with layout.html.
var templates = sync.OnceValues(func() (map[string]kindTemplates, error) {
	out := map[string]kindTemplates{}
	for _, k := range kinds {
		t, err := texttemplate.New(k).Funcs(texttemplate.FuncMap(funcs)).ParseFS(views.FS, "mail/layout.txt", "mail/"+k+".txt")
		if err != nil {
			return nil, fmt.Errorf("mail: unable to parse %s.txt: %w", k, err)
		}
		h, err := htmltemplate.New(k).Funcs(htmltemplate.FuncMap(funcs)).ParseFS(views.FS, "mail/layout.html", "mail/"+k+".html")
		if err != nil {
			return nil, fmt.Errorf("mail: unable to parse %s.html: %w", k, err)
		}
		out[k] = kindTemplates{text: t, html: h}
	}
	return out, nil
})

var funcs = map[string]any{
	"andList": models.AndList,
	"listSep": models.ListSep,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
	"lines": func(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") },
	"add":   func(a, b int) int { return a + b },
	"join":  strings.Join,
}

// templateData is what a mail template sees: a snapshot of the event and the
// registration at send time, plus the data stored with the mail.
type templateData struct {
	Kind     string
	Name     string
	Title    string
	EventURL string
	When     string
	// Venue is where to go; Address only when the registrant may see it.
	Venue       string
	Address     string
	AccessNotes string
	Online      bool
	Confirmed   bool
	Waitlisted  bool
	Tentative   bool
	// Iftar is "Iftar at sunset — 17:27" for an iftar; PreviousIftar the
	// time before a change that moved it.
	Iftar         string
	PreviousIftar string
	IftarKind     bool
	// Hosts are the names of the hosting organisations.
	Hosts     []string
	Guests    int
	Position  int
	ManageURL string
	// ConfirmURL confirms a request's address (MailConfirmRequest).
	ConfirmURL string
	// Approval is true when the event's organisers approve each request.
	Approval bool
	// Approved is true in the mail that tells of an organiser's approval.
	Approved  bool
	Pending   bool
	Declined  bool
	FeedURL   string
	StreamURL string
	// PreviousWhen and PreviousVenue describe an event before a change.
	PreviousWhen  string
	PreviousVenue string
	// Message is the organiser's cancellation note or message body.
	Message string
	// OrganiserSubject is the subject of an organiser's message.
	OrganiserSubject string
	PreviousGuests   int
	// LostLink is true when the person asked for their manage link again.
	LostLink bool
	// Switched is "online" or "in person" when the registration has just
	// moved to that way of attending (SwitchAttendance).
	Switched string
	Site     string
	// CheckInCID is the Content-ID of the embedded check-in QR image;
	// empty when the mail carries none.
	CheckInCID string
	// Reserved places (MailAllocation): for whom, how many, the private
	// link, and until when they are held.
	ReservedLabel  string
	ReservedPlaces int
	ReservedURL    string
	ReservedUntil  string
}

// Compose builds the message for outbox row m at now, reading on db's read
// pool. The feed of all of the address's registrations, which the mail
// links to, is created on first use: on db's writer (on SQLite the read pool
// cannot write, and the link was left out of every mail). Errors wrapping
// ErrUnsendable are permanent; others (storage) are worth a retry.
func (c Composer) Compose(store *models.DB, m *models.OutboxMail, now time.Time) (*Message, error) {
	db := store.Read
	tpl, err := templates()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsendable, err)
	}
	kt, ok := tpl[m.Kind]
	if !ok {
		return nil, fmt.Errorf("%w: unknown kind %q", ErrUnsendable, m.Kind)
	}
	if m.Kind == models.MailAllocation {
		return c.composeAllocation(db, kt, m, now)
	}
	if m.EventID == nil {
		return nil, fmt.Errorf("%w: no event", ErrUnsendable)
	}
	ev, err := models.EventByID(db, *m.EventID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, fmt.Errorf("%w: the event no longer exists", ErrUnsendable)
	}
	if err != nil {
		return nil, err
	}
	if m.RegistrationID == nil {
		// Only an organiser's test of a message has no registration.
		data := map[string]string{}
		_ = json.Unmarshal([]byte(m.Data), &data)
		if m.Kind != models.MailMessage || data["test"] != "yes" {
			return nil, fmt.Errorf("%w: no registration", ErrUnsendable)
		}
		return c.Sample(ev, m.To, data["name"], data, m.ID, m.CreatedAt, now)
	}
	reg, err := models.RegistrationByID(db, *m.RegistrationID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, fmt.Errorf("%w: the registration no longer exists", ErrUnsendable)
	}
	if err != nil {
		return nil, err
	}
	if m.Kind == models.MailReminder && (ev.Status != models.StatusPublished || reg.Status != models.RegConfirmed || !now.Before(ev.StartsAt)) {
		return nil, fmt.Errorf("%w: the reminder no longer applies (event %s, registration %s)", ErrUnsendable, ev.Status, reg.Status)
	}
	// A confirmation or waitlist mail held back (a mail server down for a
	// day) must not tell someone who has since cancelled that they are in.
	switch m.Kind {
	case models.MailConfirmation, models.MailWaitlisted, models.MailPromoted:
		if reg.Status == models.RegCancelled {
			return nil, fmt.Errorf("%w: the registration was cancelled before this mail went out", ErrUnsendable)
		}
	case models.MailConfirmRequest:
		// Its link would only say "used already" (or reach a cancellation).
		if reg.Status != models.RegUnconfirmed {
			return nil, fmt.Errorf("%w: the request was confirmed or cancelled before this mail went out", ErrUnsendable)
		}
	}
	data := map[string]string{}
	if m.Data != "" {
		if err := json.Unmarshal([]byte(m.Data), &data); err != nil {
			return nil, fmt.Errorf("%w: stored data is not a JSON object", ErrUnsendable)
		}
	}
	v := c.view(m.Kind, ev, reg, data)
	// The mail reaches the address's owner, so it may carry the feed of all
	// their registrations (an HTTP answer only ever gets this one's).
	switch token, err := models.AttendeeFeedToken(store.DB, c.Tokens, reg.Email, now); {
	case err == nil:
		v.FeedURL = c.links().FeedToken(token)
	case validationFields(err) == nil:
		return nil, fmt.Errorf("creating the address feed: %w", err)
	}
	if v.Position, err = models.WaitlistPosition(db, reg); err != nil {
		return nil, err
	}

	messageID := c.messageID(m.ID, m.CreatedAt)
	// The QR code opens the organisers' check-in page for this place, as on
	// the manage page; it is not the manage link.
	var checkInPNG []byte
	if withCheckIn[m.Kind] && reg.Status == models.RegConfirmed && reg.Attendance == models.InPerson {
		checkInPNG, err = qrcode.Encode(c.links().CheckIn(reg), qrcode.Medium, checkInQRSize)
		if err != nil {
			return nil, fmt.Errorf("%w: check-in code: %v", ErrUnsendable, err)
		}
		v.CheckInCID = "check-in." + messageID
	}

	msg, err := c.render(kt, v, ev, m.To, messageID, now)
	if err != nil {
		return nil, err
	}
	msg.CheckInPNG, msg.CheckInCID = checkInPNG, v.CheckInCID
	if withCalendar[m.Kind] && reg.Status == models.RegConfirmed {
		// The event as the holder's private feed shows it (address or
		// stream link, reminder), as a file of one event to import.
		msg.ICS = feeds.Build(feeds.Meta{}, []feeds.Item{{Event: ev, Registration: reg}},
			feeds.Options{BaseURL: c.BaseURL, Private: true, Single: true})
	}
	return msg, nil
}

// composeAllocation builds the mail that gives a community's contact the
// private link of its reserved places (the link is derived now, never
// stored). Once the places are released the mail has nothing to offer.
func (c Composer) composeAllocation(db *gorm.DB, kt kindTemplates, m *models.OutboxMail, now time.Time) (*Message, error) {
	var data map[string]string
	if err := json.Unmarshal([]byte(m.Data), &data); err != nil || m.EventID == nil {
		return nil, fmt.Errorf("%w: stored data names no allocation", ErrUnsendable)
	}
	id, err := strconv.ParseUint(data["allocation_id"], 10, 32)
	if err != nil {
		return nil, fmt.Errorf("%w: stored data names no allocation", ErrUnsendable)
	}
	ev, err := models.EventByID(db, *m.EventID)
	if err == nil {
		var al *models.Allocation
		if al, err = models.AllocationByID(db, ev.ID, uint(id)); err == nil {
			return c.allocationMessage(kt, m, ev, al, now)
		}
	}
	if errors.Is(err, models.ErrNotFound) {
		return nil, fmt.Errorf("%w: the event or its reserved places no longer exist", ErrUnsendable)
	}
	return nil, err
}

func (c Composer) allocationMessage(kt kindTemplates, m *models.OutboxMail, ev *models.Event, al *models.Allocation, now time.Time) (*Message, error) {
	if !al.Open(ev, now) {
		return nil, fmt.Errorf("%w: the reserved places were released before this mail went out", ErrUnsendable)
	}
	code := c.Tokens.AllocationCode(al)
	release := al.Releases(ev).In(ev.Location())
	v := templateData{Kind: m.Kind, Name: al.Label, Title: ev.Title, EventURL: c.BaseURL + "/events/" + ev.Slug,
		When: calendar.When(ev.StartsAt, ev.EndsAt, ev.Location()), Tentative: ev.Tentative, IftarKind: ev.Kind == models.KindIftar,
		Hosts: ev.HostNames(), Site: c.BaseURL, Venue: ev.VenueName, AccessNotes: ev.AccessNotes,
		ReservedLabel: al.Label, ReservedPlaces: al.Places, ReservedURL: c.links().Allocation(ev.Slug, code),
		ReservedUntil: "Places nobody has taken are opened to everyone on " + release.Format("Monday 2 January 2006") + " at " + calendar.Clock(release) + "."}
	if ev.AddressVisibility != models.AddressRegistrants {
		v.Address = ev.VenueAddress
	}
	if cl := ev.IftarClock(); cl != "" {
		v.Iftar = "Iftar at sunset — " + cl
	}
	return c.render(kt, v, ev, m.To, c.messageID(m.ID, m.CreatedAt), now)
}

// messageID is the Message-ID of the outbox mail id made at created: the
// same on every attempt, so that a resent mail is known as the same one.
func (c Composer) messageID(id uint, created time.Time) string {
	return fmt.Sprintf("convene.%d.%s@%s", id, strconv.FormatInt(created.UnixNano(), 36), c.host())
}

// render executes kt's subject, text and HTML with v into a message from
// the site to to, replying to the main host's address when it has one.
func (c Composer) render(kt kindTemplates, v any, ev *models.Event, to, messageID string, now time.Time) (*Message, error) {
	var subject, text, html bytes.Buffer
	if err := kt.text.ExecuteTemplate(&subject, "subject", v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsendable, err)
	}
	if err := kt.text.ExecuteTemplate(&text, "layout", v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsendable, err)
	}
	if err := kt.html.ExecuteTemplate(&html, "layout", v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsendable, err)
	}
	msg := &Message{From: c.From, To: to, Subject: oneLine(subject.String()), MessageID: messageID, Date: now,
		Text: text.String(), HTML: html.String()}
	if len(ev.Hosts) > 0 && ev.Hosts[0].Organisation.Email != "" {
		msg.ReplyTo = ev.Hosts[0].Organisation.Email
	}
	return msg, nil
}

// SampleManageURL stands for each registrant's own private link in a
// message's preview and test: it is no working address.
const SampleManageURL = "(each registrant's own private link)"

// Sample composes an organiser's message (data: subject, body) as a
// registrant called name would get it, for a preview (id 0) or a test
// mail to the organiser (data["test"] = "yes": the subject says so). The
// registrant is a sample, not stored: the private links are placeholders.
func (c Composer) Sample(ev *models.Event, to, name string, data map[string]string, id uint, createdAt, now time.Time) (*Message, error) {
	tpl, err := templates()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsendable, err)
	}
	kt := tpl[models.MailMessage]
	reg := &models.Registration{Name: name, Email: to, Status: models.RegConfirmed, Attendance: models.InPerson}
	if !ev.InPerson {
		reg.Attendance = models.Online
	}
	v := c.view(models.MailMessage, ev, reg, data)
	v.ManageURL, v.FeedURL, v.ConfirmURL, v.StreamURL = SampleManageURL, "", "", ""
	msg, err := c.render(kt, v, ev, to, c.messageID(id, createdAt), now)
	if err != nil {
		return nil, err
	}
	if data["test"] == "yes" {
		msg.Subject = "[Test] " + msg.Subject
	}
	return msg, nil
}

// links builds the registration's private addresses.
func (c Composer) links() models.Links { return models.Links{Base: c.BaseURL, Tokens: c.Tokens} }

// view gathers what the templates show.
func (c Composer) view(kind string, ev *models.Event, reg *models.Registration, data map[string]string) templateData {
	confirmed := reg.Status == models.RegConfirmed
	v := templateData{
		Kind: kind, Name: reg.Name, Title: ev.Title, EventURL: c.BaseURL + "/events/" + ev.Slug,
		When: calendar.When(ev.StartsAt, ev.EndsAt, ev.Location()), Tentative: ev.Tentative, IftarKind: ev.Kind == models.KindIftar,
		Online: reg.Attendance == models.Online, Confirmed: confirmed, Waitlisted: reg.Status == models.RegWaitlisted,
		Hosts: ev.HostNames(), Guests: reg.Guests,
		ManageURL: c.links().Manage(reg),
		Approval:  ev.RegistrationMode == models.ModeApproval, Approved: data["approved"] == "yes",
		Pending: reg.Status == models.RegPending, Declined: reg.Status == models.RegDeclined,
		FeedURL: c.links().Feed(reg),
		Message: data["message"], OrganiserSubject: data["subject"], Site: c.BaseURL,
	}
	if kind == models.MailMessage {
		v.Message = data["body"]
	}
	v.ConfirmURL = c.links().Confirm(reg)
	if !v.Online {
		v.Venue, v.AccessNotes = ev.VenueName, ev.AccessNotes
		if ev.AddressVisibility != models.AddressRegistrants || confirmed {
			v.Address = ev.VenueAddress
		}
	}
	if v.Online && confirmed {
		v.StreamURL = ev.StreamURL
	}
	if s, err := time.Parse(time.RFC3339, data["previous_starts_at"]); err == nil {
		e, err := time.Parse(time.RFC3339, data["previous_ends_at"])
		if err != nil || !e.After(s) {
			e = s.Add(ev.EndsAt.Sub(ev.StartsAt))
		}
		if !s.Equal(ev.StartsAt) || !e.Equal(ev.EndsAt) {
			v.PreviousWhen = calendar.When(s, e, ev.Location())
		}
	}
	if c := ev.IftarClock(); c != "" {
		v.Iftar = "Iftar at sunset — " + c
		if t, err := time.Parse(time.RFC3339, data["previous_iftar_at"]); err == nil {
			if before := calendar.Clock(t.In(ev.Location())); before != c {
				v.PreviousIftar = before
			}
		}
	}
	if p := data["previous_venue"]; p != ev.VenueName && !v.Online {
		v.PreviousVenue = p
	}
	if n, err := strconv.Atoi(data["previous_guests"]); err == nil {
		v.PreviousGuests = n
	}
	v.LostLink = data["reason"] == "lost_link"
	if p := data["previous_attendance"]; p != "" && p != reg.Attendance {
		v.Switched = "in person"
		if v.Online {
			v.Switched = "online"
		}
	}
	return v
}

func (c Composer) host() string {
	if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// oneLine keeps a subject on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// MIME builds the message with go-mail: multipart/alternative text and
// HTML, the check-in QR code embedded inline for the HTML part (the
// alternatives and the image in multipart/related) when there is one, and
// the calendar attachment when there is one. An address that
// cannot be used makes the error wrap ErrUnsendable.
func (msg *Message) MIME() (*gomail.Msg, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.From(msg.From); err != nil {
		return nil, fmt.Errorf("%w: MAIL_FROM is not a valid address: %v", ErrUnsendable, err)
	}
	if _, err := mail.ParseAddress(msg.To); err != nil {
		return nil, fmt.Errorf("%w: the recipient address is not valid", ErrUnsendable)
	}
	if err := m.To(msg.To); err != nil {
		return nil, fmt.Errorf("%w: the recipient address is not valid", ErrUnsendable)
	}
	if msg.ReplyTo != "" {
		// A host's broken address should not stop the mail: leave it out.
		_ = m.ReplyTo(msg.ReplyTo)
	}
	m.Subject(msg.Subject)
	m.SetMessageIDWithValue(msg.MessageID)
	m.SetDateWithValue(msg.Date)
	// Transactional mail: autoresponders should not answer it (RFC 3834).
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(gomail.TypeTextPlain, msg.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	if msg.CheckInPNG != nil && msg.CheckInCID != "" {
		m.EmbedReadSeeker("check-in.png", bytes.NewReader(msg.CheckInPNG),
			gomail.WithFileContentType(gomail.ContentType("image/png")),
			gomail.WithFileContentID("<"+msg.CheckInCID+">"))
	}
	if msg.ICS != nil {
		m.AttachReadSeeker("event.ics", bytes.NewReader(msg.ICS),
			gomail.WithFileContentType(gomail.ContentType("text/calendar; charset=utf-8")))
	}
	return m, nil
}

// validationFields returns the field messages of a validation error, or nil
// (an address that cannot have a feed is not a storage failure).
func validationFields(err error) map[string]string {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}
