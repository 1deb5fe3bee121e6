package models

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
)

// cleanMessage checks an organiser's message, adding field errors to v,
// and returns the subject on one line and the body trimmed.
func cleanMessage(subject, body string, v *ValidationError) (string, string) {
	subject = strings.TrimSpace(strings.Join(strings.FieldsFunc(subject, unicode.IsControl), " "))
	switch {
	case subject == "":
		v.Add("subject", "Enter a subject")
	case utf8.RuneCountInString(subject) > 200:
		v.Add("subject", "Subject must be 200 characters or fewer")
	case !CleanName(subject):
		v.Add("subject", NameMessage)
	}
	body = strings.TrimSpace(strings.ToValidUTF8(body, ""))
	switch {
	case body == "":
		v.Add("body", "Enter a message")
	case utf8.RuneCountInString(body) > 20000:
		v.Add("body", "Message must be 20,000 characters or fewer")
	}
	return subject, body
}

// CheckMessage validates an organiser's message without sending it (for a
// preview): the same rules as MessageRegistrants.
func CheckMessage(subject, body string) (string, string, error) {
	v := &ValidationError{}
	subject, body = cleanMessage(subject, body, v)
	return subject, body, v.Err()
}

// MessageAudience counts whom an organiser's message can reach: the
// registrations of each status that still hold an address.
type MessageAudience struct {
	Confirmed  int
	Waitlisted int
}

// CountMessageAudience counts the possible recipients of a message about
// an event, as MessageRegistrants chooses them.
func CountMessageAudience(db *gorm.DB, eventID uint) (MessageAudience, error) {
	var rows []struct {
		Status string
		N      int
	}
	err := db.Model(&Registration{}).Select("status, COUNT(*) AS n").
		Where("event_id = ? AND status IN ? AND purged_at IS NULL", eventID, []string{RegConfirmed, RegWaitlisted}).
		Group("status").Scan(&rows).Error
	var out MessageAudience
	for _, r := range rows {
		if r.Status == RegConfirmed {
			out.Confirmed = r.N
		} else {
			out.Waitlisted = r.N
		}
	}
	return out, err
}

// SendTestMessage writes an organiser's message to the outbox for the
// organiser alone (u's address), marked as a test: no registrant gets it.
// The mail has no registration; the composer fills in a sample one.
func SendTestMessage(db *gorm.DB, eventID uint, u *User, subject, body string, now time.Time) error {
	now = now.UTC()
	subject, body, err := CheckMessage(subject, body)
	if err != nil {
		return err
	}
	name := u.Name
	if name == "" {
		name = u.Email
	}
	data, err := json.Marshal(map[string]string{"subject": subject, "body": body, "test": "yes", "name": name})
	if err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error {
		m := OutboxMail{Kind: MailMessage, EventID: &eventID, To: u.Email, Data: string(data), Status: MailPending,
			NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		return logActivity(tx, eventID, nil, &u.ID, "message_test_sent", fmt.Sprintf("%q to %s", subject, u.Email), now)
	})
}

// MessageDelivery is where one message an organiser sent is now, from its
// outbox rows.
type MessageDelivery struct {
	At      time.Time
	Subject string
	// Test: a test sent to the organiser (To) alone.
	Test bool
	To   string
	// Counts of its mails by where they are: waiting in the outbox, being
	// retried after a failed attempt, held (no mail server is set up),
	// sent, failed for good.
	Waiting, Retrying, Held, Sent, Failed int
}

// Total is how many mails the message made.
func (d MessageDelivery) Total() int { return d.Waiting + d.Retrying + d.Held + d.Sent + d.Failed }

// MessageDeliveries lists the newest messages organisers sent about an
// event (limit of them), each with its mails counted by state.
func MessageDeliveries(db *gorm.DB, eventID uint, limit int) ([]MessageDelivery, error) {
	var rows []struct {
		Written time.Time
		State   string
		Test    int
		N       int
		FirstID uint
	}
	err := db.Model(&OutboxMail{}).
		Select("created_at AS written, CASE WHEN status = ? AND attempts > 0 THEN 'retrying' ELSE status END AS state, "+
			"CASE WHEN registration_id IS NULL THEN 1 ELSE 0 END AS test, COUNT(*) AS n, MIN(id) AS first_id", MailPending).
		Where("event_id = ? AND kind = ?", eventID, MailMessage).
		Group("created_at, state, test").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	type key struct {
		at   int64
		test bool
	}
	byKey := map[key]*MessageDelivery{}
	first := map[key]uint{}
	for _, r := range rows {
		k := key{r.Written.UnixNano(), r.Test == 1}
		d := byKey[k]
		if d == nil {
			d = &MessageDelivery{At: r.Written, Test: r.Test == 1}
			byKey[k] = d
		}
		if f, ok := first[k]; !ok || r.FirstID < f {
			first[k] = r.FirstID
		}
		switch r.State {
		case MailPending, MailSending:
			d.Waiting += r.N
		case "retrying":
			d.Retrying += r.N
		case MailHeld:
			d.Held += r.N
		case MailSent:
			d.Sent += r.N
		case MailFailed:
			d.Failed += r.N
		}
	}
	out := make([]MessageDelivery, 0, len(byKey))
	for _, d := range byKey {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.After(out[j].At)
		}
		return out[i].Test && !out[j].Test
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	// The subject (and a test's address) from one mail of each.
	ids := make([]uint, 0, len(out))
	for _, d := range out {
		ids = append(ids, first[key{d.At.UnixNano(), d.Test}])
	}
	var mails []OutboxMail
	if err := db.Select("id", "created_at", "registration_id", "\"to\"", "data").Where("id IN ?", ids).Find(&mails).Error; err != nil {
		return nil, err
	}
	for _, m := range mails {
		var data map[string]string
		_ = json.Unmarshal([]byte(m.Data), &data)
		for i := range out {
			if out[i].At.Equal(m.CreatedAt) && out[i].Test == (m.RegistrationID == nil) {
				out[i].Subject = data["subject"]
				if out[i].Test {
					out[i].To = m.To
				}
			}
		}
	}
	return out, nil
}
