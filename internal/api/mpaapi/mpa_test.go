package mpaapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mpa"
	mpatypes "github.com/aws/aws-sdk-go-v2/service/mpa/types"

	mpasvc "github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestIdentitySources(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	if !strings.HasPrefix(src, "arn:aws:mpa:us-east-1:"+e.Account.ID+":identity-source/") {
		t.Fatalf("IdentitySourceArn = %s", src)
	}
	got, err := e.api.GetIdentitySource(ctx, &mpa.GetIdentitySourceInput{IdentitySourceArn: aws.String(src)})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := got.IdentitySourceParameters.(*mpatypes.IdentitySourceParametersForGetMemberIamIdentityCenter)
	if !ok || *p.Value.InstanceArn != e.dir.inst.ARN || *p.Value.ApprovalPortalUrl != "https://rootward.test/approvals" ||
		got.Status != mpatypes.IdentitySourceStatusActive || got.IdentitySourceType != mpatypes.IdentitySourceTypeIamIdentityCenter {
		t.Fatalf("GetIdentitySource = %+v %+v", got, got.IdentitySourceParameters)
	}
	list, err := e.api.ListIdentitySources(ctx, &mpa.ListIdentitySourcesInput{})
	if err != nil || len(list.IdentitySources) != 1 || *list.IdentitySources[0].IdentitySourceArn != src {
		t.Fatalf("ListIdentitySources = %+v, %v", list, err)
	}
	other := "arn:aws:mpa:us-east-1:" + e.Account.ID + ":identity-source/00000000-0000-0000-0000-000000000000"
	for _, tc := range []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"second source of one instance", func() error {
			_, err := e.api.CreateIdentitySource(ctx, &mpa.CreateIdentitySourceInput{IdentitySourceParameters: &mpatypes.IdentitySourceParameters{
				IamIdentityCenter: &mpatypes.IamIdentityCenter{InstanceArn: aws.String(e.dir.inst.ARN), Region: aws.String("us-east-1")}}})
			return err
		}, "ConflictException", http.StatusConflict},
		{"unknown instance", func() error {
			_, err := e.api.CreateIdentitySource(ctx, &mpa.CreateIdentitySourceInput{IdentitySourceParameters: &mpatypes.IdentitySourceParameters{
				IamIdentityCenter: &mpatypes.IamIdentityCenter{InstanceArn: aws.String("arn:aws:sso:::instance/ssoins-9999"), Region: aws.String("us-east-1")}}})
			return err
		}, "ResourceNotFoundException", http.StatusNotFound},
		{"unknown source", func() error {
			_, err := e.api.GetIdentitySource(ctx, &mpa.GetIdentitySourceInput{IdentitySourceArn: aws.String(other)})
			return err
		}, "ResourceNotFoundException", http.StatusNotFound},
		{"not an ARN", func() error {
			_, err := e.api.DeleteIdentitySource(ctx, &mpa.DeleteIdentitySourceInput{IdentitySourceArn: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), tc.code, tc.status) })
	}
	if _, err := e.api.DeleteIdentitySource(ctx, &mpa.DeleteIdentitySourceInput{IdentitySourceArn: aws.String(src)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.api.GetIdentitySource(ctx, &mpa.GetIdentitySourceInput{IdentitySourceArn: aws.String(src)})
	wantCode(t, err, "ResourceNotFoundException", http.StatusNotFound)
}

func TestApprovalTeams(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	for _, u := range []string{"ana", "bo", "cy"} {
		e.dir.add(u, u)
	}
	approver := func(id string) mpatypes.ApprovalTeamRequestApprover {
		return mpatypes.ApprovalTeamRequestApprover{PrimaryIdentityId: aws.String(id), PrimaryIdentitySourceArn: aws.String(src)}
	}
	three := []mpatypes.ApprovalTeamRequestApprover{approver("ana"), approver("bo"), approver("cy")}
	create := func(name string, m int32, approvers []mpatypes.ApprovalTeamRequestApprover, policy string) (*mpa.CreateApprovalTeamOutput, error) {
		return e.api.CreateApprovalTeam(ctx, &mpa.CreateApprovalTeamInput{Name: aws.String(name), Description: aws.String("d"),
			ApprovalStrategy: &mpatypes.ApprovalStrategyMemberMofN{Value: mpatypes.MofNApprovalStrategy{MinApprovalsRequired: aws.Int32(m)}},
			Approvers:        approvers, Policies: []mpatypes.PolicyReference{{PolicyArn: aws.String(policy)}}})
	}
	root := mpasvc.PolicyARN(mpasvc.CreateRootAccessKey)
	created, err := create("guardians", 2, three, root)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		m         int32
		approvers []mpatypes.ApprovalTeamRequestApprover
		policy    string
		code      string
	}{
		{"M above N", 4, three, root, "ValidationException"},
		{"M of zero", 0, three, root, "ValidationException"},
		{"one approver", 1, three[:1], root, "ValidationException"},
		{"an approver twice", 1, []mpatypes.ApprovalTeamRequestApprover{approver("ana"), approver("ana")}, root, "ValidationException"},
		{"unknown user", 1, []mpatypes.ApprovalTeamRequestApprover{approver("ana"), approver("zed")}, root, "ResourceNotFoundException"},
		{"unknown policy", 1, three, "arn:aws:mpa::aws:policy/rootward/Nothing", "ResourceNotFoundException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := create("team-"+strings.ReplaceAll(tc.name, " ", "-"), tc.m, tc.approvers, tc.policy)
			wantCode(t, err, tc.code, 0)
		})
	}
	t.Run("name taken", func(t *testing.T) {
		_, err := create("guardians", 2, three, root)
		wantCode(t, err, "ConflictException", http.StatusConflict)
	})

	get := func() *mpa.GetApprovalTeamOutput {
		t.Helper()
		got, err := e.api.GetApprovalTeam(ctx, &mpa.GetApprovalTeamInput{Arn: created.Arn})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := get(); got.Status != mpatypes.ApprovalTeamStatusPending || got.StatusCode != mpatypes.ApprovalTeamStatusCodePendingActivation ||
		*got.NumberOfApprovers != 3 || len(got.Approvers) != 3 || got.Approvers[0].PrimaryIdentityStatus != mpatypes.IdentityStatusPending {
		t.Fatalf("new team = %+v", got)
	}
	for i, u := range []string{"ana", "bo", "cy"} {
		if _, err := e.mpa.RespondToInvitation(ctx, *created.Arn, mpasvc.Identity{SourceARN: src, UserID: u}, true); err != nil {
			t.Fatal(err)
		}
		if got, want := get().Status, mpatypes.ApprovalTeamStatusPending; i < 2 && got != want {
			t.Fatalf("after %d acceptances status = %s, want %s", i+1, got, want)
		}
	}
	got := get()
	if got.Status != mpatypes.ApprovalTeamStatusActive || got.Approvers[2].PrimaryIdentityStatus != mpatypes.IdentityStatusAccepted {
		t.Fatalf("team once all accepted = %s %s", got.Status, got.Approvers[2].PrimaryIdentityStatus)
	}
	if s, ok := got.ApprovalStrategy.(*mpatypes.ApprovalStrategyResponseMemberMofN); !ok || *s.Value.MinApprovalsRequired != 2 {
		t.Fatalf("ApprovalStrategy = %#v", got.ApprovalStrategy)
	}
	_, err = e.mpa.RespondToInvitation(ctx, *created.Arn, mpasvc.Identity{SourceARN: src, UserID: "ana"}, true)
	if err == nil {
		t.Fatal("a second acceptance was accepted")
	}

	list, err := e.api.ListApprovalTeams(ctx, &mpa.ListApprovalTeamsInput{})
	if err != nil || len(list.ApprovalTeams) != 1 || *list.ApprovalTeams[0].Arn != *created.Arn {
		t.Fatalf("ListApprovalTeams = %+v, %v", list, err)
	}

	// An update waits for the current approvers: the team keeps its version and M meanwhile.
	upd, err := e.api.UpdateApprovalTeam(ctx, &mpa.UpdateApprovalTeamInput{Arn: created.Arn,
		ApprovalStrategy: &mpatypes.ApprovalStrategyMemberMofN{Value: mpatypes.MofNApprovalStrategy{MinApprovalsRequired: aws.Int32(3)}}})
	if err != nil {
		t.Fatal(err)
	}
	got = get()
	if *upd.VersionId != "2" || *got.VersionId != "1" || got.StatusCode != mpatypes.ApprovalTeamStatusCodeUpdatePendingApproval ||
		got.PendingUpdate == nil || *got.PendingUpdate.VersionId != "2" || got.UpdateSessionArn == nil {
		t.Fatalf("after UpdateApprovalTeam: version %s, team %s %s, pending %+v", *upd.VersionId, *got.VersionId, got.StatusCode, got.PendingUpdate)
	}
	_, err = e.api.UpdateApprovalTeam(ctx, &mpa.UpdateApprovalTeamInput{Arn: created.Arn, Description: aws.String("x")})
	wantCode(t, err, "ConflictException", http.StatusConflict)
	e.vote(t, src, *got.UpdateSessionArn, "ana", mpasvc.VoteApproved)
	if got := get(); *got.VersionId != "1" {
		t.Fatalf("after one approval of two the version is %s", *got.VersionId)
	}
	e.vote(t, src, *got.UpdateSessionArn, "bo", mpasvc.VoteApproved)
	got = get()
	if *got.VersionId != "2" || got.PendingUpdate != nil || *got.ApprovalStrategy.(*mpatypes.ApprovalStrategyResponseMemberMofN).Value.MinApprovalsRequired != 3 {
		t.Fatalf("after approval: version %s, pending %+v", *got.VersionId, got.PendingUpdate)
	}

	// Deleting the active version is refused; a deletion needs approval too.
	_, err = e.api.DeleteInactiveApprovalTeamVersion(ctx, &mpa.DeleteInactiveApprovalTeamVersionInput{Arn: created.Arn, VersionId: aws.String("2")})
	wantCode(t, err, "ConflictException", http.StatusConflict)
	_, err = e.api.DeleteInactiveApprovalTeamVersion(ctx, &mpa.DeleteInactiveApprovalTeamVersionInput{Arn: created.Arn, VersionId: aws.String("7")})
	wantCode(t, err, "ResourceNotFoundException", http.StatusNotFound)
	del, err := e.api.StartActiveApprovalTeamDeletion(ctx, &mpa.StartActiveApprovalTeamDeletionInput{Arn: created.Arn, PendingWindowDays: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if d := del.DeletionCompletionTime.Sub(*del.DeletionStartTime); d.Hours() != 72 {
		t.Fatalf("deletion window = %v, want 72h", d)
	}
	if got := get(); got.Status != mpatypes.ApprovalTeamStatusActive || got.StatusCode != mpatypes.ApprovalTeamStatusCodeDeletePendingApproval {
		t.Fatalf("team while its deletion waits = %s %s", got.Status, got.StatusCode)
	}
}

func TestPoliciesAndTags(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	out, err := e.api.ListPolicies(ctx, &mpa.ListPoliciesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range out.Policies {
		if *p.Arn != "arn:aws:mpa::aws:policy/rootward/"+*p.Name || p.PolicyType != mpatypes.PolicyTypeAwsManaged || *p.DefaultVersion != 1 {
			t.Errorf("policy %+v", p)
		}
		names = append(names, *p.Name)
	}
	want := "RootSignIn CreateRootAccessKey UploadRootSigningCertificate AssumeRoot DeleteRootCredentials DisableOrganizationsRootCredentialsManagement DisableOrganizationsRootSessions LeaveOrganization DisableRootActivityAlert"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("ListPolicies = %s, want %s", got, want)
	}
	// Paged by two.
	var paged []string
	p := mpa.NewListPoliciesPaginator(e.api, &mpa.ListPoliciesInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, pol := range page.Policies {
			paged = append(paged, *pol.Name)
		}
	}
	if got := strings.Join(paged, " "); got != want {
		t.Fatalf("ListPolicies by pages = %s", got)
	}
	v, err := e.api.GetPolicyVersion(ctx, &mpa.GetPolicyVersionInput{PolicyVersionArn: aws.String("arn:aws:mpa::aws:policy/rootward/AssumeRoot/1")})
	if err != nil || !strings.Contains(*v.PolicyVersion.Document, `"AssumeRoot"`) || !*v.PolicyVersion.IsDefault {
		t.Fatalf("GetPolicyVersion = %+v, %v", v, err)
	}
	_, err = e.api.GetPolicyVersion(ctx, &mpa.GetPolicyVersionInput{PolicyVersionArn: aws.String("arn:aws:mpa::aws:policy/rootward/AssumeRoot/2")})
	wantCode(t, err, "ResourceNotFoundException", http.StatusNotFound)
	vs, err := e.api.ListPolicyVersions(ctx, &mpa.ListPolicyVersionsInput{PolicyArn: aws.String(mpasvc.PolicyARN(mpasvc.LeaveOrganization))})
	if err != nil || len(vs.PolicyVersions) != 1 || *vs.PolicyVersions[0].Arn != mpasvc.PolicyARN(mpasvc.LeaveOrganization)+"/1" {
		t.Fatalf("ListPolicyVersions = %+v, %v", vs, err)
	}

	src := e.source(t)
	team := e.team(t, src, 1, []string{"ana", "bo"}, mpasvc.LeaveOrganization)
	rp, err := e.api.ListResourcePolicies(ctx, &mpa.ListResourcePoliciesInput{ResourceArn: aws.String(team)})
	if err != nil || len(rp.ResourcePolicies) != 1 || *rp.ResourcePolicies[0].PolicyName != mpasvc.LeaveOrganization {
		t.Fatalf("ListResourcePolicies = %+v, %v", rp, err)
	}
	doc, err := e.api.GetResourcePolicy(ctx, &mpa.GetResourcePolicyInput{ResourceArn: aws.String(team),
		PolicyName: aws.String(mpasvc.LeaveOrganization), PolicyType: mpatypes.PolicyTypeAwsManaged})
	if err != nil || *doc.PolicyVersionArn != mpasvc.PolicyARN(mpasvc.LeaveOrganization)+"/1" {
		t.Fatalf("GetResourcePolicy = %+v, %v", doc, err)
	}
	_, err = e.api.GetResourcePolicy(ctx, &mpa.GetResourcePolicyInput{ResourceArn: aws.String(team),
		PolicyName: aws.String(mpasvc.AssumeRoot), PolicyType: mpatypes.PolicyTypeAwsManaged})
	wantCode(t, err, "ResourceNotFoundException", http.StatusNotFound)

	if _, err := e.api.TagResource(ctx, &mpa.TagResourceInput{ResourceArn: aws.String(team), Tags: map[string]string{"env": "prod", "owner": "sec"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.UntagResource(ctx, &mpa.UntagResourceInput{ResourceArn: aws.String(team), TagKeys: []string{"owner"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.api.ListTagsForResource(ctx, &mpa.ListTagsForResourceInput{ResourceArn: aws.String(team)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "prod" {
		t.Fatalf("ListTagsForResource = %+v, %v", tags, err)
	}
	many := map[string]string{}
	for i := range 51 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	_, err = e.api.TagResource(ctx, &mpa.TagResourceInput{ResourceArn: aws.String(team), Tags: many})
	wantCode(t, err, "TooManyTagsException", http.StatusBadRequest)
}

func TestAccessDeniedException(t *testing.T) {
	e := newEnv(t)
	u := e.UserIn(e.Account.ID, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mpa:ListPolicies","Resource":"*"}]}`)
	_ = u
	k, err := e.Svc.CreateAccessKey(servertest.Ctx(t), e.Account.ID, "reader")
	if err != nil {
		t.Fatal(err)
	}
	c := mpa.NewFromConfig(e.Config(k.AccessKeyID, k.Secret, ""))
	if _, err := c.ListPolicies(servertest.Ctx(t), &mpa.ListPoliciesInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListApprovalTeams(servertest.Ctx(t), &mpa.ListApprovalTeamsInput{})
	wantCode(t, err, "AccessDeniedException", http.StatusForbidden)
}
