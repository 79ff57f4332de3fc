package docscript_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/fleettest"
)

// kindTypes are the typed problem kinds users meet: validation's, the
// plan's render problems, and GitHub's errors in the Action.
var kindTypes = []struct{ file, typ string }{
	{"internal/site/errors.go", "Kind"},
	{"internal/chart/result.go", "ProblemKind"},
	{"internal/github/client.go", "ErrorKind"},
}

// TestTroubleshootingNamesEveryKind fails when a problem kind is added to
// the code without a row in docs/troubleshooting.md saying what it means
// and how to fix it.
func TestTroubleshootingNamesEveryKind(t *testing.T) {
	t.Parallel()
	root := fleettest.Root(t)
	page, err := os.ReadFile(filepath.Join(root, "docs", "troubleshooting.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, line := range strings.Split(string(page), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.Split(line, "|")[1]
		for _, part := range strings.Split(first, ",") {
			rows[strings.Trim(strings.TrimSpace(part), "`")] = true
		}
	}
	n := 0
	for _, k := range kindTypes {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, k.file), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				v := s.(*ast.ValueSpec)
				if id, ok := v.Type.(*ast.Ident); !ok || id.Name != k.typ || len(v.Values) != 1 {
					continue
				}
				lit, ok := v.Values[0].(*ast.BasicLit)
				if !ok {
					continue
				}
				kind, _ := strconv.Unquote(lit.Value)
				n++
				if !rows[kind] {
					t.Errorf("docs/troubleshooting.md has no row for the %s %q (%s)", k.typ, kind, k.file)
				}
			}
		}
	}
	if n < 50 {
		t.Errorf("found only %d problem kinds in the code: are the files and types right?", n)
	}
}
