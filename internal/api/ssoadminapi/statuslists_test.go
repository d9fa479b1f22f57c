package ssoadminapi_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestStatusListingsPageByStatus walks ListAccountAssignmentCreationStatus,
// ListAccountAssignmentDeletionStatus and ListPermissionSetProvisioningStatus page by page
// (MaxResults 2) with and without Filter.Status: the pages joined are the requests the Describe
// operations answer with that status, each once; a token of one filter is refused under another.
func TestStatusListingsPageByStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	inst := e.instance.InstanceArn
	member := e.CreateMember(e.Admin(), "workload")
	ps := e.permissionSet(t, "Operator")
	// A permission set whose customer managed policy the account lacks cannot be provisioned:
	// requests with it fail in the background.
	broken := e.permissionSet(t, "Broken")
	if _, err := e.sso.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
		InstanceArn: inst, PermissionSetArn: aws.String(broken), CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("missing")}}); err != nil {
		t.Fatal(err)
	}
	// A permission set assigned before it referred to the missing policy cannot be provisioned
	// again.
	later := e.permissionSet(t, "Later")
	first, err := e.sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: inst, PermissionSetArn: aws.String(later),
		PrincipalId: aws.String(e.user(t, "first")), PrincipalType: types.PrincipalTypeUser, TargetId: aws.String(member), TargetType: types.TargetTypeAwsAccount})
	if err != nil {
		t.Fatal(err)
	}
	e.ic.Wait()
	if _, err := e.sso.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
		InstanceArn: inst, PermissionSetArn: aws.String(later), CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("missing")}}); err != nil {
		t.Fatal(err)
	}
	created := []string{aws.ToString(first.AccountAssignmentCreationStatus.RequestId)}
	var deleted, provisioned []string
	for i := range 7 {
		set := ps
		if i%3 == 1 {
			set = broken
		}
		principal := e.user(t, fmt.Sprintf("user%d", i))
		target := func() (*string, *string, *string, types.PrincipalType, *string, types.TargetType) {
			return inst, aws.String(set), aws.String(principal), types.PrincipalTypeUser, aws.String(member), types.TargetTypeAwsAccount
		}
		var in ssoadmin.CreateAccountAssignmentInput
		in.InstanceArn, in.PermissionSetArn, in.PrincipalId, in.PrincipalType, in.TargetId, in.TargetType = target()
		out, err := e.sso.CreateAccountAssignment(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, aws.ToString(out.AccountAssignmentCreationStatus.RequestId))
		e.ic.Wait()
		provision := ps
		if i%2 == 1 {
			provision = later
		}
		p, err := e.sso.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(provision),
			TargetId: aws.String(member), TargetType: types.ProvisionTargetTypeAwsAccount})
		if err != nil {
			t.Fatal(err)
		}
		provisioned = append(provisioned, aws.ToString(p.PermissionSetProvisioningStatus.RequestId))
		e.ic.Wait()
		if set == ps && i%2 == 0 {
			var del ssoadmin.DeleteAccountAssignmentInput
			del.InstanceArn, del.PermissionSetArn, del.PrincipalId, del.PrincipalType, del.TargetId, del.TargetType = target()
			d, err := e.sso.DeleteAccountAssignment(ctx, &del)
			if err != nil {
				t.Fatal(err)
			}
			deleted = append(deleted, aws.ToString(d.AccountAssignmentDeletionStatus.RequestId))
			e.ic.Wait()
		}
	}
	describe := map[string]func(id string) types.StatusValues{
		"creation": func(id string) types.StatusValues {
			d, err := e.sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: inst, AccountAssignmentCreationRequestId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			return d.AccountAssignmentCreationStatus.Status
		},
		"deletion": func(id string) types.StatusValues {
			d, err := e.sso.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: inst, AccountAssignmentDeletionRequestId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			return d.AccountAssignmentDeletionStatus.Status
		},
		"provisioning": func(id string) types.StatusValues {
			d, err := e.sso.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: inst, ProvisionPermissionSetRequestId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			return d.PermissionSetProvisioningStatus.Status
		},
	}
	// list pages through one listing with filter and returns the request IDs of the pages joined.
	list := map[string]func(filter *types.OperationStatusFilter, token *string) ([]string, *string, error){
		"creation": func(filter *types.OperationStatusFilter, token *string) ([]string, *string, error) {
			out, err := e.sso.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: inst, Filter: filter, MaxResults: aws.Int32(2), NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return requestIDs(out.AccountAssignmentsCreationStatus), out.NextToken, nil
		},
		"deletion": func(filter *types.OperationStatusFilter, token *string) ([]string, *string, error) {
			out, err := e.sso.ListAccountAssignmentDeletionStatus(ctx, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: inst, Filter: filter, MaxResults: aws.Int32(2), NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return requestIDs(out.AccountAssignmentsDeletionStatus), out.NextToken, nil
		},
		"provisioning": func(filter *types.OperationStatusFilter, token *string) ([]string, *string, error) {
			out, err := e.sso.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: inst, Filter: filter, MaxResults: aws.Int32(2), NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return requestIDs(out.PermissionSetsProvisioningStatus), out.NextToken, nil
		},
	}
	requests := map[string][]string{"creation": created, "deletion": deleted, "provisioning": provisioned}
	sawFailed := map[string]bool{}
	for _, kind := range []string{"creation", "deletion", "provisioning"} {
		byStatus := map[types.StatusValues][]string{}
		for _, id := range requests[kind] {
			s := describe[kind](id)
			byStatus[s] = append(byStatus[s], id)
			sawFailed[kind] = sawFailed[kind] || s == types.StatusValuesFailed
		}
		for _, status := range []types.StatusValues{"", types.StatusValuesInProgress, types.StatusValuesFailed, types.StatusValuesSucceeded} {
			t.Run(kind+" "+string(status), func(t *testing.T) {
				var filter *types.OperationStatusFilter
				want := slices.Clone(requests[kind])
				if status != "" {
					filter = &types.OperationStatusFilter{Status: status}
					want = byStatus[status]
				}
				var got []string
				var token *string
				for pages := 0; ; pages++ {
					if pages > len(want)+1 {
						t.Fatal("paging does not end")
					}
					ids, next, err := list[kind](filter, token)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, ids...)
					if next == nil {
						break
					}
					if status != "" {
						// The token is bound to its filter.
						_, _, err := list[kind](&types.OperationStatusFilter{Status: otherStatus(status)}, next)
						testutil.WantCode(t, err, "ValidationException")
					}
					token = next
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("pages joined = %v, want %v", got, want)
				}
			})
		}
	}
	if !sawFailed["creation"] || !sawFailed["provisioning"] {
		t.Errorf("FAILED requests by kind = %v; the test wants creations and provisionings that failed", sawFailed)
	}
}

func otherStatus(s types.StatusValues) types.StatusValues {
	if s == types.StatusValuesSucceeded {
		return types.StatusValuesFailed
	}
	return types.StatusValuesSucceeded
}

// requestIDs returns the RequestIds of a status listing's page.
func requestIDs[S types.AccountAssignmentOperationStatusMetadata | types.PermissionSetProvisioningStatusMetadata](statuses []S) []string {
	var out []string
	for _, s := range statuses {
		switch s := any(s).(type) {
		case types.AccountAssignmentOperationStatusMetadata:
			out = append(out, aws.ToString(s.RequestId))
		case types.PermissionSetProvisioningStatusMetadata:
			out = append(out, aws.ToString(s.RequestId))
		}
	}
	return out
}
