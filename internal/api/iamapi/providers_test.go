package iamapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/testutil/testidp"
)

func TestSAMLProviderOps(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	idp := testidp.New(t, "")
	md := idp.Metadata()
	out, err := e.IAM.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Corp_IdP.1"), SAMLMetadataDocument: aws.String(md),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("id")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::" + e.Account.ID + ":saml-provider/Corp_IdP.1"
	if got := aws.ToString(out.SAMLProviderArn); got != arn {
		t.Fatalf("SAMLProviderArn = %s, want %s", got, arn)
	}
	if len(out.Tags) != 1 || *out.Tags[0].Key != "team" {
		t.Fatalf("Tags = %+v, want team=id", out.Tags)
	}
	got, err := e.IAM.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.SAMLMetadataDocument) != md || got.CreateDate == nil || got.ValidUntil == nil || !got.ValidUntil.After(*got.CreateDate) || len(got.Tags) != 1 {
		t.Fatalf("GetSAMLProvider = %+v", got)
	}

	bad := strings.Repeat(" ", 1000) + "<notmetadata/>"
	noKey := strings.Replace(md, `use="signing"`, `use="encryption"`, 1)
	for _, tc := range []struct {
		name, provName, doc, code string
	}{
		{"again", "Corp_IdP.1", md, "EntityAlreadyExists"},
		{"not metadata", "other", bad, "InvalidInput"},
		{"no signing certificate", "other", noKey, "InvalidInput"},
		{"short document", "other", "<x/>", "ValidationError"},
		{"bad name", "bad name!", md, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.IAM.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String(tc.provName), SAMLMetadataDocument: aws.String(tc.doc)})
			testutil.WantCode(t, err, tc.code)
		})
	}
	if code, msg := testutil.APIError(t, func() error {
		_, err := e.IAM.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("other"), SAMLMetadataDocument: aws.String(bad)})
		return err
	}()); code != "InvalidInput" || msg != "Could not parse metadata" {
		t.Fatalf("bad metadata: got %s %q, want InvalidInput %q", code, msg, "Could not parse metadata")
	}

	list, err := e.IAM.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.SAMLProviderList) != 1 || aws.ToString(list.SAMLProviderList[0].Arn) != arn || list.SAMLProviderList[0].CreateDate == nil {
		t.Fatalf("ListSAMLProviders = %+v", list.SAMLProviderList)
	}

	other := testidp.New(t, "")
	upd, err := e.IAM.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(other.Metadata())})
	if err != nil || aws.ToString(upd.SAMLProviderArn) != arn {
		t.Fatalf("UpdateSAMLProvider = %+v, %v", upd, err)
	}
	_, err = e.IAM.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(bad)})
	testutil.WantCode(t, err, "InvalidInput")
	if got, _ := e.IAM.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}); aws.ToString(got.SAMLMetadataDocument) != other.Metadata() {
		t.Fatal("a refused UpdateSAMLProvider changed the document")
	}

	if _, err := e.IAM.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.UntagSAMLProvider(ctx, &awsiam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(arn), TagKeys: []string{"TEAM"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.IAM.ListSAMLProviderTags(ctx, &awsiam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "env" {
		t.Fatalf("ListSAMLProviderTags = %+v, %v; want env only", tags, err)
	}

	// Tag-conditioned access: a user allowed the SAML operations only on providers tagged env=dev.
	devIAM, _ := e.UserClients("dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*SAMLProvider*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}}]}`)
	_, err = devIAM.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	testutil.WantCode(t, err, "AccessDenied")

	missing := "arn:aws:iam::" + e.Account.ID + ":saml-provider/nope"
	for name, call := range map[string]func() error{
		"get": func() error {
			_, err := e.IAM.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(missing)})
			return err
		},
		"delete": func() error {
			_, err := e.IAM.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(missing)})
			return err
		},
		"tag": func() error {
			_, err := e.IAM.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: aws.String(missing), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
			return err
		},
	} {
		t.Run("missing "+name, func(t *testing.T) {
			err := call()
			testutil.WantCode(t, err, "NoSuchEntity")
			testutil.WantStatus(t, err, 404)
			if got, want := testutil.ErrorMessage(err), "Manifest not found for arn "+missing; got != want {
				t.Fatalf("message %q, want %q", got, want)
			}
		})
	}
	if _, err := e.IAM.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.IAM.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{}); len(list.SAMLProviderList) != 0 {
		t.Fatalf("after delete: %+v", list.SAMLProviderList)
	}
}

func TestOIDCProviderOps(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	tp := strings.Repeat("A", 40)
	out, err := e.IAM.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://Token.Example.com/tenant"),
		ClientIDList: []string{"sts.amazonaws.com", "sts.amazonaws.com", "app"}, ThumbprintList: []string{tp}})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::" + e.Account.ID + ":oidc-provider/token.example.com/tenant"
	if got := aws.ToString(out.OpenIDConnectProviderArn); got != arn {
		t.Fatalf("ARN = %s, want %s", got, arn)
	}
	// Without thumbprints, as AWS now allows.
	if _, err := e.IAM.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://other.example.com")}); err != nil {
		t.Fatal(err)
	}
	got, err := e.IAM.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Url) != "token.example.com/tenant" || len(got.ClientIDList) != 2 || len(got.ThumbprintList) != 1 || got.ThumbprintList[0] != strings.ToLower(tp) || got.CreateDate == nil {
		t.Fatalf("GetOpenIDConnectProvider = %+v", got)
	}

	for _, tc := range []struct {
		name  string
		in    awsiam.CreateOpenIDConnectProviderInput
		code  string
		msg   string
		state int
	}{
		{"again", awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.example.com/tenant")}, "EntityAlreadyExists", "Provider with url https://token.example.com/tenant already exists.", 409},
		{"http", awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("http://x.example.com")}, "InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://.", 400},
		{"no scheme", awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("x.example.com")}, "ValidationError", "Invalid Open ID Connect Provider URL", 400},
		{"port", awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example.com:8443")}, "InvalidInput", "Invalid Open ID Connect Provider URL.", 400},
		{"query", awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example.com?a=b")}, "InvalidInput", "Invalid Open ID Connect Provider URL.", 400},
		{"six thumbprints", awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://y.example.com"), ThumbprintList: []string{tp, tp + "", strings.Repeat("b", 40), strings.Repeat("c", 40), strings.Repeat("d", 40), strings.Repeat("e", 40)}}, "InvalidInput", "Thumbprint list must contain fewer than 5 entries.", 400},
		{"short thumbprint", awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://y.example.com"), ThumbprintList: []string{"abc"}}, "InvalidInput", "Thumbprint must be exactly 40 characters.", 400},
		{"101 client IDs", awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://y.example.com"), ClientIDList: manyIDs(101)}, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", 409},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.IAM.CreateOpenIDConnectProvider(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
			testutil.WantStatus(t, err, tc.state)
			if got := testutil.ErrorMessage(err); got != tc.msg {
				t.Fatalf("message %q, want %q", got, tc.msg)
			}
		})
	}

	if _, err := e.IAM.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("third")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.RemoveClientIDFromOpenIDConnectProvider(ctx, &awsiam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{strings.Repeat("b", 40)}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IAM.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{"short"}})
	testutil.WantCode(t, err, "InvalidInput")
	if _, err := e.IAM.TagOpenIDConnectProvider(ctx, &awsiam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	got, err = e.IAM.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.ClientIDList, ",") != "sts.amazonaws.com,third" || strings.Join(got.ThumbprintList, ",") != strings.Repeat("b", 40) || len(got.Tags) != 1 {
		t.Fatalf("after changes: %+v", got)
	}
	if _, err := e.IAM.UntagOpenIDConnectProvider(ctx, &awsiam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	if tags, err := e.IAM.ListOpenIDConnectProviderTags(ctx, &awsiam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil || len(tags.Tags) != 0 {
		t.Fatalf("ListOpenIDConnectProviderTags = %+v, %v", tags, err)
	}
	list, err := e.IAM.ListOpenIDConnectProviders(ctx, &awsiam.ListOpenIDConnectProvidersInput{})
	if err != nil || len(list.OpenIDConnectProviderList) != 2 {
		t.Fatalf("ListOpenIDConnectProviders = %+v, %v", list, err)
	}
	missing := "arn:aws:iam::" + e.Account.ID + ":oidc-provider/nope.example.com"
	_, err = e.IAM.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(missing)})
	testutil.WantCode(t, err, "NoSuchEntity")
	if got, want := testutil.ErrorMessage(err), "OpenIDConnect Provider not found for arn "+missing; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
	_, err = e.IAM.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(missing), ClientID: aws.String("x")})
	testutil.WantCode(t, err, "NoSuchEntity")
	if _, err := e.IAM.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IAM.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	testutil.WantCode(t, err, "NoSuchEntity")

	// A user may create providers only with a tag it names.
	limited, _ := e.UserClients("limited", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateOpenIDConnectProvider","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/owner":"limited"}}}]}`)
	_, err = limited.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://z.example.com")})
	testutil.WantCode(t, err, "AccessDenied")
	_, err = limited.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://z.example.com"), Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("limited")}}})
	testutil.WantCode(t, err, "")
}

func manyIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "client-" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + strings.Repeat("y", i/26)
	}
	return out
}
