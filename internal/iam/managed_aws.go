package iam

import (
	"slices"
	"strings"
	"time"

	rwarn "github.com/rootward/rootward/internal/arn"
)

// awsManaged are the AWS managed policies Rootward ships, under arn:aws:iam::aws:policy/. Documents
// follow the published policies in the AWS Managed Policy Reference Guide, reduced to the services
// Rootward serves where the real ones enumerate hundreds of actions (ReadOnlyAccess, PowerUserAccess).
var awsManaged = []ManagedPolicy{
	awsPolicy("AdministratorAccess", "/", "ANPAIWMBCKSKIEE64ZLYK", "v1",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
	awsPolicy("PowerUserAccess", "/", "ANPAJYRXTHIB4FOVS3ZXS", "v5",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}]}`),
	awsPolicy("ReadOnlyAccess", "/", "ANPAILL3HVNFSB6DCOWYQ", "v1",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Generate*","iam:Get*","iam:List*","iam:Simulate*","sts:GetCallerIdentity","sts:GetAccessKeyInfo","organizations:Describe*","organizations:List*","cloudtrail:Describe*","cloudtrail:Get*","cloudtrail:List*","cloudtrail:LookupEvents","config:Describe*","config:Get*","config:List*","securityhub:Describe*","securityhub:Get*","securityhub:List*"],"Resource":"*"}]}`),
	awsPolicy("IAMFullAccess", "/", "ANPAI7XKCFMBPM3QQRRVQ", "v2",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}`),
	awsPolicy("IAMReadOnlyAccess", "/", "ANPAJKSO7NDY4T57MWDSQ", "v4",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}`),
	awsPolicy("IAMUserChangePassword", "/", "ANPAJ4L4MM2A7QIEB56MS", "v2",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],"Resource":["arn:aws:iam::*:user/${aws:username}"]},{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`),
}

// awsManagedDate is the creation date reported for the shipped AWS managed policies.
var awsManagedDate = time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)

func awsPolicy(name, path, id, version, doc string) ManagedPolicy {
	return ManagedPolicy{
		PolicyName: name, PolicyID: id, Path: path, Arn: rwarn.AWSManagedPolicy(path, name),
		DefaultVersionID: version, IsAttachable: true, CreateDate: awsManagedDate, UpdateDate: awsManagedDate,
		Versions: []PolicyVersion{{Document: doc, VersionID: version, IsDefaultVersion: true, CreateDate: awsManagedDate}},
	}
}

// AddAWSManaged registers more AWS managed policies (e.g. the root-task policies of the
// organizations feature). It must be called before the service serves requests.
func AddAWSManaged(p ...ManagedPolicy) { awsManaged = append(awsManaged, p...) }

// AWSManagedPolicy builds an AWS managed policy value for AddAWSManaged.
func AWSManagedPolicy(name, path, id, version, doc string) ManagedPolicy {
	return awsPolicy(name, path, id, version, doc)
}

func awsManagedByARN(arn string) (*ManagedPolicy, bool) {
	if !strings.HasPrefix(arn, rwarn.AWSManagedPolicyPrefix) {
		return nil, false
	}
	for i := range awsManaged {
		if awsManaged[i].Arn == arn {
			// A copy with versions of its own: callers fill in per-account counts and each
			// version's IsDefaultVersion, which must never write to the shared catalogue (concurrent
			// requests read it).
			p := awsManaged[i]
			p.Versions = slices.Clone(p.Versions)
			return &p, true
		}
	}
	return nil, false
}
