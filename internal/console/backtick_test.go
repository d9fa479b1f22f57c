package console_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Pages show text to people, not Markdown: no template, and no message in the packages whose
// strings reach a page (the console's own, the root-user service's, the password rules'), holds a
// backtick, which a browser shows as one. Raw string literals are code (patterns, JSON) and cannot
// hold a backtick anyway.
func TestNoMarkdownBackticks(t *testing.T) {
	templates, err := filepath.Glob("templates/*.html")
	if err != nil || len(templates) == 0 {
		t.Fatalf("templates: %v, %d files", err, len(templates))
	}
	for _, f := range templates {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "`") {
				t.Errorf("%s:%d shows a backtick: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
	for _, dir := range []string{".", "../rootuser", "../password", "../notify"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v, %d files", dir, err, len(files))
		}
		fset := token.NewFileSet()
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(lit.Value, `"`) && strings.Contains(lit.Value, "`") {
					t.Errorf("%s: a message holds a backtick: %s", fset.Position(lit.Pos()), lit.Value)
				}
				return true
			})
		}
	}
}
