package iamapi_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	itypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
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
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	n := 0
	name := func() string { n++; return "t" + strconv.Itoa(n) }
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("tagged")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("tagged"), AssumeRolePolicyDocument: aws.String(tagTestTrust)}); err != nil {
		t.Fatal(err)
	}
	pol, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("tagged"), PolicyDocument: aws.String(tagTestPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		call func(tags []itypes.Tag) error
	}{
		{"CreateUser", func(tags []itypes.Tag) error {
			_, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name()), Tags: tags})
			return err
		}},
		{"TagUser", func(tags []itypes.Tag) error {
			_, err := e.IAM.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("tagged"), Tags: tags})
			return err
		}},
		{"CreateRole", func(tags []itypes.Tag) error {
			_, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name()), AssumeRolePolicyDocument: aws.String(tagTestTrust), Tags: tags})
			return err
		}},
		{"TagRole", func(tags []itypes.Tag) error {
			_, err := e.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("tagged"), Tags: tags})
			return err
		}},
		{"CreatePolicy", func(tags []itypes.Tag) error {
			_, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String(name()), PolicyDocument: aws.String(tagTestPolicy), Tags: tags})
			return err
		}},
		{"TagPolicy", func(tags []itypes.Tag) error {
			_, err := e.IAM.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: pol.Policy.Arn, Tags: tags})
			return err
		}},
		{"CreateVirtualMFADevice", func(tags []itypes.Tag) error {
			_, err := e.IAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name()), Tags: tags})
			return err
		}},
	}
	for _, op := range ops {
		for _, tc := range badTagCases {
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				testutil.WantCode(t, op.call(iamTags(tc.tags...)), tc.code)
			})
		}
		t.Run(op.name+"/Unicode letters, digits and spaces", func(t *testing.T) {
			if err := op.call(iamTags("Café Ω 7", "naïve value ½", "k_.:/=+-@", "")); err != nil {
				t.Fatalf("valid tags refused: %v", err)
			}
		})
	}
	// Nothing refused above reached the user.
	got, err := e.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("tagged")})
	if err != nil || len(got.Tags) != 2 {
		t.Fatalf("ListUserTags = %+v, %v; want the 2 valid tags only", got, err)
	}
}

// TestIAMTagKeysCaseInsensitive checks that a tag key set again in another case replaces the tag
// (IAM keeps one tag per key whatever its case, and the last writer's case), that untagging
// ignores case, and that going past 50 tags answers IAM's quota error.
func TestIAMTagKeysCaseInsensitive(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u"), Tags: iamTags("Test", "1", "Other", "x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("u"), Tags: iamTags("test", "2")}); err != nil {
		t.Fatal(err)
	}
	got, err := e.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("u")})
	if err != nil {
		t.Fatal(err)
	}
	if s := tagsString(got.Tags); s != "test=2,Other=x" {
		t.Fatalf("tags after TagUser test=2 = %s, want test=2,Other=x", s)
	}
	if _, err := e.IAM.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String("u"), TagKeys: []string{"OTHER"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("u")}); tagsString(got.Tags) != "test=2" {
		t.Fatalf("tags after UntagUser OTHER = %s, want test=2", tagsString(got.Tags))
	}
	_, err = e.IAM.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("u"), Tags: iamTags(manyTags(50)...)})
	testutil.WantCode(t, err, "LimitExceeded")
	if msg := testutil.ErrorMessage(err); msg != "Cannot exceed quota for TagsPerUser: 50." {
		t.Errorf("message = %q, want %q", msg, "Cannot exceed quota for TagsPerUser: 50.")
	}
	_, err = e.IAM.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String("u"), TagKeys: []string{"bad\x00key"}})
	testutil.WantCode(t, err, "ValidationError")
}

func tagsString(tags []itypes.Tag) string {
	parts := make([]string, len(tags))
	for i, tg := range tags {
		parts[i] = aws.ToString(tg.Key) + "=" + aws.ToString(tg.Value)
	}
	return strings.Join(parts, ",")
}
