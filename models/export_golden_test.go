package models_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"convene/models"
	"convene/models/modelstest"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestExportedRegistrationGolden holds the "registration" of a data
// export (ExportRegistration) to testdata/golden/exported_registration.json,
// byte for byte, over registrations in every state and with every field
// (go test ./models -run ExportedRegistrationGolden -update rewrites it).
func TestExportedRegistrationGolden(t *testing.T) {
	db := modelstest.Open(t)
	qs := []models.QuestionInput{{Key: "faith", Label: "Which community are you from?", Kind: models.QuestionShortText},
		{Key: "gone", Label: "A question removed later", Kind: models.QuestionShortText}}
	ev := newEvent(t, db, models.EventInput{Slug: sp("golden"), CapacitySet: true, Capacity: ip(4), Online: bp(true), OnlineCapacitySet: true,
		OnlineCapacity: ip(1), MaxGuests: ip(3), Questions: &qs})
	reg := func(email string, guests int, mode string, change func(*models.RegisterInput)) *models.Registration {
		t.Helper()
		in := input(email, guests, mode)
		if change != nil {
			change(&in)
		}
		res, err := models.Register(db.DB, tok, ev.ID, in, now)
		if err != nil {
			t.Fatalf("register %s: %v", email, err)
		}
		return res.Registration
	}
	full := reg("amira@example.org", 2, models.InPerson, func(in *models.RegisterInput) {
		in.Dietary, in.DietaryOther, in.AccessNeeds = models.DietOther, "Coeliac", "Step-free access"
		in.GuestDietary = []models.PersonDiet{{Dietary: "halal"}, {Dietary: models.DietOther, Other: "No nuts"}}
		in.Answers = map[string]string{"faith": "Muslim", "gone": "Kept after the question went"}
	})
	if _, err := models.CheckIn(db.DB, ev.ID, full.ID, 2, nil, now); err != nil {
		t.Fatal(err)
	}
	online := reg("li@example.org", 0, models.Online, nil)
	waiting := reg("dov@example.org", 0, models.Online, nil)
	cancelled := reg("grace@example.org", 0, models.InPerson, nil)
	if _, err := models.CancelRegistration(db.DB, cancelled.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	erased := reg("erased@example.org", 0, models.InPerson, func(in *models.RegisterInput) { in.Answers = map[string]string{"faith": "Christian"} })
	if _, err := models.EraseRegistration(db.DB, erased.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	// The second question goes: its answer stays, without its label.
	one := qs[:1]
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Questions: &one}, nil, now); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	for _, r := range []*models.Registration{full, online, waiting, cancelled, erased} {
		x, err := models.ExportRegistration(db.DB, r.ID, 30)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(x.Registration)
		if err != nil {
			t.Fatal(err)
		}
		got.Write(append(b, '\n'))
	}
	compareGolden(t, "exported_registration.json", got.Bytes())
}

// compareGolden compares got with testdata/golden/name, or rewrites it
// with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got: %s\nwant: %s", path, got, want)
	}
}
