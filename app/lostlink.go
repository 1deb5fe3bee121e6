package app

import (
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// "Lost your link?" on an event page mails the manage link of the address's
// registration. The answer must not tell whether the address is registered,
// neither by its words nor by its time: the handler only checks the form
// and hands the request to a linkMailer, whose goroutine looks the address
// up and queues the mail (models.SendManageLink) after the answer has gone.
// A request is kept in memory only: lost in a crash, it is asked again.

// linkRequest is one address asking for its link for one event.
type linkRequest struct {
	eventID uint
	email   string
}

// linkMailer works through link requests one at a time.
type linkMailer struct {
	db    *models.DB
	now   func() time.Time
	log   func(msg string, args ...any)
	queue chan linkRequest
	busy  sync.WaitGroup // requests queued or in hand
	done  chan struct{}
}

// linkQueueSize bounds the requests waiting: beyond it (a flood the rate
// limit let through) requests are dropped, answered the same.
const linkQueueSize = 1024

func newLinkMailer(db *models.DB, now func() time.Time, log func(string, ...any)) *linkMailer {
	m := &linkMailer{db: db, now: now, log: log, queue: make(chan linkRequest, linkQueueSize), done: make(chan struct{})}
	go m.run()
	return m
}

func (m *linkMailer) run() {
	defer close(m.done)
	for r := range m.queue {
		if err := models.SendManageLink(m.db.DB, r.eventID, r.email, m.now()); err != nil {
			m.log("lost link: unable to queue the mail", "event", r.eventID, "err", err) // never the address
		}
		m.busy.Done()
	}
}

// request queues a request without waiting; it reports false when the
// queue is full and the request was dropped.
func (m *linkMailer) request(eventID uint, email string) bool {
	m.busy.Add(1)
	select {
	case m.queue <- linkRequest{eventID, email}:
		return true
	default:
		m.busy.Done()
		return false
	}
}

// idle waits until every queued request has been handled (for tests).
func (m *linkMailer) idle() { m.busy.Wait() }

// close stops taking requests and finishes those queued.
func (m *linkMailer) close() {
	close(m.queue)
	<-m.done
}

// lostLinkView is what the lost-link-form partial shows.
type lostLinkView struct{ Slug, Email, Error, CSRF string }

// lostLinkForm is the "Lost your link?" form as typed.
type lostLinkForm struct {
	Event   EventView
	Email   string
	Errors  map[string]string
	ErrList []fieldError
}

// lostLinkPage shows the form on a page of its own (the event page has it
// too, folded).
func (a *App) lostLinkPage(c *fiber.Ctx) error {
	ev, wl, err := a.events.get(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if !ev.Public() {
		return models.ErrNotFound
	}
	return a.render(c, 200, "lost_link", Page{Title: "Get your link again: " + ev.Title, Data: lostLinkForm{Event: a.eventView(ev, wl)}})
}

// lostLink takes the form: an address in the right format always gets the
// same page, whether or not it holds a registration.
func (a *App) lostLink(c *fiber.Ctx) error {
	ev, wl, err := a.events.get(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if !ev.Public() {
		return models.ErrNotFound
	}
	email := strings.TrimSpace(c.FormValue("email"))
	msg := ""
	switch {
	case email == "":
		msg = "Enter the email address you registered with"
	case len(email) > 254 || !models.CleanText(email) || !models.ValidEmail(email):
		msg = "Enter an email address in the correct format, like name@example.org"
	}
	if msg != "" {
		errs := map[string]string{"email": msg}
		return a.render(c, 422, "lost_link", Page{Title: "Error: get your link again: " + ev.Title,
			Data: lostLinkForm{Event: a.eventView(ev, wl), Email: email, Errors: errs, ErrList: []fieldError{{"lost-email", msg}}}})
	}
	if c.FormValue("website") == "" { // honeypot: people never fill it in
		a.lostLinks.request(ev.ID, email)
	}
	return a.render(c, 200, "message", Page{Title: "Check your email", Data: message{Event: ev.Title, Heading: "Check your email",
		Body: "If this address holds a registration for this event, we have sent it a message with the private link to see, change or cancel it. " +
			"If nothing arrives in a few minutes, look in your spam folder, or register again: registering again with the same address never takes a second place.",
		Link: "/events/" + ev.Slug, LinkText: "Back to the event"}})
}
