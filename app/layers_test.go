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
	query := regexp.MustCompile(`a\.db\.(DB|Read)(\.WithContext\([^)]*\))?\.(Where|Model|Raw|Take|First|Find|Preload|Joins|Select|Order|Create|Delete|Save|Clauses|Table|Pluck|Count|Updates?)\(`)
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
