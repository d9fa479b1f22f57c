package mpaapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/rootward/rootward/internal/alerts"
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/eventsapi"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/mpa"
)

// Gate is the protected operations' check (api.Deps.Approval): the runner asks it after an
// operation is authorized and before it runs. A call of a protected operation (Protected) runs
// only once a session of an approval team that protects it approved the same request; otherwise
// Gate answers AccessDenied in the service's own shape, with HTTP 403, naming the session
// (mpa.Service.Check).
func Gate(c *api.Call) error {
	if c.MPA == nil {
		return nil
	}
	op, ok := Protected(c)
	if !ok {
		return nil
	}
	params, err := json.Marshal(c.Input)
	if err != nil {
		return err
	}
	err = c.MPA.Check(c.Ctx, mpa.Request{Account: c.Account(), Operation: op, Action: c.Service + ":" + c.Action,
		Params: params, Summary: paramSummary(params), Requester: requester(c)})
	if e, ok := awserr.As(err); ok && e.Code == awserr.MPAAccessDenied {
		// The protected service's AccessDenied (its Codes rename it: AccessDeniedException in
		// Organizations and EventBridge), with HTTP 403 whatever the service's usual status.
		return &awserr.Error{Code: awserr.AccessDenied, Message: e.Message, Status: http.StatusForbidden}
	}
	return err
}

// rootCredentialDeletions are the IAM actions by which a privileged root session (sts:AssumeRoot
// with IAMDeleteRootUserCredentials) deletes the root user's credentials.
var rootCredentialDeletions = map[string]bool{
	"DeleteLoginProfile": true, "DeleteAccessKey": true, "DeleteSigningCertificate": true,
	"DeactivateMFADevice": true, "DeleteVirtualMFADevice": true,
}

// Protected names the protected operation (mpa.Policies) a call is, if any. CreateRootAccessKey
// is not among them: IAM's API makes no root access key (CreateAccessKey needs a UserName from a
// root caller); the console makes them, through internal/rootuser, which asks its own hook.
func Protected(c *api.Call) (string, bool) {
	root := c.Caller != nil && c.Caller.Type == iam.PrincipalRoot
	privileged := root && c.Caller.Session != nil && c.Caller.Session.AssumedRoot
	switch c.Service {
	case "iam":
		switch c.Action {
		case "UploadSigningCertificate":
			if in, ok := c.Input.(*iamapi.UploadSigningCertificateInput); ok && root && !privileged && in.UserName == "" {
				return mpa.UploadRootSigningCertificate, true
			}
		case "DisableOrganizationsRootCredentialsManagement":
			return mpa.DisableOrganizationsRootCredentialsManagement, true
		case "DisableOrganizationsRootSessions":
			return mpa.DisableOrganizationsRootSessions, true
		default:
			if privileged && rootCredentialDeletions[c.Action] {
				return mpa.DeleteRootCredentials, true
			}
		}
	case "sts":
		if c.Action == "AssumeRoot" {
			return mpa.AssumeRoot, true
		}
	case "organizations":
		if c.Action == "LeaveOrganization" {
			return mpa.LeaveOrganization, true
		}
	case "events":
		// Turning the root-activity alert off: disabling or deleting its rule, or removing its
		// targets (internal/alerts).
		var rule *string
		switch in := c.Input.(type) {
		case *eventsapi.RuleInput:
			if c.Action == "DisableRule" {
				rule = in.Name
			}
		case *eventsapi.DeleteRuleInput:
			rule = in.Name
		case *eventsapi.RemoveTargetsInput:
			rule = in.Rule
		}
		if rule != nil && *rule == alerts.RuleName {
			return mpa.DisableRootActivityAlert, true
		}
	}
	return "", false
}

// paramSummary is what approvers see of a protected call's parameters (mpa.Request.Summary): its
// members as Name=value, sorted, each value cut at 120 characters and the whole at 1,000. The
// members are those CloudTrail records as the call's requestParameters; none of the protected
// operations takes a secret.
func paramSummary(params []byte) string {
	var m map[string]any
	if json.Unmarshal(params, &m) != nil {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if v == nil {
			continue
		}
		var text string
		if str, ok := v.(string); ok {
			text = str
		} else {
			b, _ := json.Marshal(v)
			text = string(b)
		}
		parts = append(parts, fmt.Sprintf("%s=%s", k, cut(text, 120)))
	}
	return cut(strings.Join(parts, " "), 1000)
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
