package main

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/compliance/rollup"
)

// auditRow is one check's outcome for one account, the row of every output format.
type auditRow = rollup.Row

// auditWriters are the output formats of `rootward audit --format`.
var auditWriters = map[string]func(io.Writer, []auditRow) error{
	"table": writeAuditTable,
	"json":  writeAuditJSON,
	"csv":   writeAuditCSV,
	"junit": writeAuditJUnit,
}

func writeAuditJSON(w io.Writer, rows []auditRow) error {
	if rows == nil {
		rows = []auditRow{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // a terminal or a script reads it, not a browser
	return enc.Encode(struct {
		Checks []auditRow `json:"checks"`
	}{rows})
}

func writeAuditCSV(w io.Writer, rows []auditRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id", "title", "account", "status", "evidence", "remediation"}); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{r.ID, r.Title, r.Account, r.Status, r.Evidence, r.Remediation}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeAuditTable prints check, account, status, evidence and the fix, one row per check and
// account.
func writeAuditTable(w io.Writer, rows []auditRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tACCOUNT\tSTATUS\tEVIDENCE\tFIX")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Account, r.Status, tableCell(r.Evidence), tableCell(r.Remediation))
	}
	return tw.Flush()
}

// tableCell keeps a cell on one line, free of the tab writer's separators and of control
// characters: evidence quotes what the audited endpoint answered, and a terminal must not take
// an escape sequence from it.
func tableCell(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// The JUnit XML of the audit: a test suite per account, a test case per check (classname the
// account, name the check), failure for FAILED, error for ERROR, skipped for NOT_APPLICABLE — the
// shape CI systems read (Jenkins, GitLab, GitHub Actions' reporters).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func writeAuditJUnit(w io.Writer, rows []auditRow) error {
	all := junitSuites{Name: "rootward audit"}
	index := map[string]int{}
	for _, r := range rows {
		i, ok := index[r.Account]
		if !ok {
			i = len(all.Suites)
			index[r.Account] = i
			all.Suites = append(all.Suites, junitSuite{Name: "account " + r.Account})
		}
		s := &all.Suites[i]
		c := junitCase{ClassName: r.Account, Name: r.ID + ": " + r.Title}
		problem := &junitProblem{Message: r.Evidence, Type: r.Status, Text: r.Remediation}
		switch compliance.Status(r.Status) {
		case compliance.Failed:
			c.Failure = problem
			s.Failures++
		case compliance.Error:
			c.Error = problem
			s.Errors++
		case compliance.NotApplicable:
			c.Skipped = &junitProblem{Message: r.Evidence}
			s.Skipped++
		default:
			c.SystemOut = r.Evidence
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, s := range all.Suites {
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Errors += s.Errors
		all.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
