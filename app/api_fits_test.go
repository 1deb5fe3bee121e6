package app

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// registrationValues are raw JSON values for each field of a registration
// body: the schema takes some and refuses others; edges included (lengths
// counted in characters, not bytes, whole numbers written as decimals,
// nulls, wrong types).
var registrationValues = map[string][]string{
	"name": {`"Amina"`, `""`, `" "`, `"` + strings.Repeat("é", 200) + `"`, `"` + strings.Repeat("é", 201) + `"`,
		`"` + strings.Repeat("a", 200) + `"`, `"` + strings.Repeat("a", 201) + `"`, `null`, `5`, `["Amina"]`, `"\u0000"`, `"\ud800"`},
	"email": {`"amina@example.org"`, `"not an address"`, `""`, `"` + strings.Repeat("a", 242) + `@example.org"`,
		`"` + strings.Repeat("a", 243) + `@example.org"`, `null`, `true`, `{"a":1}`},
	"guests":     {`0`, `1`, `50`, `51`, `-1`, `-0`, `1.0`, `1e1`, `2.5`, `1e400`, `"2"`, `null`, `true`, `9999999999999999999999`},
	"attendance": {`"in_person"`, `"online"`, `""`, `"In_Person"`, `null`, `1`},
	"answers": {`{}`, `{"q":"yes"}`, `{"q":true,"r":false}`, `{"q":3}`, `{"q":2.5e3}`, `{"q":1e400}`, `{"q":-0}`,
		`{"q":["a","b"]}`, `{"q":[]}`, `{"q":["a",1]}`, `{"q":[null]}`, `{"q":null}`, `{"q":{"x":1}}`, `null`, `[]`, `"q"`},
	"dietary":       {`""`, `"none"`, `"vegetarian"`, `"vegan"`, `"halal"`, `"kosher"`, `"other"`, `"Vegan"`, `"meat"`, `null`},
	"dietary_other": {`""`, `"no nuts"`, `"` + strings.Repeat("ü", 200) + `"`, `"` + strings.Repeat("ü", 201) + `"`, `null`, `0`},
	"access_needs":  {`""`, `"step-free"`, `"` + strings.Repeat("x", 2000) + `"`, `"` + strings.Repeat("x", 2001) + `"`, `null`, `[]`},
	"consent":       {`true`, `false`, `null`, `"true"`, `1`},
	"if_full":       {`"waitlist"`, `"reject"`, `""`, `"Reject"`, `null`, `false`},
	// Not fields of the schema: refused as unknown, whatever their case.
	"Name":    {`"Amina"`},
	"CONSENT": {`true`},
	"extra":   {`1`, `null`},
}

// checkFits reads raw with registrationFits and with the schema, and fails
// when registrationFits takes a body the schema refuses or reads it
// differently. It reports whether registrationFits took the body.
func checkFits(t *testing.T, a *App, raw string) bool {
	t.Helper()
	parse := func() map[string]any {
		doc, err := parseJSON([]byte(raw))
		if err != nil {
			return nil
		}
		obj, _ := doc.(map[string]any)
		return obj
	}
	obj := parse()
	if obj == nil {
		return false // decodeBody refuses it before either runs
	}
	var fast registrationBody
	if !registrationFits(obj, &fast) {
		if !reflect.DeepEqual(fast, registrationBody{}) {
			t.Errorf("registrationFits refused %s but changed its destination", raw)
		}
		return false
	}
	var slow registrationBody
	p, err := readBySchema(a.bodySchemas[reflect.TypeFor[registrationBody]()], []byte(raw), parse(), &slow)
	if err != nil || !p.none() {
		t.Errorf("registrationFits took %s, which the schema refuses: %v %v %v", raw, err, p.shape, p.limits)
		return true
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Errorf("%s read differently:\nfits:   %#v\nschema: %#v", raw, fast, slow)
	}
	return true
}

func bodyOf(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"` + k + `":` + fields[k])
	}
	b.WriteString("}")
	return b.String()
}

// TestRegistrationFitsMatchesSchema holds the Go reading of registration
// bodies to the schema: every value of every field, alone in an otherwise
// valid body, then random bodies mixing them, missing fields and duplicated
// keys included. It also checks that the common bodies do take the fast way.
func TestRegistrationFitsMatchesSchema(t *testing.T) {
	a := &App{}
	var err error
	if a.bodySchemas, err = compileBodySchemas(openAPI); err != nil {
		t.Fatal(err)
	}
	valid := map[string]string{"name": `"Amina"`, "email": `"amina@example.org"`, "consent": `true`}
	for _, body := range []string{
		`{"name":"Person 1","email":"p1@example.org","consent":true}`,
		`{"name":"Amina","email":"amina@example.org","guests":2,"attendance":"in_person","answers":{"q":"yes","n":3,"m":["a"],"c":true,"x":null},` +
			`"dietary":"halal","dietary_other":"","access_needs":"step-free","consent":true,"if_full":"reject"}`,
	} {
		if !checkFits(t, a, body) {
			t.Errorf("a common body took the slow way: %s", body)
		}
	}
	for field, values := range registrationValues {
		for _, v := range values {
			fields := map[string]string{}
			for k, x := range valid {
				fields[k] = x
			}
			fields[field] = v
			checkFits(t, a, bodyOf(fields))
			delete(fields, field)
			checkFits(t, a, bodyOf(fields))
		}
	}
	// Random mixtures, and a later duplicate key (the last one counts).
	rng := rand.New(rand.NewPCG(1, 2))
	names := make([]string, 0, len(registrationValues))
	for k := range registrationValues {
		names = append(names, k)
	}
	slices.Sort(names)
	took := 0
	for range 3000 {
		fields := map[string]string{}
		for _, k := range names {
			vs := registrationValues[k]
			switch unknown := strings.ToLower(k) != k || k == "extra"; {
			case unknown && rng.IntN(15) > 0, !unknown && rng.IntN(4) == 0:
				// left out
			case rng.IntN(2) == 0:
				fields[k] = vs[0] // the first value of each field fits
			default:
				fields[k] = vs[rng.IntN(len(vs))]
			}
		}
		body := bodyOf(fields)
		if rng.IntN(10) == 0 {
			vs := registrationValues["guests"]
			body = strings.TrimSuffix(body, "}") + `,"guests":` + vs[rng.IntN(len(vs))] + "}"
		}
		if checkFits(t, a, body) {
			took++
		}
	}
	if took < 50 {
		t.Errorf("registrationFits took only %d of 3000 random bodies: the test proves little", took)
	}
}

// FuzzRegistrationFits: whatever the body, registrationFits never takes
// what the schema refuses, and reads what it takes as the schema path does.
func FuzzRegistrationFits(f *testing.F) {
	f.Add(`{"name":"Person 1","email":"p1@example.org","consent":true}`)
	f.Add(`{"name":"A","email":"a@b.c","consent":true,"guests":1.0,"answers":{"q":[1]}}`)
	f.Add(`{"name":"A","email":"a@b.c","consent":true,"Guests":1}`)
	f.Fuzz(func(t *testing.T, raw string) {
		a := &App{}
		var err error
		if a.bodySchemas, err = compileBodySchemas(openAPI); err != nil {
			t.Fatal(err)
		}
		checkFits(t, a, raw)
	})
}
