package orgs

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
)

// TestEffectivePolicyMerge: the management policy inheritance rules (Organizations User Guide,
// "Understanding management policy inheritance"): @@assign replaces, @@append adds, @@remove takes
// away, and a parent's @@operators_allowed_for_child_policies limits what lower levels may do.
func TestEffectivePolicyMerge(t *testing.T) {
	pol := func(id, content string) Policy { return Policy{ID: id, Content: content} }
	cases := []struct {
		name   string
		levels []levelPolicies
		want   string
		errs   []string // paths of validation errors
	}{
		{"nothing attached", []levelPolicies{nil, nil}, "", nil},
		{"assign then override", []levelPolicies{
			{pol("p-root", `{"tags":{"cc":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]}}}}`)},
			{pol("p-acct", `{"tags":{"cc":{"tag_value":{"@@assign":["300"]}}}}`)},
		}, `{"tags":{"cc":{"tag_key":"CostCenter","tag_value":["300"]}}}`, nil},
		{"append and remove", []levelPolicies{
			{pol("p-root", `{"tags":{"cc":{"tag_value":{"@@assign":["100","200"]}}}}`)},
			{pol("p-ou", `{"tags":{"cc":{"tag_value":{"@@append":["300","100"]}}}}`)},
			{pol("p-acct", `{"tags":{"cc":{"tag_value":{"@@remove":["200"]}}}}`)},
		}, `{"tags":{"cc":{"tag_value":["100","300"]}}}`, nil},
		{"child control blocks a lower assign", []levelPolicies{
			{pol("p-root", `{"services":{"default":{"@@operators_allowed_for_child_policies":["@@none"],"opt_out_policy":{"@@assign":"optOut"}}}}`)},
			{pol("p-acct", `{"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}}}}`)},
		}, `{"services":{"default":{"opt_out_policy":"optOut"}}}`, []string{"/services/default/opt_out_policy"}},
		{"control applies below its level only", []levelPolicies{
			{pol("p-a", `{"services":{"@@operators_allowed_for_child_policies":["@@append"],"s3":{"opt_out_policy":{"@@assign":"optOut"}}}}`)},
			{pol("p-b", `{"services":{"s3":{"opt_out_policy":{"@@assign":"optIn"}}}}`)},
		}, `{"services":{"s3":{"opt_out_policy":"optOut"}}}`, []string{"/services/s3/opt_out_policy"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, errs, err := effectivePolicy(c.levels)
			if err != nil {
				t.Fatal(err)
			}
			if !sameJSON(got, c.want) {
				t.Errorf("effective = %s, want %s", got, c.want)
			}
			var paths []string
			for _, e := range errs {
				paths = append(paths, e.PathToError)
				if e.ErrorCode != errOperatorNotAllowed || len(e.ContributingPolicies) != 1 {
					t.Errorf("validation error %+v", e)
				}
			}
			if !reflect.DeepEqual(paths, c.errs) {
				t.Errorf("validation errors at %v, want %v", paths, c.errs)
			}
		})
	}
}

func sameJSON(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

// TestPolicyTypes: every policy type can be enabled, created, attached and listed by type; RCPs
// bring RCPFullAWSAccess, which stays attached; DescribeEffectivePolicy merges down the tree.
func TestPolicyTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	dev := e.member(t, "dev")
	ou := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "workloads"))(t)
	testutil.WantCode(t, e.org.MoveAccount(e.ctx, e.mgmt, dev, o.RootID, ou.ID), "")

	rootTags := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "cost-center", Type: TypeTag,
		Content: `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]},"enforced_for":{"@@assign":["secretsmanager:*"]}}}}`}))(t)
	if rootTags.Arn != "arn:aws:organizations::"+e.mgmt+":policy/"+o.ID+"/tag_policy/"+rootTags.ID {
		t.Errorf("tag policy ARN %s", rootTags.Arn)
	}
	ouTags := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "cost-center-ou", Type: TypeTag,
		Content: `{"tags":{"costcenter":{"tag_value":{"@@append":["300"]}}}}`}))(t)
	// The same name is free in another type.
	must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "cost-center", Type: TypeBackup,
		Content: `{"plans":{"daily":{"regions":{"@@assign":["us-east-1"]}}}}`}))(t)

	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, rootTags.ID, o.RootID), awserr.OrgsPolicyTypeNotEnabled)
	_, err := e.org.DescribeEffectivePolicy(e.ctx, e.mgmt, TypeTag, dev)
	testutil.WantCode(t, err, awserr.OrgsEffectivePolicyNotFound)
	must(e.org.EnablePolicyType(e.ctx, e.mgmt, o.RootID, TypeTag))(t)
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, rootTags.ID, o.RootID), "")
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, ouTags.ID, ou.ID), "")
	// Management policies have no minimum: the last one detaches.
	testutil.WantCode(t, e.org.DetachPolicy(e.ctx, e.mgmt, ouTags.ID, ou.ID), "")
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, ouTags.ID, ou.ID), "")

	eff := must(e.org.DescribeEffectivePolicy(e.ctx, e.mgmt, TypeTag, dev))(t)
	want := `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100","200","300"],"enforced_for":["secretsmanager:*"]}}}`
	if !sameJSON(eff.PolicyContent, want) || eff.TargetID != dev || eff.PolicyType != TypeTag {
		t.Errorf("effective = %+v, want content %s", eff, want)
	}
	// A member reads its own effective policy, not another's.
	must(e.org.DescribeEffectivePolicy(e.ctx, dev, TypeTag, ""))(t)
	_, err = e.org.DescribeEffectivePolicy(e.ctx, dev, TypeTag, e.mgmt)
	testutil.WantCode(t, err, awserr.OrgsAccessDenied)
	_, err = e.org.DescribeEffectivePolicy(e.ctx, e.mgmt, TypeSCP, dev)
	testutil.WantCode(t, err, awserr.OrgsInvalidInput)

	tags := must(e.org.ListPolicies(e.ctx, e.mgmt, TypeTag, ListOpts{}))(t)
	backups := must(e.org.ListPolicies(e.ctx, e.mgmt, TypeBackup, ListOpts{}))(t)
	scps := must(e.org.ListPolicies(e.ctx, e.mgmt, TypeSCP, ListOpts{}))(t)
	if len(tags.Items) != 2 || len(backups.Items) != 1 || len(scps.Items) != 1 || scps.Items[0].ID != FullAWSAccessID {
		t.Errorf("ListPolicies by type: %d tag, %d backup, %+v SCP", len(tags.Items), len(backups.Items), scps.Items)
	}
	forOU := must(e.org.ListPoliciesForTarget(e.ctx, e.mgmt, ou.ID, TypeTag, ListOpts{}))(t)
	if len(forOU.Items) != 1 || forOU.Items[0].ID != ouTags.ID {
		t.Errorf("ListPoliciesForTarget(TAG_POLICY) = %+v", forOU.Items)
	}

	// RCPs: enabling attaches RCPFullAWSAccess everywhere, and it stays.
	must(e.org.EnablePolicyType(e.ctx, e.mgmt, o.RootID, TypeRCP))(t)
	rcps := must(e.org.ListPoliciesForTarget(e.ctx, e.mgmt, dev, TypeRCP, ListOpts{}))(t)
	if len(rcps.Items) != 1 || rcps.Items[0].ID != RCPFullAWSAccessID {
		t.Fatalf("RCPs on the account: %+v", rcps.Items)
	}
	testutil.WantCode(t, e.org.DetachPolicy(e.ctx, e.mgmt, RCPFullAWSAccessID, dev), awserr.OrgsConstraintViolation)
	if pl := must(e.org.PlacementOf(e.ctx, dev))(t); len(pl.RCPs) != 3 || pl.SCPs != nil {
		t.Errorf("placement: %d RCP levels, SCPs %v; want 3 levels and no SCPs", len(pl.RCPs), pl.SCPs)
	}
	// A new OU gets it too.
	ou2 := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "sandbox"))(t)
	if got := must(e.org.ListPoliciesForTarget(e.ctx, e.mgmt, ou2.ID, TypeRCP, ListOpts{}))(t); len(got.Items) != 1 {
		t.Errorf("new OU's RCPs: %+v", got.Items)
	}

	// Disabling a type removes its attachments only.
	must(e.org.DisablePolicyType(e.ctx, e.mgmt, o.RootID, TypeTag))(t)
	if got := must(e.org.ListPoliciesForTarget(e.ctx, e.mgmt, dev, TypeRCP, ListOpts{}))(t); len(got.Items) != 1 {
		t.Errorf("RCPs after disabling tag policies: %+v", got.Items)
	}
	if got := must(e.org.ListPoliciesForTarget(e.ctx, e.mgmt, o.RootID, TypeTag, ListOpts{}))(t); len(got.Items) != 0 {
		t.Errorf("tag policies after disabling them: %+v", got.Items)
	}
}
