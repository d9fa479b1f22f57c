package stsapi_test

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	rwsts "github.com/rootward/rootward/internal/sts"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/testutil/testidp"
	"github.com/rootward/rootward/internal/trail"
)

func TestAssumeRoleWithSAML(t *testing.T) {
	t.Parallel()
	idp := testidp.New(t, "")
	e, clk := federationEnv(t, idp)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	prov, err := e.IAM.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(idp.Metadata())})
	if err != nil {
		t.Fatal(err)
	}
	provARN := aws.ToString(prov.SAMLProviderArn)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession","sts:SetSourceIdentity"],` +
		`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml","saml:iss":"` + idp.EntityID + `","saml:doc":"` + acct + `/corp"},"StringLike":{"saml:sub":"*@corp.example"}}}]}`
	role, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("Engineers"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	roleARN := aws.ToString(role.Role.Arn)
	anon := anonymousSTS(e)
	now := clk.Now()
	base := func() testidp.Assertion {
		return testidp.Assertion{Now: now, Subject: "alice@corp.example", Roles: []string{provARN + "," + roleARN}, SessionName: "alice"}
	}
	call := func(resp string) (*sts.AssumeRoleWithSAMLOutput, error) {
		return anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(resp)})
	}

	tagged := base()
	tagged.Roles = []string{roleARN + "," + provARN} // role first: either order pairs them
	tagged.Attributes = map[string][]string{
		testidp.PrincipalTag + "team": {"blue"}, testidp.TransitiveTag: {"team"},
		testidp.SourceIDAttr: {"alice"}, testidp.DurationAttr: {"1800"},
	}
	signedResponse := base()
	signedResponse.SignResponse = true
	for name, a := range map[string]testidp.Assertion{"assertion signed": base(), "response signed": signedResponse, "tags and attributes": tagged} {
		t.Run(name, func(t *testing.T) {
			out, err := call(idp.SAMLResponse(t, a))
			if err != nil {
				t.Fatal(err)
			}
			nq := rwsts.NameQualifier(idp.EntityID, acct, "corp")
			switch {
			case aws.ToString(out.Subject) != "alice@corp.example", aws.ToString(out.SubjectType) != "persistent",
				aws.ToString(out.Issuer) != idp.EntityID, aws.ToString(out.Audience) != testidp.AWSAudience,
				aws.ToString(out.NameQualifier) != nq:
				t.Fatalf("got subject %q type %q issuer %q audience %q namequalifier %q (want %q)", aws.ToString(out.Subject), aws.ToString(out.SubjectType),
					aws.ToString(out.Issuer), aws.ToString(out.Audience), aws.ToString(out.NameQualifier), nq)
			}
			if want := "arn:aws:sts::" + acct + ":assumed-role/Engineers/alice"; aws.ToString(out.AssumedRoleUser.Arn) != want {
				t.Fatalf("AssumedRoleUser.Arn = %s, want %s", aws.ToString(out.AssumedRoleUser.Arn), want)
			}
			if name == "tags and attributes" {
				if aws.ToString(out.SourceIdentity) != "alice" {
					t.Fatalf("SourceIdentity = %q, want alice", aws.ToString(out.SourceIdentity))
				}
				if got := out.Credentials.Expiration.Sub(now); got != 1800*time.Second {
					t.Fatalf("duration %v, want the SessionDuration attribute's 1800s", got)
				}
			}
		})
	}

	other := testidp.New(t, "")
	expired := base()
	expired.NotOnOrAfter = now.Add(-time.Second)
	notYet := base()
	notYet.NotBefore = now.Add(10 * time.Minute)
	wrongAud := base()
	wrongAud.Audience = "https://sp.example.com"
	wrongRecipient := base()
	wrongRecipient.Recipient = "https://evil.example.com/saml"
	otherRole := base()
	otherRole.Roles = []string{provARN + ",arn:aws:iam::" + acct + ":role/Admins"}
	noSession := base()
	noSession.SessionName = ""
	outsider := base()
	outsider.Subject = "mallory@evil.example"
	unsigned := base()
	unsigned.Unsigned = true
	wrongIssuer := base()
	wrongIssuer.Issuer = "https://evil.example.com"
	for _, tc := range []struct {
		name, resp, code, msg string
	}{
		{"wrong key", idp.SAMLResponseWrongKey(t, base()), "InvalidIdentityToken", "Response signature invalid"},
		{"another IdP's key", other.SAMLResponse(t, base()), "InvalidIdentityToken", ""},
		{"tampered after signing", idp.SAMLResponseTampered(t, base(), "mallory@corp.example"), "InvalidIdentityToken", "Response signature invalid"},
		{"unsigned", idp.SAMLResponse(t, unsigned), "InvalidIdentityToken", ""},
		{"wrapped: a forged assertion beside the signed one", idp.SAMLResponseWrapped(t, base(), "admin@corp.example"), "InvalidIdentityToken", ""},
		{"expired", idp.SAMLResponse(t, expired), "ExpiredTokenException", ""},
		{"not yet valid", idp.SAMLResponse(t, notYet), "InvalidIdentityToken", ""},
		{"wrong audience", idp.SAMLResponse(t, wrongAud), "InvalidIdentityToken", ""},
		{"wrong recipient", idp.SAMLResponse(t, wrongRecipient), "InvalidIdentityToken", ""},
		{"wrong issuer", idp.SAMLResponse(t, wrongIssuer), "InvalidIdentityToken", ""},
		{"role not in the assertion", idp.SAMLResponse(t, otherRole), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"no RoleSessionName", idp.SAMLResponse(t, noSession), "InvalidIdentityToken", ""},
		{"subject the trust policy refuses", idp.SAMLResponse(t, outsider), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"not base64", "%%%%", "InvalidIdentityToken", ""},
		{"not XML", base64.StdEncoding.EncodeToString([]byte("hello")), "InvalidIdentityToken", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := call(tc.resp)
			testutil.WantCode(t, err, tc.code)
			if tc.msg != "" && testutil.ErrorMessage(err) != tc.msg {
				t.Fatalf("message %q, want %q", testutil.ErrorMessage(err), tc.msg)
			}
		})
	}
	_, err = anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String("arn:aws:iam::" + acct + ":saml-provider/nope"),
		SAMLAssertion: aws.String(idp.SAMLResponse(t, base()))})
	testutil.WantCode(t, err, "InvalidIdentityToken")

	e.Trail.Flush()
	p, err := trail.List(context.Background(), e.Store, trail.Query{Account: acct})
	if err != nil {
		t.Fatal(err)
	}
	var recorded bool
	for _, ev := range p.Events {
		if ev.EventName == "AssumeRoleWithSAML" && ev.ErrorCode == "" {
			u := ev.UserIdentity
			if u.Type != "SAMLUser" || u.UserName != "alice@corp.example" || u.IdentityProvider == "" || u.PrincipalID != u.IdentityProvider+":alice@corp.example" {
				t.Fatalf("userIdentity = %+v", u)
			}
			if ev.RequestParameters["sAMLAssertion"] != nil && ev.RequestParameters["sAMLAssertion"] != trail.Hidden {
				t.Fatal("the assertion was recorded")
			}
			recorded = true
		}
	}
	if !recorded {
		t.Fatal("no AssumeRoleWithSAML record")
	}
}
