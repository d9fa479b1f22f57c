package mpaapi_test

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/mpa"
	mpatypes "github.com/aws/aws-sdk-go-v2/service/mpa/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	mpasvc "github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestApprovalWithIdentityStoreUsers runs a whole approval with real Identity Center users, as
// serve wires it (mpa.ICDirectory over the organization's instance): the approvers are created
// with identitystore CreateUser in the organization's instance, the 2-of-3 team waits in
// PENDING_ACTIVATION until all three accept, a protected AssumeRoot is refused naming the session,
// two approvers approve, and the repeated AssumeRoot runs once.
func TestApprovalWithIdentityStoreUsers(t *testing.T) {
	var ic *identitycenter.Service
	var m *mpasvc.Service
	e := servertest.Build(t, nil, nil, func(cfg *server.Config, svc *iam.Service, st store.Store) {
		cfg.Orgs = orgs.New(svc)
		ic = identitycenter.New(svc, cfg.Orgs)
		cfg.IdentityCenter = ic
		m = mpasvc.New(mpasvc.Config{Store: st, Orgs: cfg.Orgs, Trail: cfg.Trail, Directory: mpasvc.ICDirectory{IC: ic, Region: "us-east-1"}})
		cfg.MPA = m
	})
	t.Cleanup(ic.Wait)
	ctx := servertest.Ctx(t)
	admin := e.Admin()
	e.NewOrg(admin)
	for _, sp := range []string{"sso.amazonaws.com", "iam.amazonaws.com"} {
		if _, err := admin.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(sp)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := admin.IAM.EnableOrganizationsRootCredentialsManagement(ctx, &awsiam.EnableOrganizationsRootCredentialsManagementInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.IAM.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{}); err != nil {
		t.Fatal(err)
	}
	member := e.CreateMember(admin, "dev")
	cfg := e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, "")
	insts, err := ssoadmin.NewFromConfig(cfg).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(insts.Instances) != 1 {
		t.Fatalf("ListInstances = %+v, %v; want the organization's instance", insts, err)
	}
	inst := insts.Instances[0]
	ids := identitystore.NewFromConfig(cfg)
	api := mpa.NewFromConfig(cfg)
	src, err := api.CreateIdentitySource(ctx, &mpa.CreateIdentitySourceInput{IdentitySourceParameters: &mpatypes.IdentitySourceParameters{
		IamIdentityCenter: &mpatypes.IamIdentityCenter{InstanceArn: inst.InstanceArn, Region: aws.String("us-east-1")}}})
	if err != nil {
		t.Fatal(err)
	}
	var approvers []mpasvc.Identity
	var request []mpatypes.ApprovalTeamRequestApprover
	for _, name := range []string{"ana", "ben", "cy"} {
		u, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: inst.IdentityStoreId, UserName: aws.String(name),
			DisplayName: aws.String(name), Name: &idtypes.Name{GivenName: aws.String(name), FamilyName: aws.String("Approver")},
			Emails: []idtypes.Email{{Value: aws.String(name + "@example.com"), Primary: true}}})
		if err != nil {
			t.Fatal(err)
		}
		approvers = append(approvers, mpasvc.Identity{SourceARN: *src.IdentitySourceArn, UserID: *u.UserId})
		request = append(request, mpatypes.ApprovalTeamRequestApprover{PrimaryIdentityId: u.UserId, PrimaryIdentitySourceArn: src.IdentitySourceArn})
	}
	// A user who is not in the identity store is refused as an approver.
	_, err = api.CreateApprovalTeam(ctx, &mpa.CreateApprovalTeamInput{Name: aws.String("ghosts"), Description: aws.String("x"),
		ApprovalStrategy: &mpatypes.ApprovalStrategyMemberMofN{Value: mpatypes.MofNApprovalStrategy{MinApprovalsRequired: aws.Int32(1)}},
		Approvers: append(request[:1:1], mpatypes.ApprovalTeamRequestApprover{PrimaryIdentityId: aws.String("90676a1b2c-00000000-0000-0000-0000-000000000000"),
			PrimaryIdentitySourceArn: src.IdentitySourceArn}),
		Policies: []mpatypes.PolicyReference{{PolicyArn: aws.String(mpasvc.PolicyARN(mpasvc.AssumeRoot))}}})
	wantCode(t, err, "ResourceNotFoundException", http.StatusNotFound)

	team, err := api.CreateApprovalTeam(ctx, &mpa.CreateApprovalTeamInput{Name: aws.String("root"), Description: aws.String("Approves AssumeRoot"),
		ApprovalStrategy: &mpatypes.ApprovalStrategyMemberMofN{Value: mpatypes.MofNApprovalStrategy{MinApprovalsRequired: aws.Int32(2)}},
		Approvers:        request, Policies: []mpatypes.PolicyReference{{PolicyArn: aws.String(mpasvc.PolicyARN(mpasvc.AssumeRoot))}}})
	if err != nil {
		t.Fatal(err)
	}
	assume := func() error {
		_, err := admin.STS.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(member),
			TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}})
		return err
	}
	for i, a := range approvers {
		got, err := api.GetApprovalTeam(ctx, &mpa.GetApprovalTeamInput{Arn: team.Arn})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != mpatypes.ApprovalTeamStatusPending || got.StatusCode != mpatypes.ApprovalTeamStatusCodePendingActivation {
			t.Fatalf("before %d of 3 accepted: %s %s; want PENDING PENDING_ACTIVATION", i, got.Status, got.StatusCode)
		}
		if err := assume(); err != nil {
			t.Fatalf("AssumeRoot with the team not active: %v; want it to run", err)
		}
		if _, err := m.RespondToInvitation(ctx, *team.Arn, a, true); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := api.GetApprovalTeam(ctx, &mpa.GetApprovalTeamInput{Arn: team.Arn}); err != nil || got.Status != mpatypes.ApprovalTeamStatusActive {
		t.Fatalf("after all accepted: %+v, %v; want ACTIVE", got, err)
	}

	err = assume()
	wantCode(t, err, "AccessDenied", http.StatusForbidden)
	session := sessionIn(t, err)
	// The requester's own Identity Center user could not approve; here the requester is an IAM
	// user, and two of the three approvers approve.
	for _, a := range approvers[:2] {
		if _, err := m.Vote(ctx, session, a, mpasvc.VoteApproved); err != nil {
			t.Fatal(err)
		}
	}
	if err := assume(); err != nil {
		t.Fatalf("AssumeRoot after two approvals: %v", err)
	}
	got, err := api.GetSession(ctx, &mpa.GetSessionInput{SessionArn: aws.String(session)})
	if err != nil || got.Status != mpatypes.SessionStatusApproved || got.ExecutionStatus != mpatypes.SessionExecutionStatusExecuted {
		t.Fatalf("GetSession = %+v, %v; want APPROVED and EXECUTED", got, err)
	}
	err = assume()
	wantCode(t, err, "AccessDenied", http.StatusForbidden)
	if next := sessionIn(t, err); next == session {
		t.Fatalf("the third AssumeRoot reused session %s; an approved session runs once", session)
	}
}
