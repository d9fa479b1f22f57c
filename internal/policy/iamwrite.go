package policy

import (
	"slices"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

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

// IdentityWriteAnswer is IAM's answer to an identity policy it is asked to store, given Parse's
// answer parseErr: IAM checks a document in phases over all its statements, and the first phase
// that fails names the error, so where Parse (which checks one statement at a time) and IAM's
// order differ, IAM's message wins. The phases, as moto's AWS-checked cases show them
// (getmoto/moto tests/test_iam/test_iam_policies.py): syntax (Parse's answer stands); legacy
// parsing (a wrongly cased Effect, an unreadable date, a resource with "::" and fewer than six
// parts or an empty service); unique Sids; every statement has actions, each with a vendor
// prefix; every statement has resources; the resources' formats (partition, vendor, region, IAM
// resource path); the actions' colons and vendors. Returns parseErr when no phase finds more.
func IdentityWriteAnswer(doc string, parseErr error) error {
	if e, ok := awserr.As(parseErr); ok && e.Message == msgSyntax || parseErr != nil && !ok {
		return parseErr
	}
	root, err := decodeJSON(doc)
	if err != nil || root.kind != jObject {
		return parseErr
	}
	var stmts []writeStmt
	for i := range root.obj {
		if m := &root.obj[i]; m.key == "Statement" {
			list := []jvalue{m.val}
			if m.val.kind == jArray {
				list = m.val.arr
			}
			for j := range list {
				st, ok := readWriteStmt(&list[j])
				if !ok {
					return parseErr // Principal, or a shape only Parse judges
				}
				stmts = append(stmts, st)
			}
		}
	}
	if msg := writePhases(stmts); msg != "" {
		return malformed(msg)
	}
	return parseErr
}

// writeStmt is what IdentityWriteAnswer reads of a statement: which elements it has, and their
// strings.
type writeStmt struct {
	sid, effect                    string
	has                            map[string]bool
	action, notAction, res, notRes []string
	dates                          []string // the values of Date conditions
}

func readWriteStmt(v *jvalue) (writeStmt, bool) {
	st := writeStmt{has: map[string]bool{}}
	if v.kind != jObject {
		return st, false
	}
	strs := func(v *jvalue) ([]string, bool) {
		if v.kind == jString {
			return []string{v.s}, true
		}
		if v.kind != jArray {
			return nil, false
		}
		out := []string{}
		for _, e := range v.arr {
			if e.kind != jString {
				return nil, false
			}
			out = append(out, e.s)
		}
		return out, true
	}
	for i := range v.obj {
		m := &v.obj[i]
		st.has[m.key] = true
		ok := true
		switch m.key {
		case "Sid":
			st.sid, ok = m.val.s, m.val.kind == jString
		case "Effect":
			st.effect, ok = m.val.s, m.val.kind == jString
		case "Action":
			st.action, ok = strs(&m.val)
		case "NotAction":
			st.notAction, ok = strs(&m.val)
		case "Resource":
			st.res, ok = strs(&m.val)
		case "NotResource":
			st.notRes, ok = strs(&m.val)
		case "Condition":
			if m.val.kind != jObject {
				return st, false
			}
			for _, op := range m.val.obj {
				info, _, _, known := parseOperator(op.key)
				if !known || info.fam != famDate || op.val.kind != jObject {
					continue
				}
				for _, kv := range op.val.obj {
					vals, vok := strs(&kv.val)
					if !vok {
						return st, false
					}
					st.dates = append(st.dates, vals...)
				}
			}
		default:
			return st, false
		}
		if !ok {
			return st, false
		}
	}
	return st, true
}

func writePhases(stmts []writeStmt) string {
	// Legacy parsing, and the resources' format errors found on the way (the last one found
	// stands, each list read in reverse lexical order, as IAM's answers show).
	var resErr string
	for _, st := range stmts {
		if st.effect != "Allow" && st.effect != "Deny" {
			return msgLegacyParsing
		}
		if len(st.dates) > 0 && compileDate(&cond{}, st.dates) != "" {
			return msgLegacyParsing
		}
		for _, list := range [][]string{st.res, st.notRes} {
			if list == nil {
				continue
			}
			sorted := slices.Clone(list)
			slices.Sort(sorted)
			slices.Reverse(sorted)
			for _, r := range sorted {
				if msg := resourceFormat(r); msg != "" {
					resErr = msg
				}
			}
			if resErr != "" {
				continue
			}
			for _, r := range list {
				if r != "*" && (strings.Count(r, ":") < 5 && strings.Contains(r, "::") || len(strings.Split(r, ":")) > 2 && strings.Split(r, ":")[2] == "") {
					return msgLegacyParsing
				}
			}
		}
	}
	sids := map[string]bool{}
	for _, st := range stmts {
		if st.sid != "" && sids[st.sid] {
			return msgSidUniqueIAM
		}
		sids[st.sid] = true
	}
	for _, st := range stmts {
		if !st.has["Action"] && !st.has["NotAction"] || st.has["Action"] && len(st.action) == 0 || st.has["NotAction"] && len(st.notAction) == 0 {
			return msgMissingActions
		}
		for _, a := range append(slices.Clone(st.action), st.notAction...) {
			if a != "*" && !strings.Contains(a, ":") {
				return msgVendor
			}
		}
	}
	for _, st := range stmts {
		if !st.has["Resource"] && !st.has["NotResource"] || st.has["Resource"] && len(st.res) == 0 || st.has["NotResource"] && len(st.notRes) == 0 {
			return msgMissingRes
		}
	}
	if resErr != "" {
		return resErr
	}
	for _, st := range stmts {
		for _, a := range append(slices.Clone(st.action), st.notAction...) {
			if msg := validateAction(a); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// iamResourcePaths are the resource types an IAM ARN's resource part may start with, in the
// order IAM's message lists them.
var iamResourcePaths = []string{"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/",
	"policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}

// iamResourceAccepted reports whether an IAM ARN's resource part names a resource type a policy
// may name. IAM's message lists the older types only; the Service Authorization Reference's IAM and
// STS resource types also include the account's root (arn:aws:iam::ACCOUNT:root, the resource of
// sts:AssumeRoot) and role sessions (assumed-role/ROLE/SESSION), which a policy must be able to name
// ("Actions, resources, and condition keys for AWS Security Token Service",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html).
func iamResourceAccepted(rest string) bool {
	if rest == "root" || strings.HasPrefix(rest, "assumed-role/") {
		return true
	}
	return slices.ContainsFunc(iamResourcePaths, func(p string) bool { return strings.HasPrefix(rest, p) })
}

// resourceFormat is IAM's message for a Resource that is not a well-formed ARN of the aws
// partition, "" when it is one (or "*", or a policy variable).
func resourceFormat(r string) string {
	if r == "*" || strings.HasPrefix(r, "${") {
		return ""
	}
	_, rest, ok := strings.Cut(r, ":")
	if !ok {
		return "Resource " + r + " must be in ARN format or \"*\"."
	}
	partition, rest, more := strings.Cut(rest, ":")
	if partition != "aws" {
		parts := strings.Split(rest, ":")
		at := func(i int) string {
			if i < len(parts) && (parts[i] != "" || i > 0 || len(parts) > 1) {
				return parts[i]
			}
			return "*"
		}
		last := "*"
		if len(parts) > 3 {
			last = strings.Join(parts[3:], ":")
		}
		return "Partition \"" + partition + "\" is not valid for resource \"arn:" + partition + ":" + at(0) + ":" + at(1) + ":" + at(2) + ":" + last + "\"."
	}
	if !more {
		return "Resource vendor must be fully qualified and cannot contain regexes."
	}
	service, rest, _ := strings.Cut(rest, ":")
	if msg := resourceRegionMessage(r); msg != "" {
		return msg
	}
	_, rest, _ = strings.Cut(rest, ":") // region
	_, rest, _ = strings.Cut(rest, ":") // account
	if service == "iam" && !strings.HasPrefix(rest, "*") && !iamResourceAccepted(rest) {
		return "IAM resource path must either be \"*\" or start with " + strings.Join(iamResourcePaths, ", ") + "."
	}
	return ""
}
