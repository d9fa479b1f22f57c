package stsapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	itypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/api/stsapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

const taskPrefix = "arn:aws:iam::aws:policy/root-task/"

// rootEnv is an organization with trusted access for IAM and both root access features enabled.
type rootEnv struct {
	*servertest.Env
	m      servertest.Caller
	rootID string
}

func newRootEnv(t *testing.T) *rootEnv {
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	r := &rootEnv{Env: e, m: e.Admin()}
	r.rootID = e.NewOrg(r.m)
	if _, err := r.m.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.m.IAM.EnableOrganizationsRootCredentialsManagement(ctx, &awsiam.EnableOrganizationsRootCredentialsManagementInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.m.IAM.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{}); err != nil {
		t.Fatal(err)
	}
	return r
}

// legacyRoot gives a member account's root user every kind of credential, as a member created
// before centralized root access may have: a password, a virtual MFA device, an access key and a
// signing certificate. It returns the MFA serial and the key ID.
func (r *rootEnv) legacyRoot(account string) (serial, keyID, certID string) {
	r.T.Helper()
	ctx := context.Background()
	if err := r.Svc.SetRootPassword(ctx, account, "Zq7!vR2#kLp9@wX4"); err != nil {
		r.T.Fatal(err)
	}
	d, err := r.Svc.CreateVirtualMFADevice(ctx, account, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "root-account-mfa-device"})
	if err != nil {
		r.T.Fatal(err)
	}
	now := time.Now()
	if err := r.Svc.EnableMFADevice(ctx, account, "", d.SerialNumber, testutil.TOTPCode(r.T, []byte(d.Base32StringSeed), now.Add(-30*time.Second)),
		testutil.TOTPCode(r.T, []byte(d.Base32StringSeed), now)); err != nil {
		r.T.Fatal(err)
	}
	k, err := r.Svc.CreateRootAccessKey(ctx, account)
	if err != nil {
		r.T.Fatal(err)
	}
	sc, err := r.Svc.UploadSigningCertificate(ctx, account, "", testutil.SelfSignedPEM(r.T, "root"))
	if err != nil {
		r.T.Fatal(err)
	}
	return d.SerialNumber, k.AccessKeyID, sc.CertificateID
}

// assumeRoot opens a privileged root session on member with a task policy, as c.
func (r *rootEnv) assumeRoot(c servertest.Caller, member, task string) (servertest.Caller, *sts.AssumeRootOutput) {
	r.T.Helper()
	out, err := c.STS.AssumeRoot(servertest.Ctx(r.T), &sts.AssumeRootInput{TargetPrincipal: aws.String(member),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(taskPrefix + task)}})
	if err != nil {
		r.T.Fatalf("AssumeRoot %s on %s: %v", task, member, err)
	}
	cr := out.Credentials
	return r.CallerFor(member, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken), out
}

// denied fails unless err is AccessDenied with a message containing want.
func denied(t *testing.T, err error, want string) {
	t.Helper()
	testutil.WantCode(t, err, "AccessDenied")
	if !strings.Contains(testutil.ErrorMessage(err), want) {
		t.Fatalf("message %q does not contain %q", testutil.ErrorMessage(err), want)
	}
}

const sessionDeny = "with an explicit deny in a session policy"

func TestRootAccessPreconditions(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	list := func(c servertest.Caller) error {
		_, err := c.IAM.ListOrganizationsFeatures(ctx, &awsiam.ListOrganizationsFeaturesInput{})
		return err
	}
	testutil.WantCode(t, list(m), "OrganizationNotFoundException")
	_, err := m.IAM.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{})
	testutil.WantCode(t, err, "OrganizationNotFoundException")

	// A consolidated-billing organization.
	billing := e.Standalone("billing")
	if _, err := billing.Orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetConsolidatedBilling}); err != nil {
		t.Fatal(err)
	}
	testutil.WantCode(t, list(billing), "OrganizationNotInAllFeaturesModeException")

	e.NewOrg(m)
	testutil.WantCode(t, list(m), "ServiceAccessNotEnabledException")
	_, err = m.IAM.EnableOrganizationsRootCredentialsManagement(ctx, &awsiam.EnableOrganizationsRootCredentialsManagementInput{})
	testutil.WantCode(t, err, "ServiceAccessNotEnabledException")
	if _, err := m.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	sec := e.CreateMember(m, "security")
	dev := e.CreateMember(m, "dev")
	secAdmin, devAdmin := e.UserIn(sec, "admin", ""), e.UserIn(dev, "admin", "")
	testutil.WantCode(t, list(devAdmin), "AccountNotManagementOrDelegatedAdministratorException")
	testutil.WantCode(t, list(secAdmin), "AccountNotManagementOrDelegatedAdministratorException")
	if _, err := m.Orgs.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(sec), ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}

	type step struct {
		name   string
		c      servertest.Caller
		call   func(c servertest.Caller) (*string, []itypes.FeatureType, error)
		code   string
		want   []itypes.FeatureType
		wantID bool
	}
	enableCreds := func(c servertest.Caller) (*string, []itypes.FeatureType, error) {
		o, err := c.IAM.EnableOrganizationsRootCredentialsManagement(ctx, &awsiam.EnableOrganizationsRootCredentialsManagementInput{})
		if err != nil {
			return nil, nil, err
		}
		return o.OrganizationId, o.EnabledFeatures, nil
	}
	enableSessions := func(c servertest.Caller) (*string, []itypes.FeatureType, error) {
		o, err := c.IAM.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{})
		if err != nil {
			return nil, nil, err
		}
		return o.OrganizationId, o.EnabledFeatures, nil
	}
	disableSessions := func(c servertest.Caller) (*string, []itypes.FeatureType, error) {
		o, err := c.IAM.DisableOrganizationsRootSessions(ctx, &awsiam.DisableOrganizationsRootSessionsInput{})
		if err != nil {
			return nil, nil, err
		}
		return o.OrganizationId, o.EnabledFeatures, nil
	}
	disableCreds := func(c servertest.Caller) (*string, []itypes.FeatureType, error) {
		o, err := c.IAM.DisableOrganizationsRootCredentialsManagement(ctx, &awsiam.DisableOrganizationsRootCredentialsManagementInput{})
		if err != nil {
			return nil, nil, err
		}
		return o.OrganizationId, o.EnabledFeatures, nil
	}
	listFeatures := func(c servertest.Caller) (*string, []itypes.FeatureType, error) {
		o, err := c.IAM.ListOrganizationsFeatures(ctx, &awsiam.ListOrganizationsFeaturesInput{})
		if err != nil {
			return nil, nil, err
		}
		return o.OrganizationId, o.EnabledFeatures, nil
	}
	both := []itypes.FeatureType{itypes.FeatureTypeRootCredentialsManagement, itypes.FeatureTypeRootSessions}
	steps := []step{
		{"delegated administrator lists", secAdmin, listFeatures, "", nil, true},
		{"delegated administrator cannot enable", secAdmin, enableSessions, "CallerIsNotManagementAccountException", nil, false},
		{"member cannot enable", devAdmin, enableCreds, "AccountNotManagementOrDelegatedAdministratorException", nil, false},
		{"management enables credentials management", m, enableCreds, "", []itypes.FeatureType{itypes.FeatureTypeRootCredentialsManagement}, true},
		{"management enables root sessions", m, enableSessions, "", both, true},
		{"enabling again changes nothing", m, enableSessions, "", both, true},
		{"delegated administrator disables root sessions", secAdmin, disableSessions, "", []itypes.FeatureType{itypes.FeatureTypeRootCredentialsManagement}, true},
		{"management disables credentials management", m, disableCreds, "", nil, true},
		{"management lists", m, listFeatures, "", nil, true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			id, features, err := s.call(s.c)
			testutil.WantCode(t, err, s.code)
			if s.code != "" {
				return
			}
			if s.wantID && (id == nil || !strings.HasPrefix(*id, "o-")) {
				t.Fatalf("OrganizationId = %v", id)
			}
			if len(features) != len(s.want) {
				t.Fatalf("EnabledFeatures = %v, want %v", features, s.want)
			}
			for i := range features {
				if features[i] != s.want[i] {
					t.Fatalf("EnabledFeatures = %v, want %v", features, s.want)
				}
			}
		})
	}
}

// TestCentralizedRootAccessFlow is the whole workflow through the SDKs: the organization, trusted
// access, both features, a member created without root credentials, a member with legacy root
// credentials, AssumeRoot with each task policy, the calls each session may and may not make,
// password recovery allowed, then every root credential deleted.
func TestCentralizedRootAccessFlow(t *testing.T) {
	t.Parallel()
	r := newRootEnv(t)
	ctx := servertest.Ctx(t)

	// A member created while RootCredentialsManagement is on has no root credentials at all.
	fresh := r.CreateMember(r.m, "fresh")
	audit, _ := r.assumeRoot(r.m, fresh, "IAMAuditRootUserCredentials")
	sum, err := audit.IAM.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AccountPasswordPresent", "AccountMFAEnabled", "AccountAccessKeysPresent", "AccountSigningCertificatesPresent"} {
		if sum.SummaryMap[k] != 0 {
			t.Fatalf("fresh member %s = %d", k, sum.SummaryMap[k])
		}
	}
	_, err = audit.IAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{})
	testutil.WantCode(t, err, "NoSuchEntity")

	// A member with legacy root credentials.
	legacy := r.CreateMember(r.m, "legacy")
	serial, keyID, certID := r.legacyRoot(legacy)

	t.Run("IAMAuditRootUserCredentials", func(t *testing.T) {
		s, out := r.assumeRoot(r.m, legacy, "IAMAuditRootUserCredentials")
		if exp := out.Credentials.Expiration; exp == nil || time.Until(*exp) > 900*time.Second || time.Until(*exp) < 880*time.Second {
			t.Fatalf("expiration = %v, want 900 s from now", exp)
		}
		who, err := s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || *who.Arn != "arn:aws:iam::"+legacy+":root" || *who.Account != legacy || *who.UserId != legacy {
			t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
		}
		keys, err := s.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{})
		if err != nil || len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != keyID {
			t.Fatalf("ListAccessKeys = %+v, %v", keys, err)
		}
		lu, err := s.IAM.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(keyID)})
		if err != nil || lu.AccessKeyLastUsed == nil {
			t.Fatalf("GetAccessKeyLastUsed = %+v, %v", lu, err)
		}
		if lp, err := s.IAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{}); err != nil || lp.LoginProfile.CreateDate == nil {
			t.Fatalf("GetLoginProfile = %+v, %v", lp, err)
		}
		mfa, err := s.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{})
		if err != nil || len(mfa.MFADevices) != 1 || *mfa.MFADevices[0].SerialNumber != serial {
			t.Fatalf("ListMFADevices = %+v, %v", mfa, err)
		}
		certs, err := s.IAM.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{})
		if err != nil || len(certs.Certificates) != 1 || *certs.Certificates[0].CertificateId != certID {
			t.Fatalf("ListSigningCertificates = %+v, %v", certs, err)
		}
		u, err := s.IAM.GetUser(ctx, &awsiam.GetUserInput{})
		if err != nil || *u.User.Arn != "arn:aws:iam::"+legacy+":root" {
			t.Fatalf("GetUser = %+v, %v", u, err)
		}
		sum, err := s.IAM.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
		if err != nil || sum.SummaryMap["AccountPasswordPresent"] != 1 || sum.SummaryMap["AccountAccessKeysPresent"] != 1 || sum.SummaryMap["AccountMFAEnabled"] != 1 {
			t.Fatalf("GetAccountSummary = %+v, %v", sum, err)
		}
		// Refused: anything outside the task, and the task's actions on anyone but the root.
		_, err = s.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{AccessKeyId: aws.String(keyID)})
		denied(t, err, sessionDeny)
		_, err = s.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
		denied(t, err, sessionDeny)
		_, err = s.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("admin")})
		denied(t, err, sessionDeny)
		// A root session gets no further sessions of any kind.
		_, err = s.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
		testutil.WantCode(t, err, "AccessDenied")
		_, err = s.STS.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(fresh), TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(taskPrefix + "IAMAuditRootUserCredentials")}})
		testutil.WantCode(t, err, "AccessDenied")
	})

	t.Run("IAMCreateRootUserPassword", func(t *testing.T) {
		allowed, err := r.svcOrgs().RootRecoveryAllowed(ctx, fresh)
		if err != nil || allowed {
			t.Fatalf("before the task: recovery allowed = %t, %v", allowed, err)
		}
		s, _ := r.assumeRoot(r.m, fresh, "IAMCreateRootUserPassword")
		_, err = s.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{Password: aws.String("Zq7!vR2#kLp9@wX4")})
		testutil.WantCode(t, err, "InvalidInput")
		lp, err := s.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{})
		if err != nil || lp.LoginProfile.CreateDate == nil {
			t.Fatalf("CreateLoginProfile = %+v, %v", lp, err)
		}
		_, err = s.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{})
		testutil.WantCode(t, err, "EntityAlreadyExists")
		if _, err := s.IAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{}); err != nil {
			t.Fatal(err)
		}
		_, err = s.IAM.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{})
		denied(t, err, sessionDeny)
		_, err = s.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("admin"), Password: aws.String("Zq7!vR2#kLp9@wX4")})
		denied(t, err, sessionDeny)
		if allowed, err := r.svcOrgs().RootRecoveryAllowed(ctx, fresh); err != nil || !allowed {
			t.Fatalf("after the task: recovery allowed = %t, %v", allowed, err)
		}
	})

	t.Run("IAMDeleteRootUserCredentials", func(t *testing.T) {
		s, _ := r.assumeRoot(r.m, legacy, "IAMDeleteRootUserCredentials")
		_, err := s.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{})
		denied(t, err, sessionDeny)
		steps := []struct {
			name string
			call func() error
		}{
			{"DeleteLoginProfile", func() error { _, err := s.IAM.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{}); return err }},
			{"DeleteAccessKey", func() error {
				_, err := s.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{AccessKeyId: aws.String(keyID)})
				return err
			}},
			{"DeleteSigningCertificate", func() error {
				_, err := s.IAM.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{CertificateId: aws.String(certID)})
				return err
			}},
			{"DeactivateMFADevice", func() error {
				_, err := s.IAM.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{SerialNumber: aws.String(serial)})
				return err
			}},
			{"DeleteVirtualMFADevice", func() error {
				_, err := s.IAM.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
				return err
			}},
		}
		for _, st := range steps {
			if err := st.call(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		rc, err := r.Svc.RootCredentialsOf(ctx, legacy)
		if err != nil || !rc.Empty() {
			t.Fatalf("root credentials after deletion = %+v, %v", rc, err)
		}
		// The deleted key no longer signs anything.
		_, err = r.CallerFor(legacy, keyID, "whatever", "").STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		testutil.WantCode(t, err, "InvalidClientTokenId")
	})

	t.Run("S3 and SQS unlock tasks", func(t *testing.T) {
		cases := []struct {
			task, service, code, msg string
		}{
			{"S3UnlockBucketPolicy", "s3", "NotImplemented", "Rootward does not serve Amazon S3: this privileged root session's S3UnlockBucketPolicy task policy allows only Amazon S3 actions, and Rootward holds no buckets whose policies it could unlock."},
			{"SQSUnlockQueuePolicy", "sqs", "UnknownOperationException", "Rootward does not serve Amazon SQS: this privileged root session's SQSUnlockQueuePolicy task policy allows only Amazon SQS actions, and Rootward holds no queues whose policies it could unlock."},
			// Another task's session, and the S3 task's session calling SQS, hear only that
			// Rootward does not serve the service: nothing about a task they were not issued for.
			{"IAMAuditRootUserCredentials", "s3", "NotImplemented", server.UnservedMessage("Amazon S3")},
			{"S3UnlockBucketPolicy", "sqs", "UnknownOperationException", server.UnservedMessage("Amazon SQS")},
		}
		for _, tc := range cases {
			t.Run(tc.task+" "+tc.service, func(t *testing.T) {
				s, out := r.assumeRoot(r.m, fresh, tc.task)
				_, err := s.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
				if tc.task != "IAMAuditRootUserCredentials" {
					denied(t, err, sessionDeny)
				}
				cr := out.Credentials
				calls := unservedClients(r.URL, aws.Credentials{AccessKeyID: *cr.AccessKeyId, SecretAccessKey: *cr.SecretAccessKey, SessionToken: *cr.SessionToken})
				code, msg := testutil.APIError(t, calls[tc.service](ctx))
				if code != tc.code || msg != tc.msg {
					t.Fatalf("%s in a %s session: %s %q, want %s %q", tc.service, tc.task, code, msg, tc.code, tc.msg)
				}
			})
		}
	})
	t.Run("S3 without a root session", func(t *testing.T) {
		// The management account's own caller, long-term key: no root task to speak of.
		code, msg := testutil.APIError(t, unservedClients(r.URL, aws.Credentials{AccessKeyID: r.AdminKey.AccessKeyID, SecretAccessKey: r.AdminKey.Secret})["s3"](ctx))
		if want := server.UnservedMessage("Amazon S3"); code != "NotImplemented" || msg != want {
			t.Fatalf("S3 call by a user: %s %q, want NotImplemented %q", code, msg, want)
		}
	})
}

func TestAssumeRootRefusals(t *testing.T) {
	t.Parallel()
	r := newRootEnv(t)
	ctx := servertest.Ctx(t)
	dev := r.CreateMember(r.m, "dev")
	outsider := r.Standalone("outsider")
	auditOnly := r.UserIn(r.Account.ID, "auditor", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"*",`+
		`"Condition":{"StringEquals":{"sts:TaskPolicyArn":"`+taskPrefix+`IAMAuditRootUserCredentials"}}}]}`)
	noPerm := r.UserIn(r.Account.ID, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`)
	mgmtRoot := r.RootOf(r.Account.ID)
	devAdmin := r.UserIn(dev, "admin", "")
	in := func(target, task string) *sts.AssumeRootInput {
		return &sts.AssumeRootInput{TargetPrincipal: aws.String(target), TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(taskPrefix + task)}}
	}
	// A customer policy that copies a task policy's path and name is no task policy: only AWS's
	// own ARNs pass, exactly.
	lookalike := func(arn string) *sts.AssumeRootInput {
		return &sts.AssumeRootInput{TargetPrincipal: aws.String(dev), TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(arn)}}
	}
	for _, acct := range []string{r.Account.ID, dev} {
		if _, err := r.Svc.CreatePolicy(ctx, acct, iam.CreatePolicyInput{PolicyName: "IAMAuditRootUserCredentials", Path: "/root-task/",
			PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		c    servertest.Caller
		in   *sts.AssumeRootInput
		code string
		msg  string
	}{
		{"root ARN as the target", r.m, in("arn:aws:iam::"+dev+":root", "IAMAuditRootUserCredentials"), "", ""},
		{"condition on sts:TaskPolicyArn allows its task", auditOnly, in(dev, "IAMAuditRootUserCredentials"), "", ""},
		{"condition on sts:TaskPolicyArn refuses another task", auditOnly, in(dev, "IAMDeleteRootUserCredentials"), "AccessDenied", "because no identity-based policy allows the sts:AssumeRoot action"},
		{"no sts:AssumeRoot permission", noPerm, in(dev, "IAMAuditRootUserCredentials"), "AccessDenied", "is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::" + dev + ":root"},
		{"root user credentials", mgmtRoot, in(dev, "IAMAuditRootUserCredentials"), "AccessDenied", "Root user credentials"},
		{"the management account is never a target", r.m, in(r.Account.ID, "IAMAuditRootUserCredentials"), "AccessDenied", "management account"},
		{"a member account cannot call it", devAdmin, in(r.Account.ID, "IAMAuditRootUserCredentials"), "AccessDenied", "management account or the delegated administrator"},
		{"an account outside the organization", r.m, in(outsider.Account, "IAMAuditRootUserCredentials"), "AccessDenied", "not a member account"},
		{"not a task policy", r.m, &sts.AssumeRootInput{TargetPrincipal: aws.String(dev), TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}}, "ValidationError", ""},
		{"bad target", r.m, in("not-an-account", "IAMAuditRootUserCredentials"), "ValidationError", ""},
		{"a customer policy at /root-task/ in the management account", r.m, lookalike("arn:aws:iam::" + r.Account.ID + ":policy/root-task/IAMAuditRootUserCredentials"), "ValidationError", ""},
		{"a customer policy at /root-task/ in the member account", r.m, lookalike("arn:aws:iam::" + dev + ":policy/root-task/IAMAuditRootUserCredentials"), "ValidationError", ""},
		{"a task policy ARN in another case", r.m, lookalike("arn:aws:iam::aws:policy/Root-Task/IAMAuditRootUserCredentials"), "ValidationError", ""},
		{"duration above 900 seconds", r.m, &sts.AssumeRootInput{TargetPrincipal: aws.String(dev), DurationSeconds: aws.Int32(901),
			TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(taskPrefix + "IAMAuditRootUserCredentials")}}, "ValidationError", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.STS.AssumeRoot(ctx, tc.in)
			testutil.WantCode(t, err, tc.code)
			if tc.msg != "" && !strings.Contains(testutil.ErrorMessage(err), tc.msg) {
				t.Fatalf("message %q does not contain %q", testutil.ErrorMessage(err), tc.msg)
			}
		})
	}
	short, err := r.m.STS.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(dev), DurationSeconds: aws.Int32(60),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(taskPrefix + "IAMAuditRootUserCredentials")}})
	if err != nil || time.Until(*short.Credentials.Expiration) > time.Minute {
		t.Fatalf("60-second session = %+v, %v", short, err)
	}
	// With RootSessions off, nobody opens a root session.
	if _, err := r.m.IAM.DisableOrganizationsRootSessions(ctx, &awsiam.DisableOrganizationsRootSessionsInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = r.m.STS.AssumeRoot(ctx, in(dev, "IAMAuditRootUserCredentials"))
	denied(t, err, "RootSessions")
}

func TestAssumeRootDelegatedAdministratorAndSCPs(t *testing.T) {
	t.Parallel()
	r := newRootEnv(t)
	ctx := servertest.Ctx(t)
	sec := r.CreateMember(r.m, "security")
	dev := r.CreateMember(r.m, "dev")
	secAdmin := r.UserIn(sec, "admin", "")
	_, err := secAdmin.STS.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(dev),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(taskPrefix + "IAMAuditRootUserCredentials")}})
	denied(t, err, "delegated administrator")
	if _, err := r.m.Orgs.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(sec), ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	session, _ := r.assumeRoot(secAdmin, dev, "IAMAuditRootUserCredentials")
	if _, err := session.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{}); err != nil {
		t.Fatalf("delegated administrator's root session: %v", err)
	}

	// SCPs: the member root is denied unless in an AssumeRoot session; a deny on the root ARN
	// alone covers root sessions too; the delegated administrator's own account is subject to SCPs.
	if _, err := r.m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(r.rootID), PolicyType: otypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	create := func(name, doc string) string {
		p, err := r.m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
			Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(doc)})
		if err != nil {
			t.Fatal(err)
		}
		return *p.Policy.PolicySummary.Id
	}
	unlessAssumed := create("deny-root-unless-assumed", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"},"Null":{"aws:AssumedRoot":"true"}}}]}`)
	rootArn := create("deny-root", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`)
	noAssumeRoot := create("no-assume-root", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRoot","Resource":"*"}]}`)
	attach := func(p, target string) {
		if _, err := r.m.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(p), TargetId: aws.String(target)}); err != nil {
			t.Fatal(err)
		}
	}
	detach := func(p, target string) {
		if _, err := r.m.Orgs.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(p), TargetId: aws.String(target)}); err != nil {
			t.Fatal(err)
		}
	}
	devRoot := r.RootOf(dev)
	attach(unlessAssumed, r.rootID)
	_, err = devRoot.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{})
	denied(t, err, explicitSCP)
	if _, err := session.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{}); err != nil {
		t.Fatalf("root session under deny-root-unless-AssumedRoot: %v", err)
	}
	// The management account's root is never subject to SCPs.
	if _, err := r.RootOf(r.Account.ID).IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("management root under a root-deny SCP: %v", err)
	}
	detach(unlessAssumed, r.rootID)
	attach(rootArn, dev)
	_, err = session.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{})
	denied(t, err, explicitSCP)
	detach(rootArn, dev)
	attach(noAssumeRoot, sec)
	_, err = secAdmin.STS.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(dev),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(taskPrefix + "IAMAuditRootUserCredentials")}})
	denied(t, err, explicitSCP)
	// The management account's principals ignore the same SCP attached to the management account.
	attach(noAssumeRoot, r.Account.ID)
	r.assumeRoot(r.m, dev, "IAMAuditRootUserCredentials")
}

func TestRootSessionEvents(t *testing.T) {
	t.Parallel()
	r := newRootEnv(t)
	ctx := servertest.Ctx(t)
	dev := r.CreateMember(r.m, "dev")
	s, out := r.assumeRoot(r.m, dev, "IAMAuditRootUserCredentials")
	if _, err := s.IAM.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := s.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "AccessDenied")
	r.Trail.Flush()
	events := func(account string) map[string]trail.Event {
		p, err := trail.List(context.Background(), r.Store, trail.Query{Account: account})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]trail.Event{}
		for _, e := range p.Events {
			m[e.EventName] = e
		}
		return m
	}
	mgmt := events(r.Account.ID)
	ar, ok := mgmt["AssumeRoot"]
	if !ok || ar.EventSource != "sts.amazonaws.com" || ar.UserIdentity.Type != "IAMUser" || ar.RecipientAccountID != r.Account.ID ||
		ar.RequestParameters["targetPrincipal"] != dev {
		t.Fatalf("AssumeRoot event = %+v", ar)
	}
	if tp, _ := ar.RequestParameters["taskPolicyArn"].(map[string]any); tp["arn"] != taskPrefix+"IAMAuditRootUserCredentials" {
		t.Fatalf("AssumeRoot taskPolicyArn = %#v", ar.RequestParameters["taskPolicyArn"])
	}
	// CloudTrail records the request's members as sent: no DurationSeconds, no durationSeconds.
	if d, ok := ar.RequestParameters["durationSeconds"]; ok {
		t.Fatalf("got durationSeconds %v in a request that sent none, want none", d)
	}
	if cr, _ := ar.ResponseElements["credentials"].(map[string]any); cr["accessKeyId"] != *out.Credentials.AccessKeyId {
		t.Fatalf("AssumeRoot responseElements = %#v", ar.ResponseElements)
	}
	member := events(dev)
	for _, name := range []string{"GetAccountSummary", "ListUsers"} {
		ev, ok := member[name]
		if !ok {
			t.Fatalf("no %s event in the member account", name)
		}
		u := ev.UserIdentity
		sc := u.SessionContext
		switch {
		case u.Type != "Root" || u.ARN != "arn:aws:iam::"+dev+":root" || u.AccountID != dev || *u.AccessKeyID != *out.Credentials.AccessKeyId:
			t.Fatalf("%s userIdentity = %+v", name, u)
		case sc == nil || sc.AssumedRoot != "true" || sc.SessionIssuer == nil:
			t.Fatalf("%s sessionContext = %+v", name, sc)
		case sc.SessionIssuer.ARN != "arn:aws:iam::"+r.Account.ID+":user/admin" || sc.SessionIssuer.AccountID != r.Account.ID || sc.SessionIssuer.Type != "IAMUser":
			t.Fatalf("%s sessionIssuer = %+v", name, sc.SessionIssuer)
		}
	}
	if member["ListUsers"].ErrorCode != "AccessDenied" {
		t.Fatalf("refused call recorded as %+v", member["ListUsers"])
	}
}

// svcOrgs is the Organizations service over the test's store, for checks no API exposes (the
// sign-in page's password-recovery rule).
func (r *rootEnv) svcOrgs() *orgs.Service { return orgs.New(r.Svc) }

// TestDeleteRootCredentialsAction is the console's per-account action of the root credential
// inventory: it runs as the signed-in principal through an AssumeRoot session, so it is refused
// without sts:AssumeRoot and recorded like any privileged task.
func TestDeleteRootCredentialsAction(t *testing.T) {
	t.Parallel()
	r := newRootEnv(t)
	ctx := servertest.Ctx(t)
	legacy := r.CreateMember(r.m, "legacy")
	serial, keyID, certID := r.legacyRoot(legacy)
	inv, err := r.svcOrgs().RootInventory(ctx, r.Account.ID)
	if err != nil {
		t.Fatal(err)
	}
	var before *orgs.RootStatus
	for i := range inv.Accounts {
		if inv.Accounts[i].AccountID == legacy {
			before = &inv.Accounts[i]
		}
	}
	if before == nil || !before.Password || len(before.AccessKeys) != 1 || len(before.MFADevices) != 1 ||
		before.MFADevices[0].Kind != iam.MFAVirtual || len(before.SigningCertificates) != 1 {
		t.Fatalf("inventory before = %+v", before)
	}

	run := server.New(server.Config{IAM: r.Svc, Trail: r.Trail}).Runner()
	signIn := time.Now().Add(-time.Minute)
	r.UserIn(r.Account.ID, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`)
	reader := authz.Principal{Account: r.Account.ID, UserName: "reader", SessionID: "s-reader", IssuedAt: signIn}
	_, err = stsapi.DeleteRootCredentials(run, servertest.ConsoleRequest("192.0.2.10"), reader, legacy)
	if !awserr.IsCode(err, awserr.AccessDenied) {
		t.Fatalf("reader's deletion: %v, want AccessDenied", err)
	}
	admin := authz.Principal{Account: r.Account.ID, UserName: "admin", SessionID: "s-admin", IssuedAt: signIn}
	del, err := stsapi.DeleteRootCredentials(run, servertest.ConsoleRequest("192.0.2.10"), admin, legacy)
	if err != nil {
		t.Fatal(err)
	}
	if !del.LoginProfile || len(del.AccessKeys) != 1 || del.AccessKeys[0] != keyID || len(del.SigningCertificates) != 1 ||
		del.SigningCertificates[0] != certID || len(del.MFADevices) != 1 || del.MFADevices[0] != serial {
		t.Fatalf("deletion = %+v", del)
	}
	if rc, err := r.Svc.RootCredentialsOf(ctx, legacy); err != nil || !rc.Empty() {
		t.Fatalf("root credentials after the action = %+v, %v", rc, err)
	}
	// Nothing left: a second run deletes nothing and succeeds.
	again, err := stsapi.DeleteRootCredentials(run, servertest.ConsoleRequest("192.0.2.10"), admin, legacy)
	if err != nil || again.LoginProfile || len(again.AccessKeys)+len(again.SigningCertificates)+len(again.MFADevices) != 0 {
		t.Fatalf("second run = %+v, %v", again, err)
	}

	r.Trail.Flush()
	p, err := trail.List(context.Background(), r.Store, trail.Query{Account: legacy})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ev := range p.Events {
		if sc := ev.UserIdentity.SessionContext; ev.UserIdentity.Type == "Root" && sc != nil && sc.AssumedRoot == "true" &&
			*ev.UserIdentity.AccessKeyID == del.SessionKeyID && sc.SessionIssuer.ARN == "arn:aws:iam::"+r.Account.ID+":user/admin" {
			seen[ev.EventName] = true
		}
	}
	for _, name := range []string{"DeleteLoginProfile", "DeleteAccessKey", "DeleteSigningCertificate", "DeactivateMFADevice", "DeleteVirtualMFADevice"} {
		if !seen[name] {
			t.Fatalf("no privileged-session record of %s (saw %v)", name, seen)
		}
	}
}
