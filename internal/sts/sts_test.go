package sts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/sts"
	"github.com/rootward/rootward/internal/testutil"
)

const acct = "111122223333"

var (
	user = &authz.Identity{Account: acct, Type: iam.PrincipalUser, ARN: "arn:aws:iam::" + acct + ":user/team/alice",
		PrincipalARN: "arn:aws:iam::" + acct + ":user/team/alice", UserID: "AIDAALICE", UserName: "alice"}
	root         = &authz.Identity{Account: acct, Type: iam.PrincipalRoot, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}
	userSession  = &authz.Identity{Account: acct, Type: iam.PrincipalUser, Session: &iam.Session{Type: iam.PrincipalUser}}
	mfaSession   = &authz.Identity{Account: acct, Type: iam.PrincipalUser, Session: &iam.Session{Type: iam.PrincipalUser, MFA: true}}
	rootSession  = &authz.Identity{Account: acct, Type: iam.PrincipalRoot, Session: &iam.Session{Type: iam.PrincipalRoot}}
	roleSession  = &authz.Identity{Account: acct, Type: iam.PrincipalAssumedRole, Session: &iam.Session{Type: iam.PrincipalAssumedRole}}
	assumedRoot  = &authz.Identity{Account: acct, Type: iam.PrincipalRoot, Session: &iam.Session{Type: iam.PrincipalRoot, AssumedRoot: true}}
	sourcedChain = &authz.Identity{Account: acct, Type: iam.PrincipalAssumedRole, Session: &iam.Session{Type: iam.PrincipalAssumedRole, SourceIdentity: "alice"}}
)

func TestMemberConstraints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		check func(string) error
		value string
		code  awserr.Code
	}{
		{"session name", sts.CheckSessionName, "ci-run@example.com", ""},
		{"session name of one character", sts.CheckSessionName, "a", awserr.ValidationError},
		{"session name of 65 characters", sts.CheckSessionName, strings.Repeat("a", 65), awserr.ValidationError},
		{"session name with a space", sts.CheckSessionName, "a b", awserr.ValidationError},
		{"session name with a colon", sts.CheckSessionName, "a:b", awserr.ValidationError},
		{"source identity", sts.CheckSourceIdentity, "alice", ""},
		{"empty source identity", sts.CheckSourceIdentity, "", awserr.ValidationError},
		{"source identity with a slash", sts.CheckSourceIdentity, "a/b", awserr.ValidationError},
		{"external ID with a colon and a slash", sts.CheckExternalID, "arn:aws:x/1", ""},
		{"empty external ID", sts.CheckExternalID, "", awserr.ValidationError},
		{"external ID of 1225 characters", sts.CheckExternalID, strings.Repeat("a", 1225), awserr.ValidationError},
		{"external ID with a space", sts.CheckExternalID, "a b", awserr.ValidationError},
		{"role ARN", sts.CheckRoleARN, "arn:aws:iam::" + acct + ":role/r", ""},
		{"role ARN of 19 characters", sts.CheckRoleARN, strings.Repeat("a", 19), awserr.ValidationError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testutil.WantCode(t, tc.check(tc.value), tc.code)
		})
	}
}

func TestSessionTokenLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name            string
		caller          *authz.Identity
		service, action string
		code            awserr.Code
	}{
		{"long-term key calls IAM", user, "iam", "ListUsers", ""},
		{"session without MFA calls IAM", userSession, "iam", "ListUsers", awserr.InvalidClientTokenID},
		{"root's session without MFA calls IAM", rootSession, "iam", "ListUsers", awserr.InvalidClientTokenID},
		{"session with MFA calls IAM", mfaSession, "iam", "ListUsers", ""},
		{"session calls AssumeRole", userSession, "sts", "AssumeRole", ""},
		{"session calls GetCallerIdentity", userSession, "sts", "GetCallerIdentity", ""},
		{"session calls GetSessionToken", mfaSession, "sts", "GetSessionToken", awserr.AccessDenied},
		{"session calls AssumeRoot", mfaSession, "sts", "AssumeRoot", awserr.AccessDenied},
		{"session calls Organizations", userSession, "organizations", "DescribeOrganization", ""},
		{"role session calls IAM", roleSession, "iam", "ListUsers", ""},
		{"role session calls GetSessionToken", roleSession, "sts", "GetSessionToken", ""},
		{"privileged root session calls IAM", assumedRoot, "iam", "ListUsers", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testutil.WantCode(t, sts.SessionTokenLimits(tc.caller, tc.service, tc.action), tc.code)
		})
	}
}

func TestUserSession(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	for _, tc := range []struct {
		name      string
		caller    *authz.Identity
		requested int
		want      time.Duration
		code      awserr.Code
	}{
		{"user's default", user, 0, 12 * time.Hour, ""},
		{"user's longest", user, 129600, 36 * time.Hour, ""},
		{"user above the longest", user, 129601, 0, awserr.ValidationError},
		{"user below the shortest", user, 899, 0, awserr.ValidationError},
		{"root's default", root, 0, time.Hour, ""},
		{"root above an hour", root, 3601, 0, awserr.ValidationError},
		{"session credentials", userSession, 900, 0, awserr.AccessDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sess, err := sts.UserSession(tc.caller, now, tc.requested)
			testutil.WantCode(t, err, tc.code)
			if err != nil {
				return
			}
			if got := sess.Expiration.Sub(sess.IssuedAt); got != tc.want || !sess.IssuedAt.Equal(now.Truncate(time.Second)) {
				t.Fatalf("issued %v for %v, want %v for %v", sess.IssuedAt, got, now.Truncate(time.Second), tc.want)
			}
		})
	}
	t.Run("the user's path stays with the session", func(t *testing.T) {
		t.Parallel()
		sess, err := sts.UserSession(user, now, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := sess.UserARN(); got != user.ARN {
			t.Fatalf("session's user ARN = %s, want %s", got, user.ARN)
		}
		if id := sts.SessionIdentity(sess); id.ARN != user.ARN || id.UserName != "alice" || id.UserID != "AIDAALICE" {
			t.Fatalf("session identity = %+v", id)
		}
	})
}

func TestRoleRules(t *testing.T) {
	t.Parallel()
	role := &iam.Role{RoleName: "r", MaxSessionDuration: 7200}
	for _, tc := range []struct {
		name      string
		caller    *authz.Identity
		requested int
		want      int
		code      awserr.Code
	}{
		{"default", user, 0, 3600, ""},
		{"up to the role's maximum", user, 7200, 7200, ""},
		{"above the role's maximum", user, 7201, 0, awserr.ValidationError},
		{"a role chain's hour", roleSession, 3600, 3600, ""},
		{"a role chain above an hour", roleSession, 3601, 0, awserr.ValidationError},
	} {
		t.Run("duration: "+tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := sts.RoleDuration(tc.caller, role, tc.requested)
			testutil.WantCode(t, err, tc.code)
			if got != tc.want {
				t.Fatalf("duration = %d, want %d", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, requested, want string
		caller                *authz.Identity
		code                  awserr.Code
	}{
		{"passed", "bob", "bob", user, ""},
		{"kept in a chain", "", "alice", sourcedChain, ""},
		{"the same in a chain", "alice", "alice", sourcedChain, ""},
		{"changed in a chain", "bob", "", sourcedChain, awserr.AccessDenied},
	} {
		t.Run("source identity: "+tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := sts.SourceIdentity(tc.caller, tc.requested)
			testutil.WantCode(t, err, tc.code)
			if got != tc.want {
				t.Fatalf("source identity = %q, want %q", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		caller *authz.Identity
		code   awserr.Code
	}{
		{"a user", user, ""},
		{"the root user", root, awserr.AccessDenied},
		{"the root user's session", rootSession, awserr.AccessDenied},
		{"a privileged root session", assumedRoot, ""},
	} {
		t.Run("assumer: "+tc.name, func(t *testing.T) {
			t.Parallel()
			testutil.WantCode(t, sts.CheckAssumer(tc.caller), tc.code)
		})
	}
}

func TestSessionTags(t *testing.T) {
	t.Parallel()
	tags := func(kv ...string) []iam.Tag {
		var out []iam.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, iam.Tag{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	from := &iam.Session{Tags: tags("Project", "blue", "Cost", "42"), TransitiveTagKeys: []string{"project"}}
	for _, tc := range []struct {
		name           string
		from           *iam.Session
		tags           []iam.Tag
		transitive     []string
		wantTags       string
		wantTransitive string
		code           awserr.Code
	}{
		{"own tags", nil, tags("Team", "a"), []string{"team"}, "Team=a", "team", ""},
		{"a chain carries transitive tags only", from, tags("Team", "a"), nil, "Project=blue Team=a", "Project", ""},
		{"a chain cannot replace a transitive tag", from, tags("PROJECT", "red"), nil, "", "", awserr.InvalidParameterValue},
		{"a transitive key names no tag", nil, tags("Team", "a"), []string{"Other"}, "", "", awserr.InvalidParameterValue},
		{"51 transitive keys", nil, nil, make([]string, 51), "", "", awserr.ValidationError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sess := &iam.Session{}
			err := sts.SessionTags(tc.from, sess, tc.tags, tc.transitive)
			testutil.WantCode(t, err, tc.code)
			if err != nil {
				return
			}
			var got []string
			for _, t := range sess.Tags {
				got = append(got, t.Key+"="+t.Value)
			}
			if g := strings.Join(got, " "); g != tc.wantTags {
				t.Fatalf("tags = %q, want %q", g, tc.wantTags)
			}
			if g := strings.Join(sess.TransitiveTagKeys, " "); g != tc.wantTransitive {
				t.Fatalf("transitive keys = %q, want %q", g, tc.wantTransitive)
			}
		})
	}
}

func TestAssumeRootRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		target, want string
		code         awserr.Code
	}{
		{"444455556666", "444455556666", ""},
		{"arn:aws:iam::444455556666:root", "444455556666", ""},
		{"arn:aws:iam::444455556666:user/x", "", awserr.ValidationError},
		{"44445555666", "", awserr.ValidationError},
	} {
		t.Run("target "+tc.target, func(t *testing.T) {
			t.Parallel()
			got, err := sts.TargetMember(tc.target)
			testutil.WantCode(t, err, tc.code)
			if got != tc.want {
				t.Fatalf("member = %q, want %q", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		arn  string
		code awserr.Code
	}{
		{"arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials", ""},
		{"arn:aws:iam::aws:policy/root-task/AdministratorAccess", awserr.ValidationError},
		{"arn:aws:iam::" + acct + ":policy/root-task/IAMAuditRootUserCredentials", awserr.ValidationError},
	} {
		t.Run("task "+tc.arn, func(t *testing.T) {
			t.Parallel()
			testutil.WantCode(t, sts.CheckTaskPolicy(tc.arn), tc.code)
		})
	}
	testutil.WantCode(t, sts.CheckRootCaller(root), awserr.AccessDenied)
	testutil.WantCode(t, sts.CheckRootCaller(assumedRoot), awserr.AccessDenied)
	testutil.WantCode(t, sts.CheckRootCaller(user), "")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	task := &iam.ManagedPolicy{Arn: "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
	sess := sts.RootSession(sourcedChain, "444455556666", task, now, 60)
	if !sess.AssumedRoot || sess.Account != "444455556666" || sess.SourceIdentity != "alice" || sess.Expiration.Sub(sess.IssuedAt) != time.Minute ||
		len(sess.TaskPolicies) != 1 || sess.TaskPolicies[0].Label != task.Arn {
		t.Fatalf("root session = %+v", sess)
	}
}

// TestAuthorizeAssume: a trust policy naming the caller decides alone in its account; identity
// policies alone never let anyone assume a role; passing tags needs sts:TagSession in the trust.
func TestAuthorizeAssume(t *testing.T) {
	t.Parallel()
	parse := func(doc string, kind policy.Kind) *policy.Policy {
		p, err := policy.Parse(doc, kind)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	trustUser := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + user.ARN + `"},"Action":"sts:AssumeRole"}]}`
	trustAccount := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	trustOther := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}`
	allowAll := parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.KindIdentity)
	for _, tc := range []struct {
		name     string
		trust    string
		identity []*policy.Policy
		req      sts.AssumeRequest
		code     awserr.Code
	}{
		{"trust names the user, no identity policy", trustUser, nil, sts.AssumeRequest{}, ""},
		{"trust names another account, identity allows", trustOther, []*policy.Policy{allowAll}, sts.AssumeRequest{}, awserr.AccessDenied},
		{"trust names the account, no identity policy", trustAccount, nil, sts.AssumeRequest{}, awserr.AccessDenied},
		{"trust names the account, identity allows", trustAccount, []*policy.Policy{allowAll}, sts.AssumeRequest{}, ""},
		{"tags without sts:TagSession in the trust", trustUser, nil, sts.AssumeRequest{Tags: []iam.Tag{{Key: "k", Value: "v"}}}, awserr.AccessDenied},
		{"tags with sts:TagSession in the trust", trustAccount, []*policy.Policy{allowAll}, sts.AssumeRequest{Tags: []iam.Tag{{Key: "k", Value: "v"}}}, ""},
		{"a trust policy that does not parse", `{`, []*policy.Policy{allowAll}, sts.AssumeRequest{}, awserr.MalformedPolicyDocument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			role := &iam.Role{RoleName: "r", Arn: "arn:aws:iam::" + acct + ":role/r", AssumeRolePolicyDocument: tc.trust, MaxSessionDuration: 3600}
			sess := sts.RoleSession(acct, role, "s1", "", time.Now(), 3600)
			ctx := new(policy.Context)
			sts.AssumeKeys(role, sess, tc.req)(ctx)
			testutil.WantCode(t, sts.AuthorizeAssume(&policy.Input{Identity: tc.identity}, user, role, sess, tc.req, ctx), tc.code)
		})
	}
}
