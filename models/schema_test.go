package models_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"convene/models"
	"convene/models/modelstest"
)

// dbSchema is a database's schema as sorted lines, one per column, index and
// constraint, in a form that two databases of the same dialect can be
// compared by: what a migration leaves behind, without the order of columns
// (an upgraded table has its newer columns last) or the text of the CREATE
// TABLE statement.
type dbSchema []string

func readSchema(t testing.TB, db *models.DB) dbSchema {
	t.Helper()
	var s dbSchema
	var err error
	if db.Postgres {
		s, err = postgresSchema(db.DB)
	} else {
		s, err = sqliteSchema(db.DB)
	}
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	sort.Strings(s)
	return s
}

var spaces = regexp.MustCompile(`\s+`)

// normSQL folds whitespace, quotes and case in a piece of SQL.
func normSQL(s string) string {
	s = strings.NewReplacer("`", "", `"`, "").Replace(s)
	s = spaces.ReplaceAllString(strings.TrimSpace(s), " ")
	s = strings.ReplaceAll(s, "( ", "(")
	s = strings.ReplaceAll(s, " )", ")")
	return strings.ToLower(s)
}

func sqliteSchema(db *gorm.DB) (dbSchema, error) {
	var out dbSchema
	var tables []string
	if err := db.Raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).Scan(&tables).Error; err != nil {
		return nil, err
	}
	for _, tbl := range tables {
		out = append(out, "table "+tbl)
		var cols []struct {
			Name      string
			Type      string
			NotNull   int
			DfltValue *string
			PK        int
		}
		if err := db.Raw(`SELECT name, type, "notnull" AS not_null, dflt_value, pk FROM pragma_table_info(?)`, tbl).Scan(&cols).Error; err != nil {
			return nil, err
		}
		for _, c := range cols {
			d := "-"
			if c.DfltValue != nil {
				d = normSQL(*c.DfltValue)
			}
			out = append(out, fmt.Sprintf("column %s.%s %s notnull=%d default=%s pk=%d", tbl, c.Name, strings.ToLower(c.Type), c.NotNull, d, c.PK))
		}
		var idxs []struct {
			Name    string
			Unique  int
			Origin  string
			Partial int
		}
		if err := db.Raw(`SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, tbl).Scan(&idxs).Error; err != nil {
			return nil, err
		}
		for _, ix := range idxs {
			var cols []string
			if err := db.Raw(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, ix.Name).Scan(&cols).Error; err != nil {
				return nil, err
			}
			where := ""
			if ix.Partial == 1 {
				var sql string
				if err := db.Raw(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, ix.Name).Scan(&sql).Error; err != nil {
					return nil, err
				}
				if i := strings.Index(strings.ToUpper(sql), " WHERE "); i >= 0 {
					where = " where " + normSQL(sql[i+7:])
				}
			}
			name := ix.Name
			if ix.Origin != "c" { // named by SQLite: sqlite_autoindex_<table>_<n>
				name = "(" + ix.Origin + ")"
			}
			out = append(out, fmt.Sprintf("index %s.%s unique=%d (%s)%s", tbl, name, ix.Unique, strings.Join(cols, ","), where))
		}
		var fks []struct {
			Table    string
			From     string
			To       string
			OnUpdate string
			OnDelete string
		}
		if err := db.Raw(`SELECT "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?)`, tbl).Scan(&fks).Error; err != nil {
			return nil, err
		}
		for _, fk := range fks {
			out = append(out, fmt.Sprintf("foreign key %s.%s -> %s.%s on update %s on delete %s", tbl, fk.From, fk.Table, fk.To, fk.OnUpdate, fk.OnDelete))
		}
	}
	return out, nil
}

func postgresSchema(db *gorm.DB) (dbSchema, error) {
	var out dbSchema
	var cols []struct {
		TableName     string
		ColumnName    string
		DataType      string
		CharMaxLength *int
		IsNullable    string
		ColumnDefault *string
	}
	if err := db.Raw(`SELECT table_name, column_name, data_type, character_maximum_length AS char_max_length,
			is_nullable, column_default
		FROM information_schema.columns WHERE table_schema = current_schema()`).Scan(&cols).Error; err != nil {
		return nil, err
	}
	tables := map[string]bool{}
	for _, c := range cols {
		tables[c.TableName] = true
		typ := c.DataType
		if c.CharMaxLength != nil {
			typ += fmt.Sprintf("(%d)", *c.CharMaxLength)
		}
		d := "-"
		if c.ColumnDefault != nil {
			d = normSQL(*c.ColumnDefault)
		}
		out = append(out, fmt.Sprintf("column %s.%s %s nullable=%s default=%s", c.TableName, c.ColumnName, typ, c.IsNullable, d))
	}
	for tbl := range tables {
		out = append(out, "table "+tbl)
	}
	var idxs []struct{ Indexname, Indexdef string }
	if err := db.Raw(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()`).Scan(&idxs).Error; err != nil {
		return nil, err
	}
	for _, ix := range idxs {
		out = append(out, "index "+pgArrayCasts(normSQL(ix.Indexdef)))
	}
	var cons []struct{ Table, Name, Def string }
	if err := db.Raw(`SELECT c.conrelid::regclass::text AS "table", c.conname AS name, pg_get_constraintdef(c.oid) AS def
		FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
		WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f', 'c')`).Scan(&cons).Error; err != nil {
		return nil, err
	}
	for _, c := range cons {
		out = append(out, fmt.Sprintf("constraint %s.%s %s", c.Table, c.Name, normSQL(c.Def)))
	}
	var seqs []string
	if err := db.Raw(`SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()`).Scan(&seqs).Error; err != nil {
		return nil, err
	}
	for _, s := range seqs {
		out = append(out, "sequence "+s)
	}
	return out, nil
}

var pgCastArray = regexp.MustCompile(`array\[((?:\('[^']*'::character varying\)::text(?:, )?)+)\]`)

// pgArrayCasts writes `status NOT IN ('a', 'b')` on a varchar column the one
// way: PostgreSQL stores it as <> ALL ((ARRAY['a'::character varying, …])::text[]),
// but reads that text back (from pg_dump, as a database made earlier was
// dumped) as <> ALL (ARRAY[('a'::character varying)::text, …]). Both mean
// the same.
func pgArrayCasts(def string) string {
	return pgCastArray.ReplaceAllStringFunc(def, func(m string) string {
		items := strings.Split(strings.TrimSuffix(strings.TrimPrefix(m, "array["), "]"), ", ")
		for i, it := range items {
			items[i] = strings.TrimSuffix(strings.TrimPrefix(it, "("), ")::text")
		}
		return "(array[" + strings.Join(items, ", ") + "])::text[]"
	})
}

// diffSchemas lists the lines only in a and only in b.
func diffSchemas(a, b dbSchema) string {
	in := func(s dbSchema) map[string]bool {
		m := map[string]bool{}
		for _, l := range s {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var d []string
	for _, l := range a {
		if !mb[l] {
			d = append(d, "- "+l)
		}
	}
	for _, l := range b {
		if !ma[l] {
			d = append(d, "+ "+l)
		}
	}
	return strings.Join(d, "\n")
}

// gormModels are every struct that GORM reads and writes; rawTables are the
// tables only raw SQL touches.
var (
	gormModels = []any{
		&models.SchemaMigration{}, &models.Organisation{}, &models.Series{}, &models.Event{}, &models.EventHost{},
		&models.Question{}, &models.Registration{}, &models.User{}, &models.Membership{}, &models.APIToken{},
		&models.Activity{}, &models.OutboxMail{}, &models.AttendeeFeed{}, &models.Session{},
		&models.PasswordToken{}, &models.DoorAssignment{}, &models.Anniversary{}, &models.CalendarFeed{}, &models.CateringTally{},
		&models.CoverImage{}, &models.Allocation{},
	}
	rawTables = map[string]bool{"heartbeats": true, "feed_changes": true}
)

// TestModelsMatchSchema: the GORM structs and the migrated schema agree, on
// both dialects: every field is a column of the type, nullability, length
// and default the struct declares, every column is a field, every index a
// struct declares exists (unique when declared so), and every table has a
// struct (or is in rawTables). A field added without a migration, or a
// migration that forgot a tag, fails here rather than in production.
func TestModelsMatchSchema(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			var db *models.DB
			if dialect == "postgres" {
				db = modelstest.OpenPostgres(t)
			} else {
				db = modelstest.Open(t)
			}
			tables, err := db.Migrator().GetTables()
			if err != nil {
				t.Fatal(err)
			}
			covered := map[string]bool{}
			for _, m := range gormModels {
				s, err := schema.Parse(m, &sync.Map{}, db.NamingStrategy)
				if err != nil {
					t.Fatal(err)
				}
				covered[s.Table] = true
				checkModel(t, db, m, s)
			}
			for _, tbl := range tables {
				if !covered[tbl] && !rawTables[tbl] && !strings.HasPrefix(tbl, "sqlite_") {
					t.Errorf("table %s has no GORM model in gormModels (nor is it in rawTables)", tbl)
				}
			}
		})
	}
}

func checkModel(t *testing.T, db *models.DB, m any, s *schema.Schema) {
	t.Helper()
	cols, err := db.Migrator().ColumnTypes(m)
	if err != nil || len(cols) == 0 {
		t.Errorf("%s: no table (%v)", s.Table, err)
		return
	}
	byName := map[string]gorm.ColumnType{}
	for _, c := range cols {
		byName[c.Name()] = c
	}
	for _, f := range s.Fields {
		if f.DBName == "" || f.IgnoreMigration {
			continue
		}
		c, ok := byName[f.DBName]
		if !ok {
			t.Errorf("%s.%s: the struct %s declares it, the migrated schema lacks it", s.Table, f.DBName, s.Name)
			continue
		}
		delete(byName, f.DBName)
		want := normType(db.Dialector.DataTypeOf(f))
		if got := normType(c.DatabaseTypeName()).name; got != want.name {
			t.Errorf("%s.%s: type %s in the schema, %s in the struct", s.Table, f.DBName, got, want.name)
		}
		if n, ok := c.Length(); ok && want.length > 0 && n != want.length {
			t.Errorf("%s.%s: length %d in the schema, %d in the struct", s.Table, f.DBName, n, want.length)
		}
		if f.PrimaryKey {
			continue
		}
		if nullable, ok := c.Nullable(); ok && nullable == f.NotNull {
			t.Errorf("%s.%s: nullable=%v in the schema, not null=%v in the struct", s.Table, f.DBName, nullable, f.NotNull)
		}
		dv, hasDefault := c.DefaultValue()
		wantDefault := f.HasDefaultValue && f.DefaultValue != ""
		switch {
		case hasDefault != wantDefault:
			t.Errorf("%s.%s: default %q in the schema, %q in the struct", s.Table, f.DBName, dv, f.DefaultValue)
		case wantDefault && normDefault(dv) != normDefault(f.DefaultValue):
			t.Errorf("%s.%s: default %q in the schema, %q in the struct", s.Table, f.DBName, dv, f.DefaultValue)
		}
	}
	for name := range byName {
		t.Errorf("%s.%s: in the migrated schema, not in the struct %s", s.Table, name, s.Name)
	}
	for _, idx := range s.ParseIndexes() {
		if !db.Migrator().HasIndex(m, idx.Name) {
			t.Errorf("%s: the struct declares index %s, the schema lacks it", s.Table, idx.Name)
			continue
		}
		unique := idx.Class == "UNIQUE"
		if ok := indexUnique(t, db, s.Table, idx.Name); ok != unique {
			t.Errorf("%s: index %s unique=%v in the schema, %v in the struct", s.Table, idx.Name, ok, unique)
		}
	}
}

type colType struct {
	name   string
	length int64
}

// normType names a column type the same way on both sides: what GORM
// declares (bigint, varchar(80), boolean…) and what the database reports
// (int8, varchar with a length, bool…).
func normType(s string) colType {
	s = strings.ToLower(strings.TrimSpace(s))
	s, _, _ = strings.Cut(s, " primary key") // SQLite's "integer PRIMARY KEY AUTOINCREMENT"
	var ct colType
	if i := strings.IndexByte(s, '('); i >= 0 {
		fmt.Sscanf(s[i:], "(%d)", &ct.length)
		s = s[:i]
	}
	switch s {
	case "bigint", "bigserial", "int8":
		s = "int8"
	case "boolean", "bool":
		s = "bool"
	case "decimal", "numeric":
		s = "numeric"
	case "character varying", "varchar":
		s = "varchar"
	case "timestamp with time zone", "timestamptz":
		s = "timestamptz"
	}
	ct.name = s
	return ct
}

func normDefault(s string) string {
	if i := strings.Index(s, "::"); i >= 0 {
		s = s[:i]
	}
	return strings.Trim(s, `'"`)
}

func indexUnique(t *testing.T, db *models.DB, table, name string) bool {
	t.Helper()
	var unique bool
	q := `SELECT "unique" <> 0 FROM pragma_index_list(?) WHERE name = ?`
	args := []any{table, name}
	if db.Postgres {
		q = `SELECT indisunique FROM pg_index WHERE indexrelid = ?::regclass`
		args = []any{name}
	}
	if err := db.Raw(q, args...).Scan(&unique).Error; err != nil {
		t.Fatal(err)
	}
	return unique
}
