package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHandlersLeaveQueriesToModels reads the HTTP layer's source: handlers
// parse, call models and render; a query written in a handler drifts from
// the rules in models (and tends to turn every error into "not found").
func TestHandlersLeaveQueriesToModels(t *testing.T) {
	query := regexp.MustCompile(`a\.(db|dbc\(c\))\.(DB|Read)(\.WithContext\([^)]*\))?\.(Where|Model|Raw|Take|First|Find|Preload|Joins|Select|Order|Create|Delete|Save|Clauses|Table|Pluck|Count|Updates?)\(`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if query.MatchString(line) {
				t.Errorf("%s:%d queries the database in a handler: put it behind a function in models\n\t%s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// TestHandlersUseTheRequestsDatabase reads the HTTP layer's source: every
// models call of a handler goes through a.dbc(c), the database on the
// request's context, so that a request's deadline reaches its queries. Only
// the middleware that makes that handle and the readiness check (which has
// a deadline of its own) use a.db itself.
func TestHandlersUseTheRequestsDatabase(t *testing.T) {
	direct := regexp.MustCompile(`\ba\.db\b`)
	allowed := map[string]bool{"app.go": true, "middleware.go": true, "ops.go": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || allowed[name] {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if direct.MatchString(line) {
				t.Errorf("%s:%d uses a.db: use a.dbc(c), the database on the request's context\n\t%s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
}
