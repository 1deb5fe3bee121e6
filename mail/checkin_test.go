package mail

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"convene/models"
	"convene/models/modelstest"
)

// TestConfirmationCheckInQR delivers the confirmations of an in-person and
// an online place to a real SMTP server: the in-person one carries the door
// check-in QR code as an inline PNG that its HTML part shows by Content-ID,
// encoding the check-in link (not the manage link); the online one carries
// no image.
func TestConfirmationCheckInQR(t *testing.T) {
	db := modelstest.Open(t)
	ev := testEvent(t, db.DB, 10)
	inPerson := registerAs(t, db.DB, ev, "door@example.org", models.InPerson, 1)
	online := registerAs(t, db.DB, ev, "screen@example.org", models.Online, 0)
	if inPerson.Status != models.RegConfirmed || online.Status != models.RegConfirmed {
		t.Fatalf("fixture: %s and %s, want both confirmed", inPerson.Status, online.Status)
	}
	srv := startServer(t, "127.0.0.1:0", nil)
	runSender(t, db, smtpURL(srv.Addr), nil)
	byTo := map[string][]part{}
	for range 2 {
		d := srv.Wait(t, 10*time.Second)
		msg, err := d.Header(t)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.To) != 1 {
			t.Fatalf("envelope to %v", d.To)
		}
		byTo[d.To[0]] = leaves(t, msg.Header, msg.Body)
	}
	tok := modelstest.Tokens()

	t.Run("in person", func(t *testing.T) {
		parts := byTo["door@example.org"]
		text, html, img, cal := findPart(parts, "text/plain"), findPart(parts, "text/html"), findPart(parts, "image/png"), findPart(parts, "text/calendar")
		if text == nil || html == nil || img == nil || cal == nil || len(parts) != 4 {
			t.Fatalf("parts %v: want text, HTML, a PNG and a calendar", partTypes(parts))
		}
		if !strings.HasPrefix(img.ContentID, "<") || !strings.HasSuffix(img.ContentID, ">") || len(img.ContentID) < 3 {
			t.Fatalf("image Content-ID %q, want <id>", img.ContentID)
		}
		cid := strings.Trim(img.ContentID, "<>")
		if !strings.Contains(string(html.Body), `src="cid:`+cid+`"`) {
			t.Errorf("HTML does not show the image cid:%s:\n%s", cid, html.Body)
		}
		if !strings.Contains(string(html.Body), `alt="Check-in code: show this at the door"`) {
			t.Errorf("HTML image lacks its alt text:\n%s", html.Body)
		}
		if !strings.HasPrefix(img.Disposition, "inline") {
			t.Errorf("image disposition %q, want inline", img.Disposition)
		}
		// The image belongs with the HTML, not among the attachments.
		if img.Parent != "multipart/related" {
			t.Errorf("image inside %q, want multipart/related", img.Parent)
		}
		decoded, err := png.Decode(bytes.NewReader(img.Body))
		if err != nil {
			t.Fatalf("the image is not a PNG: %v", err)
		}
		if b := decoded.Bounds(); b.Dx() != checkInQRSize || b.Dy() != checkInQRSize {
			t.Errorf("image is %dx%d, want %dx%d", b.Dx(), b.Dy(), checkInQRSize, checkInQRSize)
		}
		// go-qrcode draws the same content the same way: the image must be
		// the check-in link's code, not the manage link's.
		want, err := qrcode.Encode(testBaseURL+"/admin/check-in/"+tok.CheckInCode(inPerson), qrcode.Medium, checkInQRSize)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(img.Body, want) {
			t.Error("the image is not the QR code of the registration's check-in link")
		}
		manage := testBaseURL + "/r/" + tok.ManageToken(inPerson)
		if s := "At the door, show the check-in code in the HTML version of this mail, or your manage page: " + manage; !strings.Contains(string(text.Body), s) {
			t.Errorf("text lacks %q:\n%s", s, text.Body)
		}
		if strings.Contains(string(text.Body), tok.CheckInCode(inPerson)) || strings.Contains(string(html.Body), tok.CheckInCode(inPerson)) {
			t.Error("the check-in code is written out in the mail")
		}
	})

	t.Run("online", func(t *testing.T) {
		parts := byTo["screen@example.org"]
		if len(parts) != 3 || findPart(parts, "text/plain") == nil || findPart(parts, "text/html") == nil || findPart(parts, "text/calendar") == nil {
			t.Fatalf("parts %v: want text, HTML and a calendar only", partTypes(parts))
		}
		for _, p := range parts {
			if strings.HasPrefix(p.ContentType, "image/") || p.ContentID != "" || p.Parent == "multipart/related" {
				t.Errorf("online confirmation has an embedded part %s %q", p.ContentType, p.ContentID)
			}
		}
		if html := findPart(parts, "text/html"); strings.Contains(string(html.Body), "cid:") || strings.Contains(string(html.Body), "Check-in code") {
			t.Errorf("online HTML refers to a check-in image:\n%s", html.Body)
		}
		if text := findPart(parts, "text/plain"); strings.Contains(string(text.Body), "check-in code") {
			t.Errorf("online text mentions a check-in code:\n%s", text.Body)
		}
	})
}

// partTypes lists the content types of parts, for failure messages.
func partTypes(parts []part) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.ContentType
	}
	return out
}
