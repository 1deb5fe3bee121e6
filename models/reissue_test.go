package models_test

import (
	"errors"
	"testing"

	"convene/models"
	"convene/models/modelstest"
)

// TestReissueAllocationCode: a new code for an allocation stops the old one
// (ErrCodeUnknown: the person registers in the public pool), keeps the
// places of those who registered through it, is recorded, and refuses an
// allocation of another event. On SQLite and PostgreSQL.
func TestReissueAllocationCode(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *models.DB{"sqlite": modelstest.Open, "postgres": modelstest.OpenPostgres} {
		t.Run(name, func(t *testing.T) { testReissueAllocationCode(t, open(t)) })
	}
}

func testReissueAllocationCode(t *testing.T, db *models.DB) {
	ev, a := allocEvent(t, db, 10, 4, nil)
	other, b := allocEvent(t, db, 10, 2, nil)
	via(t, db, a, "first@example.org", 1, now)
	oldCode := tok.AllocationCode(a)
	uid := uint(7)
	tests := []struct {
		name        string
		eventID, id uint
		want        error
	}{
		{"another event's allocation", ev.ID, b.ID, models.ErrNotFound},
		{"an unknown allocation", ev.ID, 99999, models.ErrNotFound},
		{"the event's own", ev.ID, a.ID, nil},
		{"again: another new code", ev.ID, a.ID, nil},
	}
	seen := map[string]bool{oldCode: true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := models.ReissueAllocationCode(db.DB, tt.eventID, tt.id, &uid, now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				if loadAlloc(t, db, b.ID).CodeNonce != b.CodeNonce {
					t.Error("a refused reissue changed the code")
				}
				return
			}
			stored := loadAlloc(t, db, a.ID)
			code := tok.AllocationCode(stored)
			if got.CodeNonce != stored.CodeNonce || seen[code] {
				t.Fatalf("code %q not new (answer's nonce %q, stored %q)", code, got.CodeNonce, stored.CodeNonce)
			}
			for c := range seen {
				if _, err := models.AllocationByCode(db.DB, tok, ev, c, now); !errors.Is(err, models.ErrCodeUnknown) {
					t.Errorf("an old code answers %v", err)
				}
			}
			seen[code] = true
			if _, err := models.AllocationByCode(db.DB, tok, ev, code, now); err != nil {
				t.Errorf("the new code: %v", err)
			}
			if stored.Taken != 2 || stored.Places != 4 || stored.Label != a.Label {
				t.Errorf("the allocation changed: %+v", stored)
			}
		})
	}
	if n := count(t, db, &models.Activity{}, "event_id = ? AND action = ? AND user_id = ?", ev.ID, "allocation_link_reissued", uid); n != 2 {
		t.Errorf("%d allocation_link_reissued entries, want 2", n)
	}
	if tok.AllocationCode(loadAlloc(t, db, b.ID)) != tok.AllocationCode(b) {
		t.Error("the other event's code changed")
	}
	checkEvent(t, db, ev.ID)
	checkEvent(t, db, other.ID)
}
