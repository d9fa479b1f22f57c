package simulate

import (
	"strings"

	"github.com/rootward/rootward/internal/policy"
)

// awsStatementStart returns where IAM says statement i of p starts. IAM's end position is just
// past the statement's closing brace, which is the engine's End too, but its start is where its
// parser stood before the statement: just past the previous statement, or for the first one just
// past the opening '[' of the Statement array, or past the '{' of a lone statement object. The
// AWS CLI examples show it: simulate-custom-policy with {"Version":"2012-10-17","Statement":{...}}
// reports StartPosition column 38 (one past the '{' at column 37) and EndPosition column 167 for a
// 166-character document; AdministratorAccess (two-space indentation) reports line 3 column 17,
// one past the '[' of `  "Statement": [`, to line 8 column 6; and consecutive statements of one
// policy start where the previous one ended (AdministratorAccess-Amplify: 333:4–361:4, 361:4–428:4).
func awsStatementStart(doc string, p *policy.Policy, i int) policy.Position {
	if i > 0 {
		_, end := p.StatementPosition(i - 1)
		return end
	}
	start, _ := p.StatementPosition(0)
	off, ok := byteOffset(doc, start)
	if !ok {
		return start
	}
	j := off - 1
	for j >= 0 && (doc[j] == ' ' || doc[j] == '\t' || doc[j] == '\r' || doc[j] == '\n') {
		j--
	}
	if j >= 0 && doc[j] == '[' {
		return bytePosition(doc, j+1)
	}
	return bytePosition(doc, off+1)
}

// byteOffset converts a 1-based line and byte column into a byte offset in doc.
func byteOffset(doc string, pos policy.Position) (int, bool) {
	lineStart := 0
	for line := 1; line < pos.Line; line++ {
		nl := strings.IndexByte(doc[lineStart:], '\n')
		if nl < 0 {
			return 0, false
		}
		lineStart += nl + 1
	}
	off := lineStart + pos.Column - 1
	if pos.Line < 1 || pos.Column < 1 || off > len(doc) {
		return 0, false
	}
	return off, true
}

// bytePosition is the 1-based line and byte column of offset off in doc, as the engine counts.
func bytePosition(doc string, off int) policy.Position {
	prefix := doc[:off]
	return policy.Position{Line: 1 + strings.Count(prefix, "\n"), Column: off - strings.LastIndexByte(prefix, '\n')}
}
