package orgs

import (
	"strings"

	"github.com/rootward/rootward/internal/arn"
)

// Organizations' policy types. Authorization policies (SCPs, RCPs) are IAM-grammar documents the
// authorizer enforces; management policies (tag, backup, AI opt-out, chatbot, declarative, …) are
// JSON documents in the management policy syntax that are inherited down the organization and
// merged into an account's effective policy (DescribeEffectivePolicy) for the services that read
// them (Organizations User Guide, "Managing organizational policies", "Management policy types").
const (
	TypeRCP        = "RESOURCE_CONTROL_POLICY"
	TypeTag        = "TAG_POLICY"
	TypeBackup     = "BACKUP_POLICY"
	TypeAIOptOut   = "AISERVICES_OPT_OUT_POLICY"
	TypeChatbot    = "CHATBOT_POLICY"
	TypeDeclEC2    = "DECLARATIVE_POLICY_EC2"
	TypeSecHub     = "SECURITYHUB_POLICY"
	TypeInspector  = "INSPECTOR_POLICY"
	TypeUpgrade    = "UPGRADE_ROLLOUT_POLICY"
	TypeBedrock    = "BEDROCK_POLICY"
	TypeS3         = "S3_POLICY"
	TypeNetworkSec = "NETWORK_SECURITY_DIRECTOR_POLICY"
	TypeGuardDuty  = "GUARDDUTY_POLICY"
)

// policyType is what Rootward knows of a policy type.
type policyType struct {
	// maxSize is the document's character limit ("Quotas for AWS Organizations": SCPs and RCPs
	// 5,120; AI services opt-out policies 2,500; the other management policies 10,000).
	maxSize int
	// perTarget is how many policies of the type one root, OU or account may have attached (SCPs
	// and RCPs 5; management policies 10).
	perTarget int
	// managed is the AWS managed policy attached everywhere while the type is enabled (SCPs'
	// FullAWSAccess, RCPs' RCPFullAWSAccess); nil for management policies.
	managed *Policy
	// topKeys are the top-level keys a management policy of the type may hold (its grammar's
	// roots, from each type's syntax page in the Organizations User Guide); nil accepts any.
	topKeys []string
}

var policyTypes = map[string]policyType{
	TypeSCP:        {maxSize: maxPolicySize, perTarget: maxPoliciesPerTarget, managed: &fullAWSAccess},
	TypeRCP:        {maxSize: maxPolicySize, perTarget: maxPoliciesPerTarget, managed: &rcpFullAWSAccess},
	TypeTag:        {maxSize: 10000, perTarget: 10, topKeys: []string{"tags"}},
	TypeBackup:     {maxSize: 10000, perTarget: 10, topKeys: []string{"plans"}},
	TypeAIOptOut:   {maxSize: 2500, perTarget: 5, topKeys: []string{"services"}},
	TypeChatbot:    {maxSize: 10000, perTarget: 10, topKeys: []string{"chatbot"}},
	TypeDeclEC2:    {maxSize: 10000, perTarget: 10, topKeys: []string{"ec2_attributes"}},
	TypeSecHub:     {maxSize: 10000, perTarget: 10},
	TypeInspector:  {maxSize: 10000, perTarget: 10},
	TypeUpgrade:    {maxSize: 10000, perTarget: 10},
	TypeBedrock:    {maxSize: 10000, perTarget: 10},
	TypeS3:         {maxSize: 10000, perTarget: 10},
	TypeNetworkSec: {maxSize: 10000, perTarget: 10},
	TypeGuardDuty:  {maxSize: 10000, perTarget: 10},
}

// authorizationType reports whether t is an authorization policy type (IAM grammar, enforced).
func authorizationType(t string) bool { return t == TypeSCP || t == TypeRCP }

// RCPFullAWSAccessID is the ID of the AWS managed RCP that lets every request through RCP
// evaluation; attached to the root, every OU and every account while RCPs are enabled, and it
// cannot be detached (Organizations User Guide, "RCP syntax": "The effect of Allow is only
// supported for the RCPFullAWSAccess policy ... You cannot detach this policy").
const RCPFullAWSAccessID = "p-RCPFullAWSAccess"

var rcpFullAWSAccess = Policy{
	ID: RCPFullAWSAccessID, Name: "RCPFullAWSAccess", Type: TypeRCP, AwsManaged: true,
	Description: "Allows access to every operation",
	Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`,
	Arn:         arn.Organizations(arn.AWSAccount, "policy/resource_control_policy/"+RCPFullAWSAccessID),
}

// awsManagedPolicy returns the AWS managed policy with the given ID, nil for any other ID.
func awsManagedPolicy(id string) *Policy {
	for _, pt := range policyTypes {
		if pt.managed != nil && pt.managed.ID == id {
			p := *pt.managed
			return &p
		}
	}
	return nil
}

// typeEnabled reports whether policies of type t are in force: only in an all-features
// organization whose root has the type enabled.
func (o *Organization) typeEnabled(t string) bool {
	for _, e := range o.PolicyTypes {
		if e == t {
			return o.FeatureSet == FeatureSetAll
		}
	}
	return false
}

// typePath is the policy type as it appears in policy ARNs: service_control_policy, tag_policy.
func typePath(t string) string { return strings.ToLower(t) }
