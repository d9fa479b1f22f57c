package layering

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ARNs are built by the functions of internal/arn: no other production file concatenates a string
// that starts with "arn:aws:" (a typo there would make a resource no policy matches).
func TestARNsAreBuiltInOnePlace(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Dir,GoFiles", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	fset := token.NewFileSet()
	files := 0
	for {
		var p struct {
			ImportPath, Dir string
			GoFiles         []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.ImportPath == module+"internal/arn" {
			continue
		}
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files++
			ast.Inspect(f, func(n ast.Node) bool {
				b, ok := n.(*ast.BinaryExpr)
				if !ok || b.Op != token.ADD {
					return true
				}
				for _, side := range []ast.Expr{b.X, b.Y} {
					lit, ok := side.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					if s, err := strconv.Unquote(lit.Value); err == nil && strings.HasPrefix(s, "arn:aws:") {
						t.Errorf("%s: builds an ARN by hand (%s…); use internal/arn", fset.Position(lit.Pos()), s)
					}
				}
				return true
			})
		}
	}
	if files < 50 {
		t.Fatalf("read only %d files", files)
	}
}
