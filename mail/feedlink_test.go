package mail

import (
	"regexp"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestDeliveredConfirmationLinksTheAddressFeed runs the sender as serve
// does (composing on the read pool) against a real SMTP server, on SQLite
// and PostgreSQL: the confirmation delivered carries the link to the feed
// of all the address's registrations, and that link works. On SQLite the
// read pool cannot write, and the feed was never created.
func TestDeliveredConfirmationLinksTheAddressFeed(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *models.DB{"sqlite": modelstest.Open, "postgres": modelstest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			first, second := testEvent(t, db.DB, 10), testEvent(t, db.DB, 10)
			registerAs(t, db.DB, first, "amina@example.org", models.InPerson, 0)
			registerAs(t, db.DB, second, "Amina@Example.org", models.Online, 0)
			srv := startServer(t, "127.0.0.1:0", nil)
			runSender(t, db, "smtp://"+srv.Addr+"?tls=opportunistic", nil)
			links := map[string]bool{}
			for range 2 {
				d := srv.Wait(t, 10*time.Second)
				msg, err := d.Header(t)
				if err != nil {
					t.Fatal(err)
				}
				text := findPart(leaves(t, msg.Header, msg.Body), "text/plain")
				if text == nil {
					t.Fatal("no text part")
				}
				link := regexp.MustCompile(regexp.QuoteMeta(testBaseURL) + `/me/([A-Za-z0-9_-]+)\.ics`).FindStringSubmatch(string(text.Body))
				if link == nil {
					t.Fatalf("the confirmation has no address-feed link:\n%s", text.Body)
				}
				links[link[1]] = true
			}
			if len(links) != 1 {
				t.Fatalf("the two confirmations link %d different feeds, want one for the address", len(links))
			}
			for token := range links {
				regs, err := models.FeedRegistrations(db.Read, token, time.Now().Add(-time.Hour))
				if err != nil || len(regs) != 2 {
					t.Fatalf("the mailed feed holds %d registrations (%v), want both of the address", len(regs), err)
				}
			}
			var feeds int64
			db.Model(&models.AttendeeFeed{}).Count(&feeds)
			if feeds != 1 {
				t.Fatalf("%d address feeds stored, want 1", feeds)
			}
		})
	}
}
