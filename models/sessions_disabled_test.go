package models_test

import (
	"errors"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestNoRoleMeansNoAccess: an admin who takes away every role of an account
// ends its sessions and tokens and stops it signing in; a role lets it back.
func TestNoRoleMeansNoAccess(t *testing.T) {
	db := modelstest.Open(t)
	now := time.Now().UTC()
	admin, _, err := models.EnsureUser(db.DB, "admin@example.org", "Admin", true, "", feedNow)
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := models.EnsureUser(db.DB, "org@example.org", "Org", false, "a long enough password", feedNow)
	if err != nil {
		t.Fatal(err)
	}
	org := models.Organisation{Slug: "o", Name: "O"}
	db.Create(&org)
	if err := models.SetUserRoles(db.DB, u.ID, false, []uint{org.ID}, nil, &admin.ID, now); err != nil {
		t.Fatal(err)
	}
	token, _, _ := models.NewAPIToken(db.DB, u.ID, models.APITokenInput{Name: "t"}, feedNow)
	session, _ := models.CreateSession(db.DB, u.ID, now)
	if _, err := models.AuthenticateAPIToken(db.DB, token, now); err != nil {
		t.Fatalf("token before: %v", err)
	}
	if err := models.SetUserRoles(db.DB, u.ID, false, nil, nil, &admin.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.AuthenticateAPIToken(db.DB, token, now); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("token of a role-less account still works: %v", err)
	}
	if _, err := models.UserBySession(db.DB, session, now); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("session of a role-less account still works: %v", err)
	}
	if _, err := models.Authenticate(db.DB, "org@example.org", "a long enough password"); !errors.Is(err, models.ErrBadCredentials) {
		t.Fatalf("role-less account signs in: %v", err)
	}
	if err := models.SetUserRoles(db.DB, u.ID, false, []uint{org.ID}, nil, &admin.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Authenticate(db.DB, "org@example.org", "a long enough password"); err != nil {
		t.Fatalf("account with a role again cannot sign in: %v", err)
	}
}
