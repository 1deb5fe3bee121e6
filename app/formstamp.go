package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Bot defence without a third party: every registration form carries the
// time it was made, signed with the app's key (stampField). A form sent back
// sooner than FORM_MIN_SECONDS after that was not filled in by a person; one
// without a valid stamp, or older than a day, did not come from a page we
// served lately. Neither is dropped silently: the form comes back, as typed,
// with a gentle message, and a person simply sends it again. (The honeypot
// field "website" and the rate limits are the other two layers.)

// stampField is the form field holding the stamp.
const stampField = "_ts"

// stampMaxAge is how long a form stays good to send.
const stampMaxAge = 24 * time.Hour

// formStamp signs the time t for a form.
func (a *App) formStamp(t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return ts + "." + a.stampMAC(ts)
}

func (a *App) stampMAC(ts string) string {
	m := hmac.New(sha256.New, []byte(a.cfg.SecretKey))
	m.Write([]byte("form-stamp:"))
	m.Write([]byte(ts))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Messages for a form sent back too soon, or with no good stamp.
const (
	msgTooFast = "That was quicker than we expected from a person. Check your answers and send the form again."
	msgNoStamp = "This form is out of date. Check your answers and send it again."
)

// checkStamp returns a message for the person when the form's stamp shows
// that it was sent too soon, or is missing, forged or too old; "" when the
// form may go on.
func (a *App) checkStamp(stamp string, now time.Time) string {
	if a.cfg.FormMinSeconds <= 0 {
		return ""
	}
	ts, mac, ok := strings.Cut(stamp, ".")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(mac), []byte(a.stampMAC(ts))) {
		return msgNoStamp
	}
	age := now.Sub(time.Unix(sec, 0))
	switch {
	case age > stampMaxAge:
		return msgNoStamp
	case age < time.Duration(a.cfg.FormMinSeconds)*time.Second:
		return msgTooFast
	}
	return ""
}
