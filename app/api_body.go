package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"gorm.io/gorm"

	"convene/models"
)

// requestBodies names the OpenAPI schema (components/schemas in openapi.json)
// of every type a JSON body is decoded into. decodeBody holds each body to
// its schema, so what the document says is what the server does: a field
// added to a struct but not to its schema is refused as unknown, and
// TestRequestBodiesMatchSchemas keeps struct and schema in step.
var requestBodies = map[reflect.Type]bodySpec{
	reflect.TypeFor[eventBody]():            {schema: "EventInput"},
	reflect.TypeFor[registrationBody]():     {schema: "RegistrationInput", fits: registrationFits},
	reflect.TypeFor[registrationPatch]():    {schema: "RegistrationPatch"},
	reflect.TypeFor[calendarSettingsBody](): {schema: "OrganisationCalendarPatch"},
	reflect.TypeFor[noBody]():               {schema: "NoBody", optional: true},
	reflect.TypeFor[checkInBody]():          {schema: "CheckInInput", optional: true},
}

// bodySpec is the schema of a body, and whether it may be left out.
type bodySpec struct {
	schema   string
	optional bool
	// fits, when set, reads a body that certainly fits the schema straight
	// into dst, as json.Unmarshal would, and reports true; for any other
	// body it leaves dst alone and reports false, and the schema decides.
	// It spares the hottest route (a registration) the validator and a
	// second parse; a test holds it to the schema (api_fits_test.go).
	fits func(obj map[string]any, dst any) bool
}

// noBody is the body of an operation that takes none: nothing, or {}.
type noBody struct{}

// schemaBase is the address the OpenAPI document is compiled under; it is
// never fetched.
const schemaBase = "https://convene.invalid/api/v1/openapi.json"

// compileBodySchemas compiles the schema of every request body from the
// OpenAPI document.
func compileBodySchemas(doc []byte) (map[reflect.Type]*jsonschema.Schema, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("app: openapi.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(schemaBase, v); err != nil {
		return nil, fmt.Errorf("app: openapi.json: %w", err)
	}
	out := map[reflect.Type]*jsonschema.Schema{}
	for t, spec := range requestBodies {
		s, err := c.Compile(schemaBase + "#/components/schemas/" + spec.schema)
		if err != nil {
			return nil, fmt.Errorf("app: openapi.json: schema %s: %w", spec.schema, err)
		}
		out[t] = s
	}
	return out, nil
}

// bodyProblems is what a body's schema finds wrong with its fields, by
// field name (nested fields joined with dots: venue.latitude, hosts.0).
// Shape problems (an unknown field, a wrong type, a null) stop a value being
// read at all; limits (length, range, choice, a required field) are values
// the business rules usually describe better.
type bodyProblems struct {
	shape, limits map[string]string
	unreadable    [][]string // where the shape problems are, to leave out
}

func (p *bodyProblems) addShape(loc []string, msg string) {
	if p.shape == nil {
		p.shape = map[string]string{}
	}
	if _, ok := p.shape[field(loc)]; !ok {
		p.shape[field(loc)] = msg
		p.unreadable = append(p.unreadable, loc)
	}
}

func (p *bodyProblems) addLimit(loc []string, msg string) {
	if p.limits == nil {
		p.limits = map[string]string{}
	}
	if _, ok := p.limits[field(loc)]; !ok {
		p.limits[field(loc)] = msg
	}
}

func (p bodyProblems) none() bool { return len(p.shape) == 0 && len(p.limits) == 0 }

func field(loc []string) string { return strings.Join(loc, ".") }

// decodeBody reads the JSON body into dst (a pointer to one of
// requestBodies), holding it to its OpenAPI schema. The error is for a body
// that cannot be read at all (400, 413, 415); problems with its fields come
// back as bodyProblems, with dst filled from the fields that could be read,
// so that the caller can name every problem at once (see refuse).
func (a *App) decodeBody(c *fiber.Ctx, dst any) (bodyProblems, error) {
	t := reflect.TypeOf(dst).Elem()
	spec, sch := requestBodies[t], a.bodySchemas[t]
	if sch == nil {
		return bodyProblems{}, fmt.Errorf("app: no request schema for %s", t)
	}
	raw := c.Body()
	if spec.optional && len(bytes.TrimSpace(raw)) == 0 {
		return bodyProblems{}, nil
	}
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return bodyProblems{}, fiber.NewError(fiber.StatusUnsupportedMediaType, "Send the body as application/json.")
	}
	doc, err := parseJSON(raw)
	if err != nil {
		return bodyProblems{}, fiber.NewError(fiber.StatusBadRequest, err.Error())
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return bodyProblems{}, fiber.NewError(fiber.StatusBadRequest, "The body must be one JSON object, {…}.")
	}
	if spec.fits != nil && spec.fits(obj, dst) {
		return bodyProblems{}, nil
	}
	return readBySchema(sch, raw, obj, dst)
}

// readBySchema holds obj (raw, parsed by parseJSON) to sch and reads it
// into dst: decodeBody past the parsing. It may change obj.
func readBySchema(sch *jsonschema.Schema, raw []byte, obj map[string]any, dst any) (bodyProblems, error) {
	var p bodyProblems
	if err := sch.Validate(obj); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return p, err
		}
		collect(ve, &p)
	}
	if p.none() && json.Unmarshal(raw, dst) == nil {
		return p, nil
	}
	// Leave out what cannot be read, and write numbers as Go reads them
	// (the schema takes 1e2 and 1.0 as whole numbers, Go's int does not).
	for _, loc := range p.unreadable {
		drop(obj, loc)
	}
	b, err := json.Marshal(canonical(obj))
	if err == nil {
		reflect.ValueOf(dst).Elem().SetZero()
		err = json.Unmarshal(b, dst)
	}
	if err != nil && p.none() {
		return p, fiber.NewError(fiber.StatusBadRequest, "The body could not be read.")
	}
	return p, nil
}

// takeNoBody refuses a body with fields for an operation that takes none.
func (a *App) takeNoBody(c *fiber.Ctx) error {
	p, err := a.decodeBody(c, &noBody{})
	if err != nil || p.none() {
		return err
	}
	return refuse(p, nil, nil)
}

// parseJSON reads one JSON value, numbers kept exact, with a message a
// client can act on when it is not valid JSON.
func parseJSON(raw []byte) (any, error) {
	if !utf8.Valid(raw) {
		return nil, errors.New("The body is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("The body is not valid JSON: %s (at byte %d).", se.Error(), se.Offset)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, errors.New("The body is not valid JSON: it ends too soon.")
		}
		return nil, errors.New("The body is not valid JSON.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("The body must hold one JSON object and nothing after it.")
	}
	return v, nil
}

// collect turns the schema's findings into field messages.
func collect(e *jsonschema.ValidationError, p *bodyProblems) {
	loc := e.InstanceLocation
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			p.addShape(append(slices.Clip(loc), name), fmt.Sprintf("Unknown field %q: this operation does not take it", name))
		}
		return
	case *kind.Type:
		p.addShape(loc, typeMessage(k.Got, k.Want))
		return
	case *kind.Required:
		for _, name := range k.Missing {
			p.addLimit(append(slices.Clip(loc), name), "This field is required")
		}
		return
	case *kind.OneOf, *kind.AnyOf:
		// None of the alternatives fits. Report on the one whose type
		// the value has; if none has it, the value's type is wrong.
		var wants []string
		for _, branch := range e.Causes {
			te := typeErrorAt(branch, loc)
			if te == nil {
				collect(branch, p)
				return
			}
			wants = append(wants, te.Want...)
		}
		if len(e.Causes) > 0 {
			p.addShape(loc, typeMessage(gotOf(e, loc), wants))
			return
		}
	}
	if len(e.Causes) > 0 {
		for _, cause := range e.Causes {
			collect(cause, p)
		}
		return
	}
	p.addLimit(loc, limitMessage(e.ErrorKind))
}

// typeErrorAt finds a wrong type at exactly loc in e, looking through
// references and groups at that place.
func typeErrorAt(e *jsonschema.ValidationError, loc []string) *kind.Type {
	if !slices.Equal(e.InstanceLocation, loc) {
		return nil
	}
	if te, ok := e.ErrorKind.(*kind.Type); ok {
		return te
	}
	for _, c := range e.Causes {
		if te := typeErrorAt(c, loc); te != nil {
			return te
		}
	}
	return nil
}

// gotOf is the JSON type of the value at loc, as a type error there says.
func gotOf(e *jsonschema.ValidationError, loc []string) string {
	for _, c := range e.Causes {
		if te := typeErrorAt(c, loc); te != nil {
			return te.Got
		}
	}
	return ""
}

// jsonTypes names JSON Schema types for people.
var jsonTypes = map[string]string{
	"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
	"object": "an object", "array": "a list", "null": "null",
}

func typeMessage(got string, want []string) string {
	var names []string
	for _, w := range want {
		if n := jsonTypes[w]; n != "" && w != "null" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if slices.Contains(want, "null") {
		names = append(names, "null")
	}
	expected := strings.Join(names, " or ")
	if got == "null" {
		return "Cannot be null: send " + expected
	}
	if n := jsonTypes[got]; n != "" {
		return "Expected " + expected + ", not " + n
	}
	return "Expected " + expected
}

func limitMessage(k jsonschema.ErrorKind) string {
	num := func(r *big.Rat) string { return r.RatString() }
	switch k := k.(type) {
	case *kind.MaxLength:
		return fmt.Sprintf("Use at most %d characters (this has %d)", k.Want, k.Got)
	case *kind.MinLength:
		if k.Want == 1 {
			return "Cannot be empty"
		}
		return fmt.Sprintf("Use at least %d characters", k.Want)
	case *kind.Minimum:
		return "Must be at least " + num(k.Want)
	case *kind.Maximum:
		return "Must be at most " + num(k.Want)
	case *kind.ExclusiveMinimum:
		return "Must be more than " + num(k.Want)
	case *kind.ExclusiveMaximum:
		return "Must be less than " + num(k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("Give at least %d", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("Give at most %d", k.Want)
	case *kind.Enum:
		var choices []string
		for _, w := range k.Want {
			if s, ok := w.(string); ok {
				choices = append(choices, fmt.Sprintf("%q", s))
			} else {
				choices = append(choices, fmt.Sprint(w))
			}
		}
		return "Use one of " + strings.Join(choices, ", ")
	case *kind.Pattern:
		return "Not in the expected form (" + k.Want + ")"
	case *kind.Format:
		return "Not a valid " + k.Want
	}
	return "Not allowed here"
}

// drop removes the value at loc: an object's member, or a list item made
// null (so that the items after it keep their numbers).
func drop(v any, loc []string) {
	if len(loc) == 0 {
		return
	}
	for _, key := range loc[:len(loc)-1] {
		switch x := v.(type) {
		case map[string]any:
			v = x[key]
		case []any:
			i, err := strconvIndex(key, len(x))
			if err != nil {
				return
			}
			v = x[i]
		default:
			return
		}
	}
	last := loc[len(loc)-1]
	switch x := v.(type) {
	case map[string]any:
		delete(x, last)
	case []any:
		if i, err := strconvIndex(last, len(x)); err == nil {
			x[i] = nil
		}
	}
}

func strconvIndex(s string, n int) (int, error) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= n {
		return 0, errors.New("no such item")
	}
	return i, nil
}

// canonical writes whole numbers without fraction or exponent.
func canonical(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = canonical(e)
		}
	case []any:
		for i, e := range x {
			x[i] = canonical(e)
		}
	case json.Number:
		if r, ok := new(big.Rat).SetString(string(x)); ok && r.IsInt() {
			return json.Number(r.Num().String())
		}
	}
	return v
}

// refuse answers a request whose body has problems with all of them at
// once: the body's shape, then what the handler found in the values it read
// (found), then what the business rules say of them (check, which must
// change nothing; see dryRun), then the schema's limits for fields nobody
// else named. Rules that refuse in other ways (not found, full) wait until
// the body is right.
func refuse(p bodyProblems, found error, check func() error) error {
	v := &models.ValidationError{}
	for k, m := range p.shape {
		v.Add(k, m)
	}
	if err := addFields(v, found); err != nil {
		return err
	}
	if check != nil {
		_ = addFields(v, check())
	}
	for k, m := range p.limits {
		v.Add(k, m)
	}
	return v.Err()
}

// addFields adds the field messages of err (any error whose problem names
// fields: invalid values, hosts, capacity, places) to v; it returns err
// when it names none.
func addFields(v *models.ValidationError, err error) error {
	if err == nil {
		return nil
	}
	p, _ := problemOf(err)
	if len(p.Errors) == 0 {
		return err
	}
	for k, m := range p.Errors {
		v.Add(k, m)
	}
	return nil
}

// errDryRun rolls a dry run back.
var errDryRun = errors.New("dry run")

// dryRun makes a check of a change: the change runs in a transaction that
// is always rolled back, so the business rules can name what is wrong with
// a request that is refused anyway.
func (a *App) dryRun(c *fiber.Ctx, change func(tx *gorm.DB) error) func() error {
	return func() error {
		var out error
		_ = a.dbc(c).DB.Transaction(func(tx *gorm.DB) error {
			out = change(tx)
			return errDryRun
		})
		return out
	}
}
