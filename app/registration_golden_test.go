package app

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"convene/models"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestRegistrationJSONGolden holds registrationJSON, the registration of
// the API (GET /registrations/{token} and the organisers' list), to
// testdata/golden/registration_json.json, byte for byte, over registrations
// in every state and with every field (go test ./app -run
// RegistrationJSONGolden -update rewrites it).
func TestRegistrationJSONGolden(t *testing.T) {
	at := time.Date(2026, 11, 2, 12, 0, 0, 0, time.FixedZone("BST", 3600))
	later := at.Add(90 * time.Minute)
	alloc := uint(5)
	ev := &models.Event{ID: 1, Slug: "iftar"}
	base := func(id uint, status, mode string) models.Registration {
		return models.Registration{ID: id, EventID: 1, Name: "Person " + status, Email: status + "@example.org", Attendance: mode,
			Status: status, Answers: "{}", GuestDietary: "[]", CreatedAt: at, UpdatedAt: later}
	}
	full := base(1, models.RegConfirmed, models.InPerson)
	full.Guests, full.Dietary, full.DietaryOther, full.AccessNeeds = 2, models.DietOther, "Coeliac", "Step-free access"
	full.GuestDietary = `[{"dietary":"halal"},{"dietary":"other","dietary_other":"No nuts"}]`
	full.Answers = `{"how":"A friend","faith":"Muslim"}`
	full.CheckedInAt, full.CheckedInPeople, full.AllocationID = &later, 2, &alloc
	waiting := base(2, models.RegWaitlisted, models.Online)
	waiting.Answers = "null" // stored before migration 20
	cancelled := base(3, models.RegCancelled, models.InPerson)
	cancelled.Guests = 1
	erased := base(4, models.RegConfirmed, models.InPerson)
	erased.Name, erased.Email, erased.PurgedAt = "", "", &later
	pending := base(5, models.RegPending, models.InPerson)
	var got bytes.Buffer
	for _, c := range []struct {
		r   models.Registration
		pos int
	}{{full, 0}, {waiting, 3}, {cancelled, 0}, {erased, 0}, {pending, 0}} {
		b, err := json.Marshal(registrationJSON(&c.r, ev, c.pos))
		if err != nil {
			t.Fatal(err)
		}
		got.Write(append(b, '\n'))
	}
	path := filepath.Join("testdata", "golden", "registration_json.json")
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("%s differs:\n got: %s\nwant: %s", path, got.Bytes(), want)
	}
}
