package server_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// manyTags returns n distinct key=value pairs.
func manyTags(n int) []string {
	var kv []string
	for i := range n {
		kv = append(kv, "k"+strconv.Itoa(i), "v")
	}
	return kv
}

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

// TestSessionTagValidation checks AssumeRole's session tags against the STS Tag shape (IAM's), with
// keys unique whatever their case.
func TestSessionTagValidation(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	role, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("tagged-session"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	assume := func(kv ...string) error {
		var tags []ststypes.Tag
		for i := 0; i+1 < len(kv); i += 2 {
			tags = append(tags, ststypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := e.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("tagged"), Tags: tags})
		return err
	}
	sts := map[string]string{"InvalidInput": "InvalidParameterValue"}
	for _, tc := range badTagCases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.code
			if w, ok := sts[want]; ok {
				want = w
			}
			testutil.WantCode(t, assume(tc.tags...), want)
		})
	}
	if err := assume("Café Ω 7", "naïve value ½"); err != nil {
		t.Fatalf("valid session tags refused: %v", err)
	}
}

// TestOrganizationsTagCharacters checks Organizations' Tag pattern, ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$
// for keys and values: InvalidInputException with Reason INVALID_PATTERN.
func TestOrganizationsTagCharacters(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	rootID := e.NewOrg(m)
	for _, tc := range []struct {
		name string
		tags []string
	}{
		{"NUL in key", []string{"a\x00b", "v"}},
		{"control character in value", []string{"k", "v\x07"}},
		{"symbol outside the class", []string{"k", "a!b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(rootID), Tags: sdkTags(tc.tags...)})
			servertest.WantReason(t, err, "InvalidInputException", "INVALID_PATTERN")
			_, err = m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("ou"), Tags: sdkTags(tc.tags...)})
			servertest.WantReason(t, err, "InvalidInputException", "INVALID_PATTERN")
		})
	}
	if _, err := m.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(rootID), Tags: sdkTags("Café Ω 7", "naïve ½")}); err != nil {
		t.Fatalf("valid tags refused: %v", err)
	}
}
