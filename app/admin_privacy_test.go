package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"convene/models"
)

// TestAdminPrivacyRequest: an admin finds what is held about an address,
// downloads it and erases it after a confirmation; the audit log names the
// address only by its digest.
func TestAdminPrivacyRequest(t *testing.T) {
	f := newFixture(t, nil)
	admin := func(path string, form url.Values) (*http.Response, string) {
		method := http.MethodPost
		if form == nil {
			method = http.MethodGet
		}
		res := f.do(request{method: method, path: path, role: roleAdmin, form: form})
		return res, readBody(t, res)
	}
	amira := f.reg.Email // amira.haddad@example.net: 3 places, the event full
	if res, page := admin("/admin/privacy", nil); res.StatusCode != 200 || !strings.Contains(page, `name="email"`) {
		t.Fatalf("privacy page: %d", res.StatusCode)
	}
	for _, bad := range []string{"", "not an address"} {
		res, page := admin("/admin/privacy", url.Values{"email": {bad}})
		if res.StatusCode != 422 || !strings.Contains(page, `href="#email"`) || !strings.Contains(page, `value="`+bad+`"`) {
			t.Errorf("find %q: %d", bad, res.StatusCode)
		}
	}
	res, page := admin("/admin/privacy", url.Values{"email": {"  " + strings.ToUpper(amira) + " "}})
	for _, want := range []string{"Held about " + amira, "Solidarity Iftar", "Download as JSON", `name="confirm"`} {
		if res.StatusCode != 200 || !strings.Contains(page, want) {
			t.Errorf("find: %d, page lacks %q", res.StatusCode, want)
		}
	}
	if strings.Contains(page, f.waiting.Email) {
		t.Error("the page shows another registrant")
	}

	res, js := admin("/admin/privacy/export", url.Values{"email": {amira}})
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || strings.Contains(res.Header.Get("Content-Disposition"), "amira") {
		t.Fatalf("export: %d %v", res.StatusCode, res.Header)
	}
	var doc struct {
		Data models.AddressExport `json:"data"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Data.Registrations) != 1 || doc.Data.Registrations[0].Registration.Dietary != "halal" || strings.Contains(js, f.waiting.Email) {
		t.Errorf("export: %s", js)
	}

	res, page = admin("/admin/privacy/erase", url.Values{"email": {amira}})
	if res.StatusCode != 422 || !strings.Contains(page, "Tick the box") || models.NormaliseEmail(must(models.RegistrationByID(f.db.DB, f.reg.ID)).Email) != amira {
		t.Fatalf("erase without confirming: %d", res.StatusCode)
	}
	res, page = admin("/admin/privacy/erase", url.Values{"email": {amira}, "confirm": {"yes"}})
	if res.StatusCode != 200 || !strings.Contains(page, "Erased 1 registration:") {
		t.Fatalf("erase: %d %s", res.StatusCode, page)
	}
	if s := must(models.RegistrationByID(f.db.DB, f.waiting.ID)).Status; s != models.RegConfirmed {
		t.Errorf("the waiting registrant was not promoted: %s", s)
	}
	if r := must(models.RegistrationByID(f.db.DB, f.reg.ID)); r.PurgedAt == nil || r.Email == amira {
		t.Errorf("not erased: %+v", r)
	}
	res, page = admin("/admin/privacy", url.Values{"email": {amira}})
	if res.StatusCode != 200 || !strings.Contains(page, "Nothing: no registration") {
		t.Errorf("find after erasing: %d", res.StatusCode)
	}

	digest := models.AddressDigest(f.app.tok, amira)
	var entries []models.Activity
	f.db.Where("action IN ?", []string{"privacy_exported", "privacy_erased"}).Order("id").Find(&entries)
	if len(entries) != 2 || entries[0].Detail != "address "+digest || entries[1].Detail != "address "+digest+": 1 registration erased" {
		t.Errorf("audit entries %+v", entries)
	}
	_, audit := admin("/admin/audit", nil)
	if strings.Contains(audit, "amira") || !strings.Contains(audit, digest) {
		t.Error("the audit log shows the address, or not its digest")
	}
}

// TestAnswersRetentionSetting: the editor and the API set how many days
// after the event answers are kept; bad input is refused with the field.
func TestAnswersRetentionSetting(t *testing.T) {
	for _, tc := range []struct {
		typed string
		want  int // -1: refused
	}{{"3", 3}, {"0", 0}, {"365", 365}, {"", 7}, {"-1", -1}, {"366", -1}, {"seven", -1}} {
		t.Run("editor "+tc.typed, func(t *testing.T) {
			f := newFixture(t, nil)
			form := editorForm(t, f, "iftar")
			form.Set("answers_retention_days", tc.typed)
			res := f.do(request{method: "POST", path: "/admin/events/iftar/edit", role: roleOrganiser, form: form})
			body := readBody(t, res)
			ev := must(models.FindEvent(f.db.DB, "iftar"))
			if tc.want < 0 {
				if res.StatusCode != 422 || !strings.Contains(body, `href="#answers_retention_days"`) || !strings.Contains(body, `value="`+tc.typed+`"`) || ev.AnswersRetentionDays != 7 {
					t.Fatalf("refused input: %d, stored %d", res.StatusCode, ev.AnswersRetentionDays)
				}
				return
			}
			if res.StatusCode != http.StatusSeeOther || ev.AnswersRetentionDays != tc.want {
				t.Fatalf("save: %d, stored %d, want %d", res.StatusCode, ev.AnswersRetentionDays, tc.want)
			}
			res = f.do(request{method: "GET", path: "/admin/events/iftar/edit", role: roleOrganiser})
			if body := readBody(t, res); !strings.Contains(body, `name="answers_retention_days" type="number" value="`+strconv.Itoa(tc.want)+`"`) {
				t.Errorf("the editor does not show the setting")
			}
		})
	}
	for _, tc := range []struct {
		body   string
		status int
		want   int
	}{{`{"answers_retention_days": 0}`, 200, 0}, {`{"answers_retention_days": 30}`, 200, 30}, {`{"answers_retention_days": 366}`, 422, 7},
		{`{"answers_retention_days": -2}`, 422, 7}, {`{"answers_retention_days": "7"}`, 422, 7}} {
		t.Run("api "+tc.body, func(t *testing.T) {
			f := newFixture(t, nil)
			res := f.do(request{method: "PATCH", path: "/api/v1/events/iftar", role: roleOrganiser, bearer: true, json: tc.body})
			body := readBody(t, res)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, body)
			}
			if tc.status == 422 && !strings.Contains(body, `"answers_retention_days"`) {
				t.Errorf("the problem does not name the field: %s", body)
			}
			res = f.do(request{method: "GET", path: "/api/v1/events/iftar"})
			var ev map[string]any
			if err := json.Unmarshal([]byte(readBody(t, res)), &ev); err != nil || ev["answers_retention_days"] != float64(tc.want) {
				t.Errorf("event shows answers_retention_days %v, want %d", ev["answers_retention_days"], tc.want)
			}
		})
	}
}
