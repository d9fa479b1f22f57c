package policy

import "strings"

// Checks IAM applies when it stores a policy document, beyond what Parse checks for every
// document it evaluates. They are kept apart from Parse so that a document stored before a check
// existed still evaluates (a stored policy that no longer parsed would deny, silently).
//
// The messages are AWS's as moto's tests record them (getmoto/moto
// tests/test_iam/test_iam_policies.py, cases checked against IAM) and as AWS users report them
// (e.g. aws/aws-cdk #13104: "IAM resource arn:aws:iam:us-east-1:123456789012:role/GlueJobRole
// cannot contain region information.").

// MsgManagedVersion is IAM's answer to a managed policy (CreatePolicy, CreatePolicyVersion) whose
// Version is missing or 2008-10-17: managed policies need the 2012-10-17 language (IAM User
// Guide, "IAM JSON policy elements: Version").
const MsgManagedVersion = "Policy document must be version 2012-10-17 or greater."

// DeclaredVersion returns the Version a document declares ("" when it has none), and false when
// the document is not a JSON object or its Version is not a string: then Parse's own answer stands.
func DeclaredVersion(doc string) (string, bool) {
	root, err := decodeJSON(doc)
	if err != nil || root.kind != jObject {
		return "", false
	}
	for i := range root.obj {
		if m := &root.obj[i]; m.key == "Version" {
			if m.val.kind != jString {
				return "", false
			}
			return m.val.s, true
		}
	}
	return "", true
}

// CheckResourceRegions refuses, in a parsed identity policy, a Resource or NotResource ARN of IAM
// or of an S3 bucket or object that names a region: IAM and S3 bucket ARNs have none (an S3 access
// point's does). Returns MalformedPolicyDocument with IAM's message, or nil.
func CheckResourceRegions(p *Policy) error {
	for _, st := range p.Statements {
		for _, list := range [][]string{st.Resource, st.NotResource} {
			for _, r := range list {
				if msg := resourceRegionMessage(r); msg != "" {
					return malformed(msg)
				}
			}
		}
	}
	return nil
}

func resourceRegionMessage(r string) string {
	parts := strings.SplitN(r, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[3] == "" {
		return ""
	}
	switch parts[2] {
	case "iam":
		return "IAM resource " + r + " cannot contain region information."
	case "s3":
		if !strings.HasPrefix(parts[5], "accesspoint/") {
			return "Resource " + r + " can not contain region information."
		}
	}
	return ""
}
