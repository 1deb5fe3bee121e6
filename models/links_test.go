package models_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"

	"convene/models"
	"convene/models/modelstest"
)

// TestLinksOpenTheirRegistration: every private address built by Links
// leads back to its own registration.
func TestLinksOpenTheirRegistration(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{})
	r := register(t, db, ev.ID, "amira@example.org", 0, models.InPerson).Registration
	l := models.Links{Base: "https://events.example.org", Tokens: modelstest.Tokens()}
	token := strings.TrimPrefix(l.Manage(r), "https://events.example.org/r/")
	if got, err := models.FindRegistrationByToken(db.Read, token); err != nil || got.ID != r.ID {
		t.Fatalf("manage link %s: %v %v", l.Manage(r), got, err)
	}
	if l.ManageToken(token) != l.Manage(r) || l.Confirm(r) != l.Manage(r)+"/confirm" {
		t.Errorf("manage %s, by token %s, confirm %s", l.Manage(r), l.ManageToken(token), l.Confirm(r))
	}
	feed := strings.TrimSuffix(strings.TrimPrefix(l.Feed(r), "https://events.example.org/me/"), ".ics")
	if regs, err := models.FeedRegistrations(db.Read, feed, now.AddDate(-1, 0, 0)); err != nil || len(regs) != 1 || regs[0].ID != r.ID {
		t.Fatalf("feed link %s: %v %v", l.Feed(r), regs, err)
	}
	code := strings.TrimPrefix(l.CheckIn(r), "https://events.example.org/admin/check-in/")
	if got, err := models.RegistrationByCheckInCode(db.Read, l.Tokens, code); err != nil || got.ID != r.ID {
		t.Fatalf("check-in link %s: %v %v", l.CheckIn(r), got, err)
	}
	if l.FeedToken("abc") != "https://events.example.org/me/abc.ics" {
		t.Errorf("address feed %s", l.FeedToken("abc"))
	}
}

// TestTokensAreHMAC: the derivation (keyed HMACs reused) is
// HMAC-SHA-256 of purpose and nonce, cut to 192 bits, whatever the key and
// however many derive at once.
func TestTokensAreHMAC(t *testing.T) {
	want := func(key []byte, purpose, nonce string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(purpose + nonce))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
	}
	for _, key := range [][]byte{modelstest.Secret, []byte("k"), bytes.Repeat([]byte("long key "), 20)} {
		tk := models.NewTokens(key)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 50 {
					nonce := fmt.Sprintf("nonce-%d-%d", i, j)
					if j%2 == 1 {
						nonce += strings.Repeat("x", 100) // longer than the buffer on the stack
					}
					if got := tk.Manage(nonce); got != want(key, "manage:", nonce) {
						t.Errorf("Manage(%q) = %q, want %q", nonce, got, want(key, "manage:", nonce))
					}
					if got := tk.Feed(nonce); got != want(key, "feed:", nonce) {
						t.Errorf("Feed(%q) = %q, want %q", nonce, got, want(key, "feed:", nonce))
					}
				}
			}()
		}
		wg.Wait()
	}
}
