package app

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// schemaObject is the part of a JSON Schema these tests read.
type schemaObject struct {
	Ref                  string                   `json:"$ref"`
	Type                 any                      `json:"type"`
	Properties           map[string]*schemaObject `json:"properties"`
	AdditionalProperties any                      `json:"additionalProperties"`
	Items                *schemaObject            `json:"items"`
	OneOf                []*schemaObject          `json:"oneOf"`
	AnyOf                []*schemaObject          `json:"anyOf"`
}

func loadSchemas(t *testing.T) map[string]*schemaObject {
	t.Helper()
	var doc struct {
		Components struct {
			Schemas map[string]*schemaObject `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas
}

// resolve follows a $ref to a component schema.
func resolve(schemas map[string]*schemaObject, s *schemaObject) *schemaObject {
	for s != nil && s.Ref != "" {
		s = schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	return s
}

// objectBranch is the object alternative of a oneOf/anyOf, or s itself.
func objectBranch(schemas map[string]*schemaObject, s *schemaObject) *schemaObject {
	for _, b := range append(s.OneOf, s.AnyOf...) {
		if b = resolve(schemas, b); b != nil && (b.Type == "object" || b.Properties != nil) {
			return b
		}
	}
	return s
}

// bodyStructs are the Go types decoded from request objects other than
// those the struct fields lead to: the object form of a host.
var bodyStructs = map[string]reflect.Type{"HostInput": reflect.TypeFor[hostObject]()}

// TestRequestBodiesMatchSchemas keeps every request body struct and its
// OpenAPI schema in step, nested objects included: each JSON field of the
// struct is a property of the schema and each property a field. And every
// object a request body may hold refuses properties it does not list (the
// free-form answers map apart), so a field added to a schema later is as
// strict as the rest.
func TestRequestBodiesMatchSchemas(t *testing.T) {
	schemas := loadSchemas(t)
	var compare func(path string, s *schemaObject, typ reflect.Type)
	compare = func(path string, s *schemaObject, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
			if s.Items != nil {
				s = resolve(schemas, s.Items)
			}
		}
		s = objectBranch(schemas, resolve(schemas, s))
		if typ.Kind() != reflect.Struct {
			return
		}
		if s.Type != "object" && s.Properties == nil {
			t.Errorf("%s: %s is read from a schema that is not an object", path, typ)
			return
		}
		if s.AdditionalProperties != false {
			t.Errorf("%s: the schema takes properties it does not list (additionalProperties is not false)", path)
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < typ.NumField(); i++ {
			name := strings.Split(typ.Field(i).Tag.Get("json"), ",")[0]
			if name == "" || name == "-" {
				t.Errorf("%s: field %s has no JSON name", path, typ.Field(i).Name)
				continue
			}
			fields[name] = typ.Field(i).Type
		}
		var names []string
		for name := range s.Properties {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			ft, ok := fields[name]
			if !ok {
				t.Errorf("%s: the schema has %q, which %s does not read", path, name, typ)
				continue
			}
			compare(path+"."+name, s.Properties[name], ft)
		}
		for name := range fields {
			if _, ok := s.Properties[name]; !ok {
				t.Errorf("%s: %s reads %q, which the schema does not list (so the server refuses it)", path, typ, name)
			}
		}
	}
	if len(requestBodies) < 4 {
		t.Fatalf("only %d request bodies", len(requestBodies))
	}
	for typ, spec := range requestBodies {
		s := schemas[spec.schema]
		if s == nil {
			t.Errorf("%s: no schema %s", typ, spec.schema)
			continue
		}
		if s.AdditionalProperties != false {
			t.Errorf("%s: additionalProperties is not false", spec.schema)
		}
		compare(spec.schema, s, typ)
	}
	for name, typ := range bodyStructs {
		compare(name, schemas[name], typ)
	}
}
