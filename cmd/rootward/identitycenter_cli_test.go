package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLIIdentityCenter drives the AWS CLI at a started server: the management account enables
// trusted access for sso.amazonaws.com, which creates the organization's instance; `aws sso-admin
// list-instances` shows it and `aws identitystore create-user` / `list-users` use its identity store.
func TestAWSCLIIdentityCenter(t *testing.T) {
	if _, err := exec.LookPath(awsPath()); err != nil {
		t.Skip("the AWS CLI is not installed (CI installs Debian's awscli): skipping the CLI test")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	awsCLI(t, data, s.endpoint, "organizations", "create-organization", "--feature-set", "ALL")
	awsCLI(t, data, s.endpoint, "organizations", "enable-aws-service-access", "--service-principal", "sso.amazonaws.com")
	// The CLI prints the members its model knows (this one's InstanceMetadata: InstanceArn and
	// IdentityStoreId).
	var instances struct {
		Instances []struct{ InstanceArn, IdentityStoreId string }
	}
	out := awsCLI(t, data, s.endpoint, "sso-admin", "list-instances")
	if err := json.Unmarshal([]byte(out), &instances); err != nil || len(instances.Instances) != 1 ||
		!strings.HasPrefix(instances.Instances[0].InstanceArn, "arn:aws:sso:::instance/ssoins-") || !strings.HasPrefix(instances.Instances[0].IdentityStoreId, "d-") {
		t.Fatalf("sso-admin list-instances = %s (%v); want the organization's instance", out, err)
	}
	store := instances.Instances[0].IdentityStoreId
	awsCLI(t, data, s.endpoint, "identitystore", "create-user", "--identity-store-id", store, "--user-name", "alice",
		"--display-name", "Alice Example", "--name", "GivenName=Alice,FamilyName=Example")
	out = awsCLI(t, data, s.endpoint, "identitystore", "list-users", "--identity-store-id", store)
	var users struct {
		Users []struct{ UserName, UserId string }
	}
	if err := json.Unmarshal([]byte(out), &users); err != nil || len(users.Users) != 1 || users.Users[0].UserName != "alice" {
		t.Fatalf("identitystore list-users = %s (%v); want alice", out, err)
	}
	out, err := runAWSCLI(data, s.endpoint, "identitystore", "describe-user", "--identity-store-id", store, "--user-id", "00000000-0000-4000-8000-000000000000")
	if err == nil || !strings.Contains(out, "ResourceNotFoundException") {
		t.Fatalf("describe-user of an unknown user: %s (%v); want ResourceNotFoundException", out, err)
	}
}
