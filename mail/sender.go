// Package mail sends Convene's mail from the outbox: it composes messages
// (plain text, HTML and an .ics attachment) from templates in views/mail,
// delivers them over SMTP with retries, and schedules event reminders.
//
// A Sender runs inside `convene serve`. Several instances may share one
// database: each claims rows in a short transaction and holds a lease on
// them while it sends (see models.ClaimMail), so every mail goes out once.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	gomail "github.com/wneessen/go-mail"
	"gorm.io/gorm"

	"convene/models"
)

// Config configures a Sender. Zero values take the defaults.
type Config struct {
	// SMTPURL is the mail server (see NewClient); empty holds all mail.
	SMTPURL  string
	Composer Composer
	// Development logs one line per held mail (kind, id, event; never
	// addresses or names).
	Development bool
	// Schedule of retries after temporary failures (DefaultSchedule).
	Schedule Schedule
	// Poll is how often the outbox is checked for due mail (250 ms).
	Poll time.Duration
	// Lease is how long a claim lasts before another sender may take the
	// rows over (5 min); it must be well above Timeout.
	Lease time.Duration
	// Batch is how many rows one claim takes (20).
	Batch int
	// Timeout bounds the connection and each SMTP command (30 s).
	Timeout time.Duration
	// RemindEvery is how often reminders are scheduled (1 min).
	RemindEvery time.Duration
	// Claimant names this sender in claims (host, process and a random part).
	Claimant string
	// Now is the clock (time.Now in UTC).
	Now func() time.Time
	Log *slog.Logger
}

// Sender delivers the outbox.
type Sender struct {
	db     *models.DB
	cfg    Config
	client *gomail.Client
	log    *slog.Logger
}

// New makes a Sender on db. An invalid SMTP_URL is an error.
func New(db *models.DB, cfg Config) (*Sender, error) {
	if cfg.Schedule.GiveUp == 0 {
		cfg.Schedule = DefaultSchedule()
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 250 * time.Millisecond
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.RemindEvery <= 0 {
		cfg.RemindEvery = time.Minute
	}
	if cfg.Claimant == "" {
		host, _ := os.Hostname()
		cfg.Claimant = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), models.RandomString(6))
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Sender{db: db, cfg: cfg, log: cfg.Log.With("component", "mail")}
	if cfg.SMTPURL != "" {
		c, err := NewClient(cfg.SMTPURL, cfg.Timeout)
		if err != nil {
			return nil, err
		}
		s.client = c
	}
	return s, nil
}

// Run sends due mail and schedules reminders until ctx ends. On the way
// out it finishes the message in flight and hands the rest of its claim
// back, so a restart loses and repeats nothing.
func (s *Sender) Run(ctx context.Context) {
	if s.client == nil {
		s.log.Warn("no SMTP_URL: mail is held in the outbox; admins see it at /admin/outbox")
	}
	var nextRemind time.Time
	for ctx.Err() == nil {
		if now := time.Now(); !now.Before(nextRemind) {
			s.remind()
			nextRemind = now.Add(s.cfg.RemindEvery)
		}
		n, err := s.step(ctx)
		if err != nil {
			s.log.Error("outbox step failed", "err", err)
		}
		if n > 0 && err == nil {
			continue // more may be due: no pause while there is work
		}
		t := time.NewTimer(s.cfg.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}

// store is the database for one piece of the sender's work (a check, a
// claim, composing, the record of an attempt), on a context of its own
// rather than Run's: stopping must not cut a claim or the record of a
// delivery in half. It is bounded by Timeout, so a database that does not
// answer cannot hold the sender (and the shutdown waiting for it) for ever.
func (s *Sender) store() (*models.DB, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	return s.db.WithContext(ctx), cancel
}

func (s *Sender) remind() {
	db, cancel := s.store()
	defer cancel()
	n, err := models.EnqueueReminders(db.DB, s.cfg.Now())
	if err != nil {
		s.log.Error("scheduling reminders failed", "err", err)
		return
	}
	if n > 0 {
		s.log.Info("reminders queued", "count", n)
	}
}

// step handles one batch of due mail and reports how many rows it took.
func (s *Sender) step(ctx context.Context) (int, error) {
	now := s.cfg.Now()
	db, cancel := s.store()
	due, err := models.HasDueMail(db.Read, now)
	if err != nil || !due {
		cancel()
		return 0, err
	}
	if s.client == nil {
		defer cancel()
		return s.hold(db, now)
	}
	rows, err := models.ClaimMail(db.DB, s.cfg.Claimant, s.cfg.Lease, s.cfg.Batch, now)
	cancel()
	if err != nil {
		return 0, err
	}
	s.deliver(ctx, rows)
	return len(rows), nil
}

// hold keeps mail in the outbox when no server is configured.
func (s *Sender) hold(db *models.DB, now time.Time) (int, error) {
	held, err := models.HoldMail(db.DB, now)
	if err != nil || len(held) == 0 {
		return 0, err
	}
	if !s.cfg.Development {
		s.log.Warn("mail held: no SMTP_URL", "count", len(held))
		return len(held), nil
	}
	slugs := eventSlugs(db, held)
	for _, m := range held {
		slug := ""
		if m.EventID != nil {
			slug = slugs[*m.EventID]
		}
		s.log.Info("mail held: no SMTP_URL", "kind", m.Kind, "mail_id", m.ID, "event", slug)
	}
	return len(held), nil
}

func eventSlugs(db *models.DB, rows []models.OutboxMail) map[uint]string {
	var ids []uint
	for _, m := range rows {
		if m.EventID != nil {
			ids = append(ids, *m.EventID)
		}
	}
	out := map[uint]string{}
	refs, _ := models.EventRefs(db.Read, ids) // only for log lines: none is fine
	for id, e := range refs {
		out[id] = e.Slug
	}
	return out
}

// deliver composes and sends claimed rows over one connection.
func (s *Sender) deliver(ctx context.Context, rows []models.OutboxMail) {
	type job struct {
		row *models.OutboxMail
		msg *gomail.Msg
	}
	var jobs []job
	for i := range rows {
		m := &rows[i]
		db, cancel := s.store()
		composed, err := s.cfg.Composer.Compose(db, m, s.cfg.Now())
		cancel()
		var msg *gomail.Msg
		if err == nil {
			msg, err = composed.MIME()
		}
		if err != nil {
			s.outcome(m, err)
			continue
		}
		jobs = append(jobs, job{m, msg})
	}
	if len(jobs) == 0 {
		return
	}
	release := func(from int) {
		var ids []uint
		for _, j := range jobs[from:] {
			ids = append(ids, j.row.ID)
		}
		db, cancel := s.store()
		defer cancel()
		if err := models.ReleaseMail(db.DB, ids, s.cfg.Claimant, s.cfg.Now()); err != nil {
			s.log.Error("releasing claimed mail failed", "err", err)
		}
	}
	if ctx.Err() != nil {
		release(0)
		return
	}
	// Stopping must not cut a message off half-sent: the connection lives
	// by its own timeouts, and ctx is checked between messages.
	conn, err := s.client.DialToSMTPClientWithContext(context.WithoutCancel(ctx))
	if err != nil {
		for _, j := range jobs {
			s.outcome(j.row, fmt.Errorf("connecting to the mail server: %w", err))
		}
		return
	}
	defer func() { _ = s.client.CloseWithSMTPClient(conn) }()
	for i, j := range jobs {
		// Never send on a lease that may run out mid-message: another
		// sender could take the row over and send it again.
		if ctx.Err() != nil || j.row.ClaimedUntil == nil || s.cfg.Now().Add(2*s.cfg.Timeout).After(*j.row.ClaimedUntil) {
			release(i)
			return
		}
		s.outcome(j.row, s.client.SendWithSMTPClient(conn, j.msg))
	}
}

// outcome records the result of one attempt.
func (s *Sender) outcome(m *models.OutboxMail, sendErr error) {
	var record func(db *gorm.DB, now time.Time) (bool, error)
	switch permanent, reason := classify(sendErr); {
	case sendErr == nil:
		s.log.Debug("mail sent", "kind", m.Kind, "mail_id", m.ID, "attempts", m.Attempts)
		record = func(db *gorm.DB, now time.Time) (bool, error) {
			return models.MarkMailSent(db, m.ID, s.cfg.Claimant, now)
		}
	case permanent:
		s.log.Warn("mail failed", "kind", m.Kind, "mail_id", m.ID, "reason", reason)
		record = func(db *gorm.DB, now time.Time) (bool, error) {
			return models.FailMail(db, m.ID, s.cfg.Claimant, sendErr.Error(), now)
		}
	default:
		wait, retry := s.cfg.Schedule.Next(m.Attempts)
		if !retry {
			s.log.Warn("mail failed: retries exhausted", "kind", m.Kind, "mail_id", m.ID, "attempts", m.Attempts, "reason", reason)
			record = func(db *gorm.DB, now time.Time) (bool, error) {
				return models.FailMail(db, m.ID, s.cfg.Claimant, fmt.Sprintf("gave up after %d attempts: %v", m.Attempts, sendErr), now)
			}
			break
		}
		s.log.Info("mail deferred", "kind", m.Kind, "mail_id", m.ID, "attempts", m.Attempts, "retry_in", wait.String(), "reason", reason)
		record = func(db *gorm.DB, now time.Time) (bool, error) {
			return models.RetryMail(db, m.ID, s.cfg.Claimant, sendErr.Error(), now.Add(wait), now)
		}
	}
	ok, err := s.record(m, record)
	switch {
	case err != nil:
		s.log.Error("recording a mail's outcome failed; its claim will lapse and the mail be tried again", "mail_id", m.ID, "err", err)
	case !ok:
		s.log.Warn("mail claim lost before its outcome was recorded", "mail_id", m.ID)
	}
}

// Backoff of record: the first retry after recordFirstWait, doubling up to
// recordMaxWait.
const (
	recordFirstWait = 50 * time.Millisecond
	recordMaxWait   = 5 * time.Second
)

// record writes an attempt's outcome, retrying with backoff while the
// database fails (a restart, a failover, connections cut) and this sender
// still holds the lease on the row. A "sent" that is never written leaves
// the row in the sending state: when the lease runs out another claim takes
// it and the mail goes out twice. Past the lease retrying is pointless:
// another sender may have the row.
func (s *Sender) record(m *models.OutboxMail, write func(db *gorm.DB, now time.Time) (bool, error)) (bool, error) {
	wait := recordFirstWait
	// The lease is on the configured clock; the wall clock bounds the
	// retries too, should that clock stand still.
	stop := time.Now().Add(s.cfg.Lease)
	for {
		db, cancel := s.store()
		ok, err := write(db.DB, s.cfg.Now())
		cancel()
		if err == nil {
			return ok, nil
		}
		if m.ClaimedUntil == nil || !s.cfg.Now().Add(wait).Before(*m.ClaimedUntil) || time.Now().Add(wait).After(stop) {
			return false, err
		}
		s.log.Warn("recording a mail's outcome failed; retrying while the claim lasts", "mail_id", m.ID, "retry_in", wait.String(), "err", err)
		time.Sleep(wait)
		wait = min(2*wait, recordMaxWait)
	}
}

// classify says whether a send error is permanent, with a reason to log
// that holds no address or name.
func classify(err error) (permanent bool, reason string) {
	if err == nil {
		return false, ""
	}
	if errors.Is(err, ErrUnsendable) {
		return true, "unsendable"
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		reason = fmt.Sprintf("smtp %d while %s", code, se.Reason)
		switch {
		case code >= 500 && code < 600:
			return true, reason
		case se.Reason == gomail.ErrGetSender || se.Reason == gomail.ErrGetRcpts:
			return true, reason
		}
		return false, reason
	}
	return false, err.Error()
}
