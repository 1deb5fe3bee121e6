package app

import (
	"net/url"
	"strings"
	"testing"

	"convene/mail"
	"convene/models"
)

// TestMessageRegistrants: an organiser writes to an event's confirmed
// registrants; each gets one outbox mail; a blank form says what to fix.
func TestMessageRegistrants(t *testing.T) {
	f := newFixture(t, nil)
	path := "/admin/events/" + f.ev.Slug + "/message"
	res := f.do(request{method: "POST", path: path, role: roleOrganiser, form: url.Values{"confirmed": {"yes"}}})
	body := readBody(t, res)
	if res.StatusCode != 422 || !strings.Contains(body, "Enter a subject") || !strings.Contains(body, "Enter a message") {
		t.Fatalf("blank message: %d", res.StatusCode)
	}
	res = f.do(request{method: "POST", path: path, role: roleOrganiser, form: url.Values{"subject": {"Doors open"}, "body": {"Hello"}}})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, "Choose who receives") {
		t.Fatalf("no recipients chosen: %d", res.StatusCode)
	}
	var confirmed int64
	f.db.Model(&models.Registration{}).Where("event_id = ? AND status = ?", f.ev.ID, models.RegConfirmed).Count(&confirmed)
	res = f.do(request{method: "POST", path: path, role: roleOrganiser,
		form: url.Values{"confirmed": {"yes"}, "subject": {"Doors open at six"}, "body": {"Please arrive early."}}})
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "sent=") {
		t.Fatalf("send: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	var mails int64
	f.db.Model(&models.OutboxMail{}).Where("event_id = ? AND kind = ?", f.ev.ID, models.MailMessage).Count(&mails)
	if confirmed == 0 || mails != confirmed {
		t.Fatalf("%d message mails for %d confirmed registrants", mails, confirmed)
	}
}

// TestMessageTabPreviewTestAndWhereTheMailIs: the Message tab counts the
// recipients by audience, previews the mail as a registrant gets it
// (without writing anything), sends a test to the organiser alone, and
// after sending says where the mails are, from the outbox rows.
func TestMessageTabPreviewTestAndWhereTheMailIs(t *testing.T) {
	f := newFixture(t, nil)
	path := "/admin/events/" + f.ev.Slug + "/message"
	outbox := func(where string, args ...any) int64 {
		var n int64
		f.db.Model(&models.OutboxMail{}).Where("kind = ?", models.MailMessage).Where(where, args...).Count(&n)
		return n
	}
	msg := url.Values{"confirmed": {"yes"}, "waitlisted": {"yes"}, "subject": {"Doors open at six"}, "body": {"Please arrive early.\nشكراً"}}
	with := func(action string, v url.Values) url.Values {
		out := url.Values{"action": {action}}
		for k, vs := range v {
			out[k] = vs
		}
		return out
	}
	steps := []struct {
		name       string
		method     string
		form       url.Values
		wantStatus int
		want       []string
		dontWant   []string
		mails      int64 // message mails in the outbox after the step
	}{
		{"the tab counts each audience", "GET", nil, 200,
			[]string{"People with a confirmed place (1)", "People on the waitlist (1)", "No messages sent yet.", "mails only you, at organiser@example.org"}, nil, 0},
		{"a preview of a blank message says what to fix", "POST", with("preview", url.Values{"body": {"Kept"}}), 422,
			[]string{"Enter a subject", ">Kept</textarea>"}, []string{"Preview:"}, 0},
		{"a test of a blank message says what to fix", "POST", with("test", url.Values{"subject": {"Hi"}}), 422,
			[]string{"Enter a message"}, nil, 0},
		{"a preview shows the mail and writes nothing", "POST", with("preview", msg), 200,
			[]string{"Preview: the mail to <bdi>Amira Haddad</bdi>", "It goes to 2 registrants", "Hello Amira Haddad,",
				"Please arrive early.", "شكراً", "Doors open at six", "(each registrant&#39;s own private link)", "Send to 2 registrants"},
			[]string{f.app.tok.ManageToken(f.reg)}, 0},
		{"only the waitlist", "POST", with("preview", url.Values{"waitlisted": {"yes"}, "subject": {"S"}, "body": {"B"}}), 200,
			[]string{"Preview: the mail to <bdi>Daniel Cohen</bdi>", "Send to 1 registrant<"}, nil, 0},
		{"a test goes to the organiser alone", "POST", with("test", msg), 200,
			[]string{"A test has been written to the outbox for you alone, at organiser@example.org", "Test, to organiser@example.org only",
				"1 in the outbox, waiting to be sent"}, nil, 1},
		{"sending with nobody chosen", "POST", with("send", url.Values{"subject": {"S"}, "body": {"B"}}), 422,
			[]string{"Choose who receives the message"}, nil, 1},
		{"sending writes one mail per registrant", "POST", with("send", msg), 303, nil, nil, 3},
		{"the tab says where the mail is", "GET", nil, 200,
			[]string{"Your message has been written to the outbox for 2 registrants", "2 registrants", "2 in the outbox, waiting to be sent"}, nil, 3},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			p := path
			if s.method == "GET" && s.name == "the tab says where the mail is" {
				p += "?done=sent&sent=2"
			}
			res := f.do(request{method: s.method, path: p, role: roleOrganiser, form: s.form})
			body := readBody(t, res)
			if res.StatusCode != s.wantStatus {
				t.Fatalf("status %d, want %d: %.300s", res.StatusCode, s.wantStatus, body)
			}
			for _, w := range s.want {
				if !strings.Contains(body, w) {
					t.Errorf("lacks %s", w)
				}
			}
			for _, w := range s.dontWant {
				if strings.Contains(body, w) {
					t.Errorf("shows %s", w)
				}
			}
			if n := outbox("1 = 1"); n != s.mails {
				t.Errorf("%d message mails in the outbox, want %d", n, s.mails)
			}
		})
	}
	if n := outbox(`registration_id IS NULL AND "to" = ?`, "organiser@example.org"); n != 1 {
		t.Errorf("%d test mails to the organiser", n)
	}

	// The sender's states, shown truthfully.
	f.db.Model(&models.OutboxMail{}).Where("kind = ? AND registration_id = ?", models.MailMessage, f.reg.ID).Update("status", models.MailSent)
	f.db.Model(&models.OutboxMail{}).Where("kind = ? AND registration_id = ?", models.MailMessage, f.waiting.ID).Update("status", models.MailHeld)
	f.db.Model(&models.OutboxMail{}).Where("kind = ? AND registration_id IS NULL", models.MailMessage).Updates(map[string]any{"attempts": 2})
	body := readBody(t, f.do(request{method: "GET", path: path, role: roleOrganiser}))
	for _, w := range []string{"1 sent", "1 held in the outbox: no mail server is set up", "1 failing for now: the outbox will try again"} {
		if !strings.Contains(body, w) {
			t.Errorf("after sending, the tab lacks %s", w)
		}
	}
	f.db.Model(&models.OutboxMail{}).Where("kind = ? AND registration_id = ?", models.MailMessage, f.waiting.ID).Update("status", models.MailFailed)
	if body := readBody(t, f.do(request{method: "GET", path: path, role: roleOrganiser})); !strings.Contains(body, "1 failed: an admin can see why") {
		t.Error("a failed mail is not shown as failed")
	}

	// The test mail as the sender composes it: marked, to the organiser,
	// without any registrant's private link.
	var m models.OutboxMail
	f.db.Where("kind = ? AND registration_id IS NULL", models.MailMessage).First(&m)
	composer := mail.Composer{BaseURL: "http://convene.test", From: "Convene <events@convene.test>", Tokens: f.app.tok}
	got, err := composer.Compose(f.db, &m, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "[Test] Doors open at six" || got.To != "organiser@example.org" || !strings.Contains(got.Text, "Hello organiser,") ||
		!strings.Contains(got.Text, mail.SampleManageURL) || strings.Contains(got.Text, "/r/") {
		t.Errorf("test mail: %q to %q\n%s", got.Subject, got.To, got.Text)
	}
}

// TestMessagePreviewShowsTheHTMLMail: the preview shows the HTML mail as
// sent, in a box, with its inline styles allowed by their hashes on that
// response alone, and the plain text behind a <details>.
func TestMessagePreviewShowsTheHTMLMail(t *testing.T) {
	f := newFixture(t, nil)
	path := "/admin/events/" + f.ev.Slug + "/message"
	res := f.do(request{method: "POST", path: path, role: roleOrganiser, form: url.Values{"action": {"preview"}, "confirmed": {"yes"},
		"subject": {"Doors open at six"}, "body": {"Please arrive <early>.\nشكراً"}}})
	body := readBody(t, res)
	if res.StatusCode != 200 {
		t.Fatalf("%d", res.StatusCode)
	}
	box := body[strings.Index(body, `<div class="mail-frame">`):]
	for _, want := range []string{`<div class="mail-html" style="margin:0;padding:0;background:#f3f2f1;`, `<blockquote dir="auto" style=`,
		"Please arrive &lt;early&gt;.<br>شكراً", "<details", "<summary>The plain-text version</summary>", "Please arrive &lt;early&gt;.\nشكراً"} {
		if !strings.Contains(box, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	for _, never := range []string{"<body", "<html", "<head", "<early>"} {
		if strings.Contains(box, never) {
			t.Errorf("preview holds %q", never)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	_, hashes := mailPreview(`<body style="margin:0;padding:0;background:#f3f2f1;color:#0b0c0c;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;"></body>`)
	if !strings.Contains(csp, "style-src 'self' 'unsafe-hashes' '"+hashes[0]+"'") || !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("the preview's policy %q does not allow exactly the mail's styles", csp)
	}
	if csp := f.do(request{method: "GET", path: path, role: roleOrganiser}).Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe") {
		t.Errorf("the tab without a preview allows inline styles: %q", csp)
	}
}

func TestMailPreview(t *testing.T) {
	for _, c := range []struct {
		name, mail, want string
		hashes           int
	}{
		{"a mail", `<!doctype html><html><head><title>T</title></head><body style="a:b"><p style="c:d">Hi</p><p style="a:b">x</p></body></html>`,
			`<div class="mail-html" style="a:b"><p style="c:d">Hi</p><p style="a:b">x</p></div>`, 2},
		{"without styles", `<body><p>Hi</p></body>`, `<div class="mail-html"><p>Hi</p></div>`, 0},
		{"no body", `<p>Hi</p>`, "", 0},
		{"empty", "", "", 0},
		{"an unclosed body", `<body style="a:b"><p>Hi</p>`, "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, hashes := mailPreview(c.mail)
			if string(got) != c.want || len(hashes) != c.hashes {
				t.Errorf("got %q with %d hashes, want %q with %d", got, len(hashes), c.want, c.hashes)
			}
		})
	}
}
