package compliance

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/policy"
)

// The checks. Semantics and parameters of the AWS managed rules follow the AWS Config Developer
// Guide's "List of AWS Config Managed Rules" (https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html);
// the Security Hub controls the "Security Hub controls reference"
// (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-controls-reference.html),
// IAM and Account controls; Trusted Advisor's check IDs its API reference's check list. The
// ROOTWARD_ checks are what the IAM User Guide's root-user best practices
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html) ask for and no
// AWS service evaluates.
var catalogue = []Check{
	{
		ID: "ROOT_ACCOUNT_MFA_ENABLED", Title: "The root user has MFA enabled", ConfigRule: true, Periodic: true,
		Description:   "Checks whether the root user of the account requires multi-factor authentication for console sign-in.",
		ResourceTypes: []string{TypeAccount},
		SecurityHub: []Control{{ID: "IAM.9", Title: "MFA should be enabled for the root user", Severity: "CRITICAL",
			Standards: []string{StandardFSBP, StandardCIS}}},
		TrustedAdvisor: &AdvisorCheck{ID: "7DAFEmoDos", Name: "MFA on Root Account", Category: "security"},
		Remediation:    "Enable an MFA device for the root user: https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html",
		eval: rootCheck(func(r Root, _ params) (bool, string) {
			if r.MFAEnabled {
				return true, fmt.Sprintf("The root user has %d MFA device(s).", r.VirtualMFA+r.HardwareMFA)
			}
			return false, "The root user has no MFA device."
		}),
	},
	{
		ID: "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", Title: "The root user uses hardware MFA", ConfigRule: true, Periodic: true,
		Description:   "Checks whether the root user uses a hardware MFA device (a hardware TOTP token or a FIDO security key) and no virtual MFA device.",
		ResourceTypes: []string{TypeAccount},
		SecurityHub: []Control{{ID: "IAM.6", Title: "Hardware MFA should be enabled for the root user", Severity: "CRITICAL",
			Standards: []string{StandardFSBP, StandardCIS}}},
		Remediation: "Register a hardware MFA device or security key for the root user and remove its virtual MFA devices: https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-fido-mfa-for-root.html",
		eval: rootCheck(func(r Root, _ params) (bool, string) {
			switch {
			case !r.MFAEnabled:
				return false, "The root user has no MFA device."
			case r.VirtualMFA > 0:
				return false, fmt.Sprintf("The root user has %d virtual MFA device(s).", r.VirtualMFA)
			}
			return true, fmt.Sprintf("The root user has %d hardware MFA device(s) and no virtual one.", r.HardwareMFA)
		}),
	},
	{
		ID: "IAM_ROOT_ACCESS_KEY_CHECK", Title: "The root user has no access key", ConfigRule: true, Periodic: true,
		Description:   "Checks whether the root user has an access key.",
		ResourceTypes: []string{TypeAccount},
		SecurityHub: []Control{{ID: "IAM.4", Title: "IAM root user access key should not exist", Severity: "CRITICAL",
			Standards: []string{StandardFSBP, StandardCIS}}},
		Remediation: "Delete the root user's access keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html",
		eval: rootCheck(func(r Root, _ params) (bool, string) {
			if r.AccessKeys > 0 {
				return false, fmt.Sprintf("The root user has %d access key(s).", r.AccessKeys)
			}
			return true, "The root user has no access key."
		}),
	},
	{
		ID: "IAM_USER_MFA_ENABLED", Title: "IAM users have MFA enabled", ConfigRule: true, Periodic: true,
		Description:   "Checks whether every IAM user has an MFA device.",
		ResourceTypes: []string{TypeUser},
		SecurityHub: []Control{{ID: "IAM.19", Title: "MFA should be enabled for all IAM users", Severity: "MEDIUM",
			Standards: []string{StandardFSBP}}},
		Remediation: "Enable an MFA device for the user: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html",
		eval: userCheck(func(u User, _ *Facts, _ params) (Status, string) {
			if u.MFADevices > 0 {
				return Passed, fmt.Sprintf("The user has %d MFA device(s).", u.MFADevices)
			}
			return Failed, "The user has no MFA device."
		}),
	},
	{
		ID: "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", Title: "IAM users with a console password have MFA", ConfigRule: true, Periodic: true,
		Description:   "Checks whether every IAM user with a console password has an MFA device.",
		ResourceTypes: []string{TypeUser},
		SecurityHub: []Control{{ID: "IAM.5", Title: "MFA should be enabled for all IAM users that have a console password", Severity: "MEDIUM",
			Standards: []string{StandardFSBP, StandardCIS}}},
		Remediation: "Enable an MFA device for the user, or remove its console password: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html",
		eval: userCheck(func(u User, _ *Facts, _ params) (Status, string) {
			switch {
			case !u.PasswordEnabled:
				return NotApplicable, "The user has no console password."
			case u.MFADevices > 0:
				return Passed, fmt.Sprintf("The user has a console password and %d MFA device(s).", u.MFADevices)
			}
			return Failed, "The user has a console password and no MFA device."
		}),
	},
	{
		ID: "IAM_PASSWORD_POLICY", Title: "The account password policy meets the requirements", ConfigRule: true, Periodic: true,
		Description:   "Checks whether the account password policy for IAM users meets the specified requirements.",
		ResourceTypes: []string{TypeAccount},
		Params: []Param{
			{Name: "RequireUppercaseCharacters", Default: "true", Type: "bool", Optional: true},
			{Name: "RequireLowercaseCharacters", Default: "true", Type: "bool", Optional: true},
			{Name: "RequireSymbols", Default: "true", Type: "bool", Optional: true},
			{Name: "RequireNumbers", Default: "true", Type: "bool", Optional: true},
			{Name: "MinimumPasswordLength", Default: "14", Type: "int", Optional: true},
			{Name: "PasswordReusePrevention", Default: "24", Type: "int", Optional: true},
			{Name: "MaxPasswordAge", Default: "90", Type: "int", Optional: true},
		},
		SecurityHub: []Control{
			{ID: "IAM.7", Title: "Password policies for IAM users should have strong configurations", Severity: "MEDIUM",
				Standards: []string{StandardFSBP}, Params: map[string]string{"RequireUppercaseCharacters": "true",
					"RequireLowercaseCharacters": "true", "RequireSymbols": "true", "RequireNumbers": "true",
					"MinimumPasswordLength": "8", "PasswordReusePrevention": "0", "MaxPasswordAge": "0"}},
			{ID: "IAM.15", Title: "Ensure IAM password policy requires minimum password length of 14 or greater", Severity: "MEDIUM",
				Standards: []string{StandardCIS}, Params: passwordOnly("MinimumPasswordLength", "14")},
			{ID: "IAM.16", Title: "Ensure IAM password policy prevents password reuse", Severity: "LOW",
				Standards: []string{StandardCIS}, Params: passwordOnly("PasswordReusePrevention", "24")},
		},
		TrustedAdvisor: &AdvisorCheck{ID: "Yw2K9puPzl", Name: "IAM Password Policy", Category: "security"},
		Remediation:    "Set an account password policy that meets the requirements: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
		eval:           passwordPolicyCheck,
	},
	{
		ID: "ACCESS_KEYS_ROTATED", Title: "Active access keys are rotated", ConfigRule: true, Periodic: true,
		Description:   "Checks whether the active access keys of IAM users are rotated within the number of days in maxAccessKeyAge.",
		ResourceTypes: []string{TypeUser},
		Params:        []Param{{Name: "maxAccessKeyAge", Default: "90", Type: "int"}},
		SecurityHub: []Control{{ID: "IAM.3", Title: "IAM users' access keys should be rotated every 90 days or less", Severity: "MEDIUM",
			Standards: []string{StandardFSBP, StandardCIS}, Params: map[string]string{"maxAccessKeyAge": "90"}}},
		TrustedAdvisor: &AdvisorCheck{ID: "DqdJqYeRm5", Name: "IAM Access Key Rotation", Category: "security"},
		Remediation:    "Create a new access key, move its users to it and delete the old one: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#Using_RotateAccessKey",
		eval: userCheck(func(u User, f *Facts, p params) (Status, string) {
			limit := days(p.int("maxAccessKeyAge"))
			var old []string
			active := 0
			for _, k := range u.AccessKeys {
				if !k.Active {
					continue
				}
				active++
				if f.Now.Sub(k.Created) > limit {
					old = append(old, fmt.Sprintf("%s (%d days old)", k.ID, int(f.Now.Sub(k.Created)/(24*time.Hour))))
				}
			}
			if len(old) > 0 {
				return Failed, fmt.Sprintf("Active access keys older than %d days: %s.", p.int("maxAccessKeyAge"), strings.Join(old, ", "))
			}
			return Passed, fmt.Sprintf("The user's %d active access key(s) are younger than %d days.", active, p.int("maxAccessKeyAge"))
		}),
	},
	{
		ID: "IAM_USER_UNUSED_CREDENTIALS_CHECK", Title: "IAM users' unused credentials are removed", ConfigRule: true, Periodic: true,
		Description:   "Checks whether IAM users have passwords or active access keys not used within the number of days in maxCredentialUsageAge.",
		ResourceTypes: []string{TypeUser},
		Params:        []Param{{Name: "maxCredentialUsageAge", Default: "90", Type: "int"}},
		SecurityHub: []Control{{ID: "IAM.8", Title: "Unused IAM user credentials should be removed", Severity: "MEDIUM",
			Standards: []string{StandardFSBP}, Params: map[string]string{"maxCredentialUsageAge": "90"}}},
		Remediation: "Remove the unused password or deactivate the unused access keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
		eval: userCheck(func(u User, f *Facts, p params) (Status, string) {
			limit := days(p.int("maxCredentialUsageAge"))
			var unused []string
			if u.PasswordEnabled && f.Now.Sub(lastUse(u.PasswordLastUsed, u.Created)) > limit {
				unused = append(unused, "password")
			}
			for _, k := range u.AccessKeys {
				if k.Active && f.Now.Sub(lastUse(k.LastUsed, k.Created)) > limit {
					unused = append(unused, "access key "+k.ID)
				}
			}
			if len(unused) > 0 {
				return Failed, fmt.Sprintf("Not used in the last %d days: %s.", p.int("maxCredentialUsageAge"), strings.Join(unused, ", "))
			}
			return Passed, fmt.Sprintf("Every credential of the user was used in the last %d days.", p.int("maxCredentialUsageAge"))
		}),
	},
	{
		ID: "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", Title: "Customer managed policies do not allow full administrative access", ConfigRule: true,
		Description:   "Checks whether customer managed policies have an Allow statement with Action \"*\" on Resource \"*\".",
		ResourceTypes: []string{TypePolicy},
		Params:        []Param{{Name: "excludePermissionBoundaryPolicy", Type: "bool", Optional: true}},
		SecurityHub: []Control{{ID: "IAM.1", Title: "IAM policies should not allow full \"*\" administrative privileges", Severity: "HIGH",
			Standards: []string{StandardFSBP, StandardCIS}}},
		Remediation: "Grant only the actions the policy's users need: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
		eval:        adminPolicyCheck,
	},
	{
		ID: "IAM_USER_NO_POLICIES_CHECK", Title: "IAM users get permissions through groups or roles only", ConfigRule: true,
		Description:   "Checks whether IAM users have policies attached to them directly.",
		ResourceTypes: []string{TypeUser},
		SecurityHub: []Control{{ID: "IAM.2", Title: "IAM users should not have IAM policies attached", Severity: "LOW",
			Standards: []string{StandardFSBP, StandardCIS}}},
		Remediation: "Move the user's policies to a group and add the user to it: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_attach-policy.html",
		eval: userCheck(func(u User, _ *Facts, _ params) (Status, string) {
			if n := len(u.AttachedPolicies) + len(u.InlinePolicies); n > 0 {
				return Failed, fmt.Sprintf("The user has %d managed and %d inline policies attached directly.", len(u.AttachedPolicies), len(u.InlinePolicies))
			}
			return Passed, "The user has no policy attached directly."
		}),
	},
	{
		ID: "IAM_GROUP_HAS_USERS_CHECK", Title: "IAM groups have users", ConfigRule: true,
		Description:   "Checks whether every IAM group has at least one user.",
		ResourceTypes: []string{TypeGroup},
		Remediation:   "Add users to the group or delete it: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage.html",
		eval:          groupCheck,
	},
	{
		ID: "SECURITY_ACCOUNT_INFORMATION_PROVIDED", Title: "A security contact is provided",
		Description:   "Checks whether the account has a security alternate contact.",
		ResourceTypes: []string{TypeAccount},
		SecurityHub: []Control{{ID: "Account.1", Title: "Security contact information should be provided for an AWS account", Severity: "MEDIUM",
			Standards: []string{StandardFSBP, StandardCIS}}},
		Remediation: "Add a SECURITY alternate contact: https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html",
		eval: contactsCheck(func(c Contacts) (bool, string) {
			if c.Security == nil {
				return false, "The account has no security alternate contact."
			}
			return true, "The security alternate contact is " + c.Security.Email + "."
		}),
	},
	{
		ID: "ROOTWARD_ROOT_EMAIL_DEDICATED", Title: "The root email is a dedicated team mailbox", ConfigRule: true,
		Description:   "Checks that the root user's email is used for nothing else: not another account's root email, not a contact's address, not a free personal mail domain.",
		ResourceTypes: []string{TypeAccount},
		SecurityHub: []Control{{ID: "Rootward.1", Title: "The root email should be a dedicated team mailbox", Severity: "MEDIUM",
			Standards: []string{StandardRootward}}},
		Remediation: "Change the root email to a group mailbox of your own domain used only for this account's root user: https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html",
		eval:        rootEmailCheck,
	},
	{
		ID: "ROOTWARD_ACCOUNT_CONTACTS_PRESENT", Title: "A contact phone and a security contact exist", ConfigRule: true,
		Description:   "Checks that the account has a contact phone number and a security alternate contact.",
		ResourceTypes: []string{TypeAccount},
		SecurityHub: []Control{{ID: "Rootward.2", Title: "The account should have a contact phone and a security contact", Severity: "MEDIUM",
			Standards: []string{StandardRootward}}},
		Remediation: "Set the account's contact phone number and a SECURITY alternate contact: https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact.html",
		eval: contactsCheck(func(c Contacts) (bool, string) {
			var missing []string
			if c.Phone == "" {
				missing = append(missing, "contact phone number")
			}
			if c.Security == nil {
				missing = append(missing, "security alternate contact")
			}
			if len(missing) > 0 {
				return false, "The account has no " + strings.Join(missing, " and no ") + "."
			}
			return true, "The account has a contact phone number and a security alternate contact."
		}),
	},
	{
		ID: "ROOTWARD_RECOVERY_CHANNELS_SEPARATED", Title: "No one person holds both root recovery channels", ConfigRule: true,
		Description:   "Checks that no contact holds both the root email and the contact phone, the two channels of root MFA recovery.",
		ResourceTypes: []string{TypeAccount},
		SecurityHub: []Control{{ID: "Rootward.3", Title: "No one person should hold both root recovery channels", Severity: "HIGH",
			Standards: []string{StandardRootward}}},
		Remediation: "Give the root mailbox and the contact phone to different people: https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html",
		eval:        recoveryChannelsCheck,
	},
	{
		ID: "ROOTWARD_ROOT_MFA_TWO_DEVICES", Title: "The root user has at least two MFA devices", ConfigRule: true, Periodic: true,
		Description:   "Checks that the root user has two or more MFA devices, so that losing one does not lock the account.",
		ResourceTypes: []string{TypeAccount},
		SecurityHub: []Control{{ID: "Rootward.4", Title: "The root user should have at least two MFA devices", Severity: "MEDIUM",
			Standards: []string{StandardRootward}}},
		Remediation: "Register a second MFA device for the root user, kept apart from the first: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html",
		eval: rootCheck(func(r Root, _ params) (bool, string) {
			n := r.VirtualMFA + r.HardwareMFA
			return n >= 2, fmt.Sprintf("The root user has %d MFA device(s).", n)
		}),
	},
	{
		ID: "ROOTWARD_ROOT_UNUSED_90_DAYS", Title: "The root user was not used in the last 90 days", ConfigRule: true, Periodic: true,
		Description:   "Checks that the root user's password and access keys were not used in the last 90 days.",
		ResourceTypes: []string{TypeAccount},
		SecurityHub: []Control{{ID: "Rootward.5", Title: "The root user should not be used for daily work", Severity: "LOW",
			Standards: []string{StandardRootward}}},
		Remediation: "Use IAM roles or Identity Center for daily work and review why root was used: https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html",
		eval:        rootUnusedCheck,
	},
	{
		ID: "ROOTWARD_ROOT_CREDENTIALS_REMOVED", Title: "The member account's root credentials are removed",
		Description:   "Checks that a member account of an organization has no root credentials, managed centrally instead.",
		ResourceTypes: []string{TypeAccount},
		Remediation:   "Delete the member's root credentials with sts:AssumeRoot and the IAMDeleteRootUserCredentials task: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html",
		eval:          rootRemovedCheck,
	},
	{
		ID: "ROOTWARD_ROOT_SIGNIN_MULTI_PARTY_APPROVAL", Title: "Root sign-in is protected by multi-party approval", ConfigRule: true, Periodic: true,
		Description:   "Checks that an ACTIVE Multi-party approval team's policies include RootSignIn for the account, so that no one person can sign in as root alone.",
		ResourceTypes: []string{TypeAccount},
		SecurityHub: []Control{{ID: "Rootward.6", Title: "Root sign-in should be protected by multi-party approval", Severity: "HIGH",
			Standards: []string{StandardRootward}}},
		Remediation: "Create an approval team with the policy arn:aws:mpa::aws:policy/rootward/RootSignIn and have its approvers accept it in the approval portal: https://docs.aws.amazon.com/mpa/latest/userguide/what-is.html",
		eval:        rootSignInApprovalCheck,
	},
}

// rootSignInApprovalCheck fails unless an ACTIVE approval team protects the account's root sign-in.
// A member whose root credentials were removed has no root sign-in to protect.
func rootSignInApprovalCheck(f *Facts, _ params) []Result {
	if r := missing(f, GroupRoot, GroupApproval); r != nil {
		return r
	}
	switch a := f.RootSignInApproval; {
	case a == nil:
		return []Result{account(f, Error, "Could not read "+GroupApproval+": Multi-party approval's teams were not read.")}
	case f.Root.CredentialsRemoved && f.Member:
		return []Result{account(f, NotApplicable, "The root user's credentials were removed.")}
	case len(a.Teams) == 0:
		return []Result{account(f, Failed, "No ACTIVE approval team's policies include RootSignIn for the account.")}
	default:
		return []Result{account(f, Passed, "Root sign-in needs the approval of approval team "+strings.Join(a.Teams, ", ")+".")}
	}
}

// passwordOnly returns IAM_PASSWORD_POLICY parameters that check one requirement only.
func passwordOnly(name, value string) map[string]string {
	p := map[string]string{"RequireUppercaseCharacters": "false", "RequireLowercaseCharacters": "false",
		"RequireSymbols": "false", "RequireNumbers": "false", "MinimumPasswordLength": "0",
		"PasswordReusePrevention": "0", "MaxPasswordAge": "0"}
	p[name] = value
	return p
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// lastUse is used, or created for a credential never used.
func lastUse(used, created time.Time) time.Time {
	if used.IsZero() {
		return created
	}
	return used
}

func account(f *Facts, s Status, evidence string) Result {
	return Result{ResourceType: TypeAccount, ResourceID: f.Account, ResourceName: f.Account, Status: s, Evidence: evidence}
}

// missing answers Error for the account when any of groups could not be read.
func missing(f *Facts, groups ...string) []Result {
	for _, g := range groups {
		if why, ok := f.Missing[g]; ok {
			return []Result{account(f, Error, "Could not read "+g+": "+why)}
		}
	}
	return nil
}

// rootCheck is a check of the root user: NOT_APPLICABLE for a member account whose root
// credentials were removed. A standalone or management account's root user without credentials
// has not been claimed yet: it is judged like any root user, since whoever claims it first gets it.
func rootCheck(ok func(Root, params) (bool, string)) func(*Facts, params) []Result {
	return func(f *Facts, p params) []Result {
		if r := missing(f, GroupRoot); r != nil {
			return r
		}
		if f.Root.CredentialsRemoved && f.Member {
			return []Result{account(f, NotApplicable, "The root user's credentials were removed.")}
		}
		pass, evidence := ok(f.Root, p)
		return []Result{account(f, pick(pass), evidence)}
	}
}

func contactsCheck(ok func(Contacts) (bool, string)) func(*Facts, params) []Result {
	return func(f *Facts, _ params) []Result {
		if r := missing(f, GroupContacts); r != nil {
			return r
		}
		pass, evidence := ok(f.Contacts)
		return []Result{account(f, pick(pass), evidence)}
	}
}

func pick(pass bool) Status {
	if pass {
		return Passed
	}
	return Failed
}

// userCheck evaluates each IAM user.
func userCheck(eval func(User, *Facts, params) (Status, string)) func(*Facts, params) []Result {
	return func(f *Facts, p params) []Result {
		if r := missing(f, GroupUsers); r != nil {
			return r
		}
		out := make([]Result, 0, len(f.Users))
		for _, u := range f.Users {
			s, evidence := eval(u, f, p)
			out = append(out, Result{ResourceType: TypeUser, ResourceID: u.ID, ResourceName: u.Name, Status: s, Evidence: evidence})
		}
		return out
	}
}

func groupCheck(f *Facts, _ params) []Result {
	if r := missing(f, GroupGroups); r != nil {
		return r
	}
	out := make([]Result, 0, len(f.Groups))
	for _, g := range f.Groups {
		r := Result{ResourceType: TypeGroup, ResourceID: g.ID, ResourceName: g.Name, Status: Passed,
			Evidence: fmt.Sprintf("The group has %d user(s).", g.Members)}
		if g.Members == 0 {
			r.Status, r.Evidence = Failed, "The group has no user."
		}
		out = append(out, r)
	}
	return out
}

func passwordPolicyCheck(f *Facts, p params) []Result {
	if r := missing(f, GroupPasswordPolicy); r != nil {
		return r
	}
	pp := f.PasswordPolicy
	if pp == nil {
		return []Result{account(f, Failed, "The account has no password policy.")}
	}
	var short []string
	need := func(name string, have bool) {
		if p.bool(name) && !have {
			short = append(short, name+" is not set")
		}
	}
	need("RequireUppercaseCharacters", pp.RequireUppercase)
	need("RequireLowercaseCharacters", pp.RequireLowercase)
	need("RequireSymbols", pp.RequireSymbols)
	need("RequireNumbers", pp.RequireNumbers)
	if n := p.int("MinimumPasswordLength"); pp.MinimumPasswordLength < n {
		short = append(short, fmt.Sprintf("MinimumPasswordLength is %d, below %d", pp.MinimumPasswordLength, n))
	}
	if n := p.int("PasswordReusePrevention"); n > 0 && pp.PasswordReusePrevention < n {
		short = append(short, fmt.Sprintf("PasswordReusePrevention is %d, below %d", pp.PasswordReusePrevention, n))
	}
	if n := p.int("MaxPasswordAge"); n > 0 && (pp.MaxPasswordAge == 0 || pp.MaxPasswordAge > n) {
		short = append(short, fmt.Sprintf("MaxPasswordAge is %d, not between 1 and %d", pp.MaxPasswordAge, n))
	}
	if len(short) > 0 {
		return []Result{account(f, Failed, "The password policy falls short: "+strings.Join(short, "; ")+".")}
	}
	return []Result{account(f, Passed, "The password policy meets every requirement.")}
}

func adminPolicyCheck(f *Facts, _ params) []Result {
	if r := missing(f, GroupPolicies); r != nil {
		return r
	}
	out := make([]Result, 0, len(f.Policies))
	for _, pol := range f.Policies {
		r := Result{ResourceType: TypePolicy, ResourceID: pol.ID, ResourceName: pol.Name, Status: Passed,
			Evidence: "No statement allows every action on every resource."}
		if sid, ok := fullAdmin(pol.Document); ok {
			r.Status, r.Evidence = Failed, "Statement "+sid+" allows \"*\" on \"*\"."
		}
		out = append(out, r)
	}
	return out
}

// fullAdmin reports whether doc has an Allow statement with Action "*" and Resource "*", and
// names it (its Sid or its position).
func fullAdmin(doc string) (string, bool) {
	p, err := policy.Parse(doc, policy.KindIdentity)
	if err != nil {
		return "", false
	}
	for i, st := range p.Statements {
		if st.Effect == "Allow" && slices.Contains(st.Action, "*") && slices.Contains(st.Resource, "*") {
			if st.Sid != "" {
				return st.Sid, true
			}
			return fmt.Sprint(i + 1), true
		}
	}
	return "", false
}

func rootEmailCheck(f *Facts, _ params) []Result {
	if r := missing(f, GroupRoot, GroupContacts); r != nil {
		return r
	}
	email := strings.ToLower(strings.TrimSpace(f.Root.Email))
	if email == "" {
		return []Result{account(f, Error, "The root email could not be read.")}
	}
	for _, other := range f.OtherAddresses {
		if strings.EqualFold(strings.TrimSpace(other), email) {
			return []Result{account(f, Failed, "The root email "+email+" is also used as another account's root email or as a contact's address.")}
		}
	}
	domain := email[strings.LastIndexByte(email, '@')+1:]
	if freeMailDomains[domain] {
		return []Result{account(f, Failed, "The root email "+email+" is at "+domain+", a free personal mail service.")}
	}
	return []Result{account(f, Passed, "The root email "+email+" is used for nothing else that Rootward can see.")}
}

// recoveryChannelsCheck fails when one contact holds both channels of root MFA recovery: the
// root mailbox (the contact's email is the root email) and the contact phone (the contact's
// phone is the account's contact phone, or the contact information names that contact).
func recoveryChannelsCheck(f *Facts, _ params) []Result {
	if r := missing(f, GroupRoot, GroupContacts); r != nil {
		return r
	}
	c := f.Contacts
	for _, p := range []*Contact{c.Security, c.Billing, c.Operations} {
		if p == nil || !strings.EqualFold(strings.TrimSpace(p.Email), strings.TrimSpace(f.Root.Email)) {
			continue
		}
		samePhone := c.Phone != "" && digits(p.Phone) == digits(c.Phone)
		sameName := c.Name != "" && strings.EqualFold(strings.TrimSpace(p.Name), strings.TrimSpace(c.Name))
		if samePhone || sameName {
			return []Result{account(f, Failed, p.Name+" holds both the root mailbox and the contact phone.")}
		}
	}
	return []Result{account(f, Passed, "No contact holds both the root mailbox and the contact phone.")}
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func rootUnusedCheck(f *Facts, _ params) []Result {
	if r := missing(f, GroupRoot); r != nil {
		return r
	}
	last := f.Root.LastUsed
	switch {
	case last.IsZero():
		return []Result{account(f, Passed, "The root user has never been used.")}
	case f.Now.Sub(last) <= days(90):
		return []Result{account(f, Failed, "The root user was last used on "+last.UTC().Format(time.RFC3339)+".")}
	}
	return []Result{account(f, Passed, "The root user was last used on "+last.UTC().Format(time.RFC3339)+", more than 90 days ago.")}
}

func rootRemovedCheck(f *Facts, _ params) []Result {
	if r := missing(f, GroupRoot, GroupOrganization); r != nil {
		return r
	}
	switch {
	case !f.Member:
		return []Result{account(f, NotApplicable, "The account is not a member account of an organization.")}
	case f.Root.CredentialsRemoved:
		return []Result{account(f, Passed, "The member account's root user has no credentials.")}
	}
	return []Result{account(f, Failed, "The member account's root user still has credentials.")}
}
