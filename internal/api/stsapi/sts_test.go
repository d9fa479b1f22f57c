package stsapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestGetCallerIdentity(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	out, err := e.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Account != e.Account.ID || *out.Arn != "arn:aws:iam::"+e.Account.ID+":user/admin" || !strings.HasPrefix(*out.UserId, "AIDA") {
		t.Fatalf("GetCallerIdentity = %+v", out)
	}
	// Even a user with no policy at all may call it.
	_, nobody := e.UserClients("nobody", "")
	if _, err := nobody.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity without policies: %v", err)
	}
	bad, badSTS := e.Clients(e.AdminKey.AccessKeyID, strings.Repeat("x", 40), "")
	_, err = badSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	testutil.WantCode(t, err, "SignatureDoesNotMatch")
	_, _ = bad, badSTS
	_, unknown := e.Clients("AKIAAAAAAAAAAAAAAAAA", strings.Repeat("x", 40), "")
	_, err = unknown.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	testutil.WantCode(t, err, "InvalidClientTokenId")
	ki, err := e.STS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(e.AdminKey.AccessKeyID)})
	if err != nil || *ki.Account != e.Account.ID {
		t.Fatalf("GetAccessKeyInfo = %+v, %v", ki, err)
	}
	// A key ID Rootward never issued answers the account it encodes, as AWS does for any
	// well-formed key ID (this one is AWS's, published with its account).
	ki, err = e.STS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("ASIAY34FZKBOKMUTVV7A")})
	if err != nil || aws.ToString(ki.Account) != "609629065308" {
		t.Fatalf("GetAccessKeyInfo(foreign key) = %+v, %v; want account 609629065308", ki, err)
	}
	_, err = e.STS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIA0000000000000000")})
	testutil.WantCode(t, err, "ValidationError")
	// Temporary keys encode their account too.
	tok, err := e.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(tok.Credentials.AccessKeyId)
	if got, err := iam.KeyIDAccount(id); err != nil || got != e.Account.ID {
		t.Errorf("session key %s encodes %q, %v; want %s", id, got, err, e.Account.ID)
	}
	if got, err := iam.KeyIDAccount(e.AdminKey.AccessKeyID); err != nil || got != e.Account.ID {
		t.Errorf("access key %s encodes %q, %v; want %s", e.AdminKey.AccessKeyID, got, err, e.Account.ID)
	}
}

func TestAssumeRole(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	// The principals must exist before a trust policy can name them, as in IAM.
	_, devSTS := e.UserClients("dev", "")
	_, otherSTS := e.UserClients("other", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	// Passing a source identity and session tags needs sts:SetSourceIdentity and sts:TagSession
	// as well (keys_test.go holds the cases without them).
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:user/dev"},"Action":["sts:AssumeRole","sts:SetSourceIdentity","sts:TagSession"]}]}`
	_, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("early"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:user/not-yet"},"Action":"sts:AssumeRole"}]}`)})
	testutil.WantCode(t, err, "MalformedPolicyDocument")
	role, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("deployer"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(7200)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:ListRoles"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}

	// The trust policy names dev exactly: same account, no identity policy needed.
	out, err := devSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("ci-run"), DurationSeconds: aws.Int32(1800), SourceIdentity: aws.String("dev-person")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if !strings.HasPrefix(*c.AccessKeyId, "ASIA") || *c.SessionToken == "" || time.Until(*c.Expiration) > 31*time.Minute || time.Until(*c.Expiration) < 29*time.Minute {
		t.Fatalf("credentials = %+v", c)
	}
	wantARN := "arn:aws:sts::" + e.Account.ID + ":assumed-role/deployer/ci-run"
	if *out.AssumedRoleUser.Arn != wantARN || *out.AssumedRoleUser.AssumedRoleId != *role.Role.RoleId+":ci-run" || *out.SourceIdentity != "dev-person" {
		t.Fatalf("AssumedRoleUser = %+v", out.AssumedRoleUser)
	}
	roleIAM, roleSTS := e.Clients(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	id, err := roleSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != wantARN || *id.UserId != *role.Role.RoleId+":ci-run" {
		t.Fatalf("session identity = %+v, %v", id, err)
	}
	if _, err := roleIAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("role permission: %v", err)
	}
	_, err = roleIAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("z")})
	testutil.WantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), "User: "+wantARN+" is not authorized") {
		t.Fatalf("message = %v", err)
	}
	// A wrong session token is refused.
	_, badTok := e.Clients(*c.AccessKeyId, *c.SecretAccessKey, "not-the-token")
	_, err = badTok.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	testutil.WantCode(t, err, "InvalidClientTokenId")

	// other has an identity allow but the trust policy does not name it.
	_, err = otherSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("x1")})
	testutil.WantCode(t, err, "AccessDenied")

	cases := []struct {
		name string
		in   sts.AssumeRoleInput
		code string
	}{
		{"duration above role maximum", sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(7201)}, "ValidationError"},
		{"duration below 900", sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(899)}, "ValidationError"},
		{"session name too short", sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s")}, "ValidationError"},
		{"session name bad characters", sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("a b")}, "ValidationError"},
		{"unknown role", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + e.Account.ID + ":role/ghost"), RoleSessionName: aws.String("s1")}, "AccessDenied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := devSTS.AssumeRole(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}

	// A session policy narrows the session.
	out2, err := devSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("narrow"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`),
		Tags:   []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("blue")}}})
	if err != nil {
		t.Fatal(err)
	}
	nIAM, _ := e.Clients(*out2.Credentials.AccessKeyId, *out2.Credentials.SecretAccessKey, *out2.Credentials.SessionToken)
	if _, err := nIAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles in session policy: %v", err)
	}
	_, err = nIAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), "session policy") {
		t.Fatalf("session policy message = %v", err)
	}
}

func TestGetSessionToken(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	out, err := e.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(*out.Credentials.AccessKeyId, "ASIA") || time.Until(*out.Credentials.Expiration) > 16*time.Minute {
		t.Fatalf("credentials = %+v", out.Credentials)
	}
	sIAM, sSTS := e.Clients(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	id, err := sSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:iam::"+e.Account.ID+":user/admin" {
		t.Fatalf("identity = %+v, %v", id, err)
	}
	// Without MFA the session calls no IAM operation (TestSessionTokenLimits covers the rest).
	_, err = sIAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "InvalidClientTokenId")
	_, err = sSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	testutil.WantCode(t, err, "AccessDenied")
	_, err = e.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)})
	testutil.WantCode(t, err, "ValidationError")
	// MFA-less sessions say so in aws:MultiFactorAuthPresent: a policy requiring MFA denies.
	if _, err := e.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("mfa"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	// Long-term keys carry no aws:MultiFactorAuthPresent: BoolIfExists denies them too, which is
	// why AWS recommends it (IAM User Guide, "Configuring MFA-protected API access"), while a plain
	// Bool condition does not match a missing key.
	_, err = e.IAM.ListRoles(ctx, &awsiam.ListRolesInput{})
	testutil.WantCode(t, err, "AccessDenied")
	if _, err := e.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("mfa"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("long-term key under a Bool condition: %v", err)
	}
}

func TestExpiredSession(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	past := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	u, err := e.Svc.GetUser(ctx, e.Account.ID, "admin")
	if err != nil {
		t.Fatal(err)
	}
	sess := &iam.Session{Account: e.Account.ID, Type: iam.PrincipalUser, UserName: "admin", UserID: u.UserID, IssuedAt: past, Expiration: past.Add(time.Hour)}
	if err := e.Svc.IssueSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	_, s := e.Clients(sess.AccessKeyID, sess.Secret, sess.Token)
	_, err = s.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	testutil.WantCode(t, err, "ExpiredToken")
}

// A trust policy naming a role (with its path) lets that role's sessions assume it: the session is
// matched through its role's ARN.
func TestRoleChainingThroughRoleARNWithPath(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	first, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("first"), Path: aws.String("/team/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/admin"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("second"), MaxSessionDuration: aws.Int32(7200),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + *first.Role.Arn + `"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: first.Role.Arn, RoleSessionName: aws.String("one")})
	if err != nil {
		t.Fatal(err)
	}
	_, firstSTS := e.Clients(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	chained, err := firstSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: second.Role.Arn, RoleSessionName: aws.String("two")})
	if err != nil {
		t.Fatalf("chained AssumeRole: %v", err)
	}
	if *chained.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/second/two" {
		t.Fatalf("chained = %+v", chained.AssumedRoleUser)
	}
	// Role chaining caps the session at one hour, below the role's own 2-hour maximum.
	_, err = firstSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: second.Role.Arn, RoleSessionName: aws.String("long"), DurationSeconds: aws.Int32(3601)})
	testutil.WantCode(t, err, "ValidationError")
	if !strings.Contains(err.Error(), "role chaining") {
		t.Fatalf("message = %v", err)
	}
}

// TestPackedPolicySize: AssumeRole answers PackedPolicySize when session policies or tags were
// passed, and only then; a request whose policies and tags together exceed the space fails.
func TestPackedPolicySize(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:user/admin"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	role, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("packed"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	small := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	big := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("A", 1900) + `","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	cases := []struct {
		name string
		in   sts.AssumeRoleInput
		want int32 // 0: element absent
		code string
	}{
		{"nothing passed", sts.AssumeRoleInput{}, 0, ""},
		{"inline policy", sts.AssumeRoleInput{Policy: aws.String(small)}, int32((len(small)*100 + 2047) / 2048), ""},
		{"tags", sts.AssumeRoleInput{Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}, 1, ""},
		{"managed policy", sts.AssumeRoleInput{PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}}, 2, ""},
		{"too much together", sts.AssumeRoleInput{Policy: aws.String(big), Tags: []ststypes.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 200))}}}, 0, "PackedPolicyTooLarge"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.RoleArn, in.RoleSessionName = role.Role.Arn, aws.String("packed-session")
			out, err := e.STS.AssumeRole(ctx, &in)
			if c.code != "" {
				testutil.WantCode(t, err, c.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			//lint:ignore SA1019 the issue asks for PackedPolicySize, which AWS still sends beside its successor
			packed := out.PackedPolicySize
			if got := aws.ToInt32(packed); got != c.want || (c.want == 0) != (packed == nil) {
				t.Errorf("PackedPolicySize = %v, want %d", packed, c.want)
			}
			if aws.ToInt32(out.SessionTokenSize) != int32(len(aws.ToString(out.Credentials.SessionToken))) || aws.ToInt32(out.SessionTokenUtilization) != max(c.want, 1) {
				t.Errorf("SessionTokenSize %v, SessionTokenUtilization %v; want %d and %d", out.SessionTokenSize, out.SessionTokenUtilization, len(aws.ToString(out.Credentials.SessionToken)), max(c.want, 1))
			}
		})
	}
}

// TestDecodeAuthorizationMessage: Rootward encodes no authorization message, so every message is
// refused as invalid, once the caller may call the action at all.
func TestDecodeAuthorizationMessage(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	_, err := e.STS.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("dGhpcyBpcyBub3QgYSBtZXNzYWdl")})
	testutil.WantCode(t, err, "InvalidAuthorizationMessageException")
	_, nobody := e.UserClients("nobody", "")
	_, err = nobody.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("x")})
	testutil.WantCode(t, err, "AccessDenied")
}

// TestRefusedSTSOperations: GetDelegatedAccessToken refuses every trade-in token (refused.go),
// after the input is checked and the caller authorized.
func TestRefusedSTSOperations(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	_, err := e.STS.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String("token")})
	testutil.WantCode(t, err, "ExpiredTradeInTokenException")
	testutil.WantStatus(t, err, 400)
	_, nobody := e.UserClients("nobody", "")
	_, err = nobody.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String("token")})
	testutil.WantCode(t, err, "AccessDenied")
}
