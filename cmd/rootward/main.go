// Command rootward is Rootward's single binary: it initialises a data directory, serves the AWS
// APIs, and administers the root user. It only wires packages together; the rules live in
// internal/.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// exitCode carries a process exit status through cobra's error return.
type exitCode struct {
	code int
	err  error
}

func (e *exitCode) Error() string { return e.err.Error() }

func main() {
	root := &cobra.Command{
		Use:           "rootward",
		Short:         "AWS-compatible IAM, STS and Organizations control plane built around the root user",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(initCmd(), serveCmd(), rootCmd(), versionCmd(), backupCmd(), eventsCmd())
	root.AddCommand(outboxCmd())
	root.AddCommand(orgCmd())
	root.AddCommand(trailCmd())
	root.AddCommand(alertsCmd())
	root.AddCommand(auditCmd())
	root.AddCommand(custodyCmd())
	root.AddCommand(breakGlassCmd())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "rootward:", err)
		if ec, ok := err.(*exitCode); ok {
			os.Exit(ec.code)
		}
		os.Exit(1)
	}
}
