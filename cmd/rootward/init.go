package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/password"
	"github.com/spf13/cobra"
)

func initCmd() *cobra.Command {
	var (
		d                                       dataFlags
		email, accountName, passwordFile, admin string
		asJSON                                  bool
	)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create the management account, its root user and an administrative IAM user, offline",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if email == "" || accountName == "" || passwordFile == "" {
				return &exitCode{2, errors.New("init needs --email, --account-name and --password-file")}
			}
			raw, err := os.ReadFile(passwordFile)
			if err != nil {
				return &exitCode{2, fmt.Errorf("reading --password-file: %w", err)}
			}
			pw := strings.TrimRight(string(raw), "\r\n")
			// Check every input before anything touches the data directory: a refused email,
			// account name, user name or password leaves nothing behind, so a corrected retry works.
			if err := iam.CheckAccountDetails(accountName, email); err != nil {
				return &exitCode{2, inputError(err)}
			}
			if err := iam.CheckUserName(admin); err != nil {
				return &exitCode{2, fmt.Errorf("--admin-user: %w", inputError(err))}
			}
			if err := password.CheckRoot(pw, accountName, email); err != nil {
				return &exitCode{2, fmt.Errorf("root password refused: %w", err)}
			}
			if _, err := os.Stat(filepath.Join(d.dir, "rootward.db")); err == nil && d.db == "" {
				return &exitCode{2, fmt.Errorf("%s is already initialised", d.dir)}
			}
			ctx := cmd.Context()
			svc, st, err := d.open(ctx, true)
			if err != nil {
				return err
			}
			defer st.Close()
			if first, err := svc.ClaimInstallation(ctx); err != nil {
				return err
			} else if !first {
				return &exitCode{2, errors.New("the database is already initialised")}
			}
			acct, u, k, err := bootstrap(ctx, svc, accountName, email, pw, admin)
			if err != nil {
				return err
			}
			credPath := filepath.Join(d.dir, "credentials")
			if err := writeCredentials(credPath, k.AccessKeyID, k.Secret); err != nil {
				return err
			}
			if asJSON {
				out := map[string]any{
					"account_id": acct.ID,
					"root_arn":   acct.RootARN(),
					"admin": map[string]string{
						"user_name": u.UserName, "arn": u.Arn,
						"access_key_id": k.AccessKeyID, "secret_access_key": k.Secret,
					},
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				return enc.Encode(out)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Account %s created (root %s).\nAdministrator %s; access key written to %s (profile rootward).\n",
				acct.ID, acct.RootARN(), u.Arn, credPath)
			return nil
		},
	}
	d.register(cmd.Flags())
	cmd.Flags().StringVar(&email, "email", "", "root user email address")
	cmd.Flags().StringVar(&accountName, "account-name", "", "account name")
	cmd.Flags().StringVar(&passwordFile, "password-file", "", "file holding the root password")
	cmd.Flags().StringVar(&admin, "admin-user", "admin", "name of the administrative IAM user")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// inputError is an AWS-style validation error as a person at a terminal reads it: its message,
// without the code.
func inputError(err error) error {
	if e, ok := awserr.As(err); ok {
		return errors.New(e.Message)
	}
	return err
}
