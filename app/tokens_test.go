package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"convene/models"
)

// TestDoorCheckInAnswersOnlyTheDoorView: a check-in through the API answers
// what the door page shows, to a door volunteer and to an organiser alike:
// never the email address, dietary or access needs or answers.
func TestDoorCheckInAnswersOnlyTheDoorView(t *testing.T) {
	f := newFixture(t, nil)
	f.db.Model(&models.Registration{}).Where("id = ?", f.reg.ID).Update("access_needs", "Wheelchair user")
	for _, role := range []string{roleDoor, roleOrganiser} {
		t.Run(role, func(t *testing.T) {
			res := f.do(request{method: "POST", path: fmt.Sprintf("/api/v1/events/iftar/registrations/%d/check-in", f.reg.ID), role: role, bearer: true})
			b := readBody(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %s", res.StatusCode, b)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(b), &got); err != nil {
				t.Fatal(err)
			}
			keys := []string{}
			for k := range got {
				keys = append(keys, k)
			}
			want := map[string]bool{"id": true, "event": true, "name": true, "guests": true, "places": true, "checked_in_at": true, "arrived": true, "counts": true}
			for _, k := range keys {
				if !want[k] {
					t.Errorf("the answer holds %q", k)
				}
			}
			for _, secret := range []string{"amira.haddad@example.net", "halal", "Wheelchair", "HYPERLINK"} {
				if strings.Contains(b, secret) {
					t.Errorf("the answer shows %q: %s", secret, b)
				}
			}
			if got["name"] != "Amira Haddad" || got["places"] != float64(3) || got["counts"].(map[string]any)["checked_in"] != float64(3) {
				t.Errorf("answer %s", b)
			}
		})
	}
}

// TestDoorVolunteersMakeDoorTokensOnly: on the tokens page and in models, a
// door volunteer's account can only make door tokens; organisers choose.
func TestDoorVolunteersMakeDoorTokensOnly(t *testing.T) {
	f := newFixture(t, nil)
	page := readBody(t, f.do(request{method: "GET", path: "/admin/tokens", role: roleDoor}))
	if !strings.Contains(page, `name="scope" value="door"`) || strings.Contains(page, `value="write"`) || strings.Contains(page, `value="read"`) {
		t.Fatalf("door volunteer's tokens page offers more than door")
	}
	for _, scope := range []string{models.ScopeRead, models.ScopeWrite} {
		res := f.do(request{method: "POST", path: "/admin/tokens", role: roleDoor, form: url.Values{"name": {"Kiosk"}, "scope": {scope}, "expires": {"30"}}})
		if b := readBody(t, res); res.StatusCode != 422 || !strings.Contains(b, "can only check people in") {
			t.Fatalf("a %s token for a door volunteer: status %d", scope, res.StatusCode)
		}
		if _, _, err := models.NewAPIToken(f.db.DB, f.users[roleDoor].ID, models.APITokenInput{Name: "x", Scope: scope}, f.now); validationFieldsOf(err)["scope"] == "" {
			t.Fatalf("models made a %s token for a door volunteer: %v", scope, err)
		}
	}
	var n int64
	f.db.Model(&models.APIToken{}).Where("user_id = ? AND scope <> ?", f.users[roleDoor].ID, models.ScopeDoor).Count(&n)
	if n != 0 {
		t.Fatalf("%d wider tokens stored for the door volunteer", n)
	}
	res := f.do(request{method: "POST", path: "/admin/tokens", role: roleDoor, form: url.Values{"name": {"Kiosk"}, "scope": {"door"}, "expires": {"7"}}})
	if b := readBody(t, res); res.StatusCode != 201 || !strings.Contains(b, "cvn_") {
		t.Fatalf("door token: %d", res.StatusCode)
	}
	page = readBody(t, f.do(request{method: "GET", path: "/admin/tokens", role: roleOrganiser}))
	for _, s := range models.Scopes {
		if !strings.Contains(page, `name="scope" value="`+s+`"`) {
			t.Errorf("organiser cannot choose %s", s)
		}
	}
}

func validationFieldsOf(err error) map[string]string {
	if f := validationFields(err); f != nil {
		return f
	}
	return map[string]string{}
}

// TestTokensPageShowsScopeAndExpiry creates tokens on the page, checks the
// choices are kept and refused ones say why beside the field.
func TestTokensPageShowsScopeAndExpiry(t *testing.T) {
	f := newFixture(t, nil)
	res := f.do(request{method: "POST", path: "/admin/tokens", role: roleOrganiser, form: url.Values{"name": {"Website sync"}, "scope": {"read"}, "expires": {"30"}}})
	b := readBody(t, res)
	if res.StatusCode != 201 {
		t.Fatalf("create: %d %s", res.StatusCode, b)
	}
	token := regexp.MustCompile(`cvn_[A-Za-z0-9_-]+`).FindString(b)
	row, err := models.AuthenticateAPIToken(f.db.DB, token, f.now)
	if err != nil || row.Scope != models.ScopeRead || !row.ExpiresAt.Equal(f.now.Add(30*24*time.Hour)) {
		t.Fatalf("token %+v %v", row, err)
	}
	// 2 November 2026 + 30 days.
	for _, want := range []string{"Read: see events and registrations", "2 Dec 2026", "Write: everything your account can do"} {
		if !strings.Contains(b, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	tests := []struct {
		form  url.Values
		field string
	}{
		{url.Values{"name": {"x"}, "scope": {"admin"}, "expires": {"30"}}, "scope"},
		{url.Values{"name": {"x"}, "expires": {"30"}}, "scope"},
		{url.Values{"name": {"x"}, "scope": {"read"}, "expires": {"400"}}, "expires"},
		{url.Values{"name": {"x"}, "scope": {"read"}, "expires": {"soon"}}, "expires"},
		{url.Values{"name": {"Evil\u202eelif"}, "scope": {"read"}, "expires": {"30"}}, "name"},
	}
	for _, tt := range tests {
		res := f.do(request{method: "POST", path: "/admin/tokens", role: roleOrganiser, form: tt.form})
		b := readBody(t, res)
		if res.StatusCode != 422 || !strings.Contains(b, `href="#`+tt.field+`"`) {
			t.Errorf("%v: status %d, no message for %s", tt.form, res.StatusCode, tt.field)
		}
	}
	var n int64
	f.db.Model(&models.APIToken{}).Where("user_id = ?", f.users[roleOrganiser].ID).Count(&n)
	if n != 2 {
		t.Fatalf("%d tokens, want the fixture's and the one made", n)
	}
}

// TestTokensExpire: an expired token is refused like a revoked one.
func TestTokensExpire(t *testing.T) {
	f := newFixture(t, nil)
	expires := f.now.Add(time.Hour)
	tok, _, err := models.NewAPIToken(f.db.DB, f.users[roleOrganiser].ID, models.APITokenInput{Name: "short", Scope: models.ScopeRead, ExpiresAt: &expires}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	get := func() *http.Response {
		return f.do(request{method: "GET", path: "/api/v1/events/iftar/registrations", token: tok})
	}
	if res := get(); res.StatusCode != 200 {
		t.Fatalf("live token: %d", res.StatusCode)
	}
	f.now = expires
	f.app.now = func() time.Time { return expires }
	if res := get(); res.StatusCode != 401 || !strings.Contains(res.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("expired token: %d", res.StatusCode)
	}
	for _, in := range []models.APITokenInput{
		{Name: "forever", ExpiresAt: ptr(f.now.Add(models.MaxTokenLifetime + time.Hour))},
		{Name: "past", ExpiresAt: ptr(f.now.Add(-time.Hour))},
	} {
		if _, _, err := models.NewAPIToken(f.db.DB, f.users[roleOrganiser].ID, in, f.now); validationFieldsOf(err)["expires"] == "" {
			t.Errorf("%s: %v", in.Name, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestPasswordChangeRevokesTokens: changing a password (from the account
// page) or setting one through a one-time link (a reset) revokes every API
// token of the account; other accounts' tokens stay.
func TestPasswordChangeRevokesTokens(t *testing.T) {
	f := newFixture(t, nil)
	live := func(role string) bool {
		_, err := models.AuthenticateAPIToken(f.db.DB, f.tokens[role], f.now)
		return err == nil
	}
	setPassword(t, f, roleOrganiser, "correct horse battery")
	res := f.do(request{method: "POST", path: "/admin/account/password", role: roleOrganiser,
		form: url.Values{"current_password": {"correct horse battery"}, "new_password": {"a new long password"}, "confirm_password": {"a new long password"}}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", res.StatusCode)
	}
	if live(roleOrganiser) {
		t.Fatal("the token survived a password change")
	}
	if !live(roleOutsider) {
		t.Fatal("another account's token was revoked")
	}
	if res := f.do(request{method: "GET", path: "/api/v1/events/iftar/registrations", role: roleOrganiser, bearer: true}); res.StatusCode != 401 {
		t.Fatalf("API with the old token: %d", res.StatusCode)
	}
	var detail string
	f.db.Model(&models.Activity{}).Where("action = ? AND user_id = ?", "api_tokens_revoked", f.users[roleOrganiser].ID).Pluck("detail", &detail)
	if detail != "1 token: password changed" {
		t.Fatalf("audit %q", detail)
	}

	// A reset: an admin issues a one-time link, the person sets a password.
	link, err := models.NewInviteLink(f.db.DB, f.users[roleOutsider].ID, &f.users[roleAdmin].ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.AcceptInvite(f.db.DB, link, "another long password", "another long password", f.now); err != nil {
		t.Fatal(err)
	}
	if live(roleOutsider) {
		t.Fatal("the token survived a password reset")
	}
	if !live(roleDoor) {
		t.Fatal("an unrelated token was revoked")
	}
}
