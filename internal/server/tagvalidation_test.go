package server_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	itypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func iamTags(kv ...string) []itypes.Tag {
	out := make([]itypes.Tag, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, itypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// manyTags returns n distinct key=value pairs.
func manyTags(n int) []string {
	var kv []string
	for i := range n {
		kv = append(kv, "k"+strconv.Itoa(i), "v")
	}
	return kv
}

const (
	tagTestTrust  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	tagTestPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
)

// badTagCases are tag lists IAM refuses, with the code it answers (IAM API reference, data type
// Tag: key [\p{L}\p{Z}\p{N}_.:/=+\-@]+ of 1–128, value [\p{L}\p{Z}\p{N}_.:/=+\-@]* of 0–256; at most 50;
// keys case insensitive; aws: reserved).
var badTagCases = []struct {
	name string
	tags []string
	code string
}{
	{"NUL in key", []string{"a\x00b", "v"}, "ValidationError"},
	{"control character in key", []string{"a\x01b", "v"}, "ValidationError"},
	{"symbol outside the class in key", []string{"NOWAY!", "v"}, "ValidationError"},
	{"NUL in value", []string{"k", "v\x00"}, "ValidationError"},
	{"newline in value", []string{"k", "line\nbreak"}, "ValidationError"},
	{"key of 129 characters", []string{strings.Repeat("é", 129), "v"}, "ValidationError"},
	{"aws: prefix", []string{"aws:owner", "v"}, "InvalidInput"},
	{"AWS: prefix in another case", []string{"AWS:owner", "v"}, "InvalidInput"},
	{"same key in two cases", []string{"Env", "prod", "env", "dev"}, "InvalidInput"},
	{"51 tags", manyTags(51), "ValidationError"},
}

// TestIAMTagValidation checks every tag-taking IAM operation refuses what IAM refuses, changing
// nothing, and accepts AWS's whole character class (Unicode letters, digits, spaces).
func TestIAMTagValidation(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	n := 0
	name := func() string { n++; return "t" + strconv.Itoa(n) }
	if _, err := e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("tagged")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("tagged"), AssumeRolePolicyDocument: aws.String(tagTestTrust)}); err != nil {
		t.Fatal(err)
	}
	pol, err := e.iam.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("tagged"), PolicyDocument: aws.String(tagTestPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		call func(tags []itypes.Tag) error
	}{
		{"CreateUser", func(tags []itypes.Tag) error {
			_, err := e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name()), Tags: tags})
			return err
		}},
		{"TagUser", func(tags []itypes.Tag) error {
			_, err := e.iam.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("tagged"), Tags: tags})
			return err
		}},
		{"CreateRole", func(tags []itypes.Tag) error {
			_, err := e.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name()), AssumeRolePolicyDocument: aws.String(tagTestTrust), Tags: tags})
			return err
		}},
		{"TagRole", func(tags []itypes.Tag) error {
			_, err := e.iam.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("tagged"), Tags: tags})
			return err
		}},
		{"CreatePolicy", func(tags []itypes.Tag) error {
			_, err := e.iam.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String(name()), PolicyDocument: aws.String(tagTestPolicy), Tags: tags})
			return err
		}},
		{"TagPolicy", func(tags []itypes.Tag) error {
			_, err := e.iam.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: pol.Policy.Arn, Tags: tags})
			return err
		}},
		{"CreateVirtualMFADevice", func(tags []itypes.Tag) error {
			_, err := e.iam.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name()), Tags: tags})
			return err
		}},
	}
	for _, op := range ops {
		for _, tc := range badTagCases {
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				wantCode(t, op.call(iamTags(tc.tags...)), tc.code)
			})
		}
		t.Run(op.name+"/Unicode letters, digits and spaces", func(t *testing.T) {
			if err := op.call(iamTags("Café Ω 7", "naïve value ½", "k_.:/=+-@", "")); err != nil {
				t.Fatalf("valid tags refused: %v", err)
			}
		})
	}
	// Nothing refused above reached the user.
	got, err := e.iam.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("tagged")})
	if err != nil || len(got.Tags) != 2 {
		t.Fatalf("ListUserTags = %+v, %v; want the 2 valid tags only", got, err)
	}
}

// TestIAMTagKeysCaseInsensitive checks that a tag key set again in another case replaces the tag
// (IAM keeps one tag per key whatever its case, and the last writer's case), that untagging
// ignores case, and that going past 50 tags answers IAM's quota error.
func TestIAMTagKeysCaseInsensitive(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	if _, err := e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u"), Tags: iamTags("Test", "1", "Other", "x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("u"), Tags: iamTags("test", "2")}); err != nil {
		t.Fatal(err)
	}
	got, err := e.iam.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("u")})
	if err != nil {
		t.Fatal(err)
	}
	if s := tagsString(got.Tags); s != "test=2,Other=x" {
		t.Fatalf("tags after TagUser test=2 = %s, want test=2,Other=x", s)
	}
	if _, err := e.iam.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String("u"), TagKeys: []string{"OTHER"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.iam.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("u")}); tagsString(got.Tags) != "test=2" {
		t.Fatalf("tags after UntagUser OTHER = %s, want test=2", tagsString(got.Tags))
	}
	_, err = e.iam.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("u"), Tags: iamTags(manyTags(50)...)})
	wantCode(t, err, "LimitExceeded")
	if msg := apiMessage(err); msg != "Cannot exceed quota for TagsPerUser: 50." {
		t.Errorf("message = %q, want %q", msg, "Cannot exceed quota for TagsPerUser: 50.")
	}
	_, err = e.iam.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String("u"), TagKeys: []string{"bad\x00key"}})
	wantCode(t, err, "ValidationError")
}

func tagsString(tags []itypes.Tag) string {
	parts := make([]string, len(tags))
	for i, tg := range tags {
		parts[i] = aws.ToString(tg.Key) + "=" + aws.ToString(tg.Value)
	}
	return strings.Join(parts, ",")
}

// TestSessionTagValidation checks AssumeRole's session tags against the STS Tag shape (IAM's), with
// keys unique whatever their case.
func TestSessionTagValidation(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.account.ID + `:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	role, err := e.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("tagged-session"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	assume := func(kv ...string) error {
		var tags []ststypes.Tag
		for i := 0; i+1 < len(kv); i += 2 {
			tags = append(tags, ststypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("tagged"), Tags: tags})
		return err
	}
	sts := map[string]string{"InvalidInput": "InvalidParameterValue"}
	for _, tc := range badTagCases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.code
			if w, ok := sts[want]; ok {
				want = w
			}
			wantCode(t, assume(tc.tags...), want)
		})
	}
	if err := assume("Café Ω 7", "naïve value ½"); err != nil {
		t.Fatalf("valid session tags refused: %v", err)
	}
}

// TestOrganizationsTagCharacters checks Organizations' Tag pattern, ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$
// for keys and values: InvalidInputException with Reason INVALID_PATTERN.
func TestOrganizationsTagCharacters(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	m := e.mgmt()
	rootID := e.newOrg(m)
	for _, tc := range []struct {
		name string
		tags []string
	}{
		{"NUL in key", []string{"a\x00b", "v"}},
		{"control character in value", []string{"k", "v\x07"}},
		{"symbol outside the class", []string{"k", "a!b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(rootID), Tags: sdkTags(tc.tags...)})
			wantReason(t, err, "InvalidInputException", "INVALID_PATTERN")
			_, err = m.orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("ou"), Tags: sdkTags(tc.tags...)})
			wantReason(t, err, "InvalidInputException", "INVALID_PATTERN")
		})
	}
	if _, err := m.orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(rootID), Tags: sdkTags("Café Ω 7", "naïve ½")}); err != nil {
		t.Fatalf("valid tags refused: %v", err)
	}
}
