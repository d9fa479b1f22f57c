package mpaapi_test

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mpa"
	mpatypes "github.com/aws/aws-sdk-go-v2/service/mpa/types"

	mpasvc "github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestApprovalTeamBaseline: StartApprovalTeamBaseline opens a session asking the named approvers
// (by their approver IDs, or all of them) to confirm they can still respond; it is approved once each one asked has
// responded, and each one's LastActivity becomes BASELINED. Refusals: an approver not on the team
// (ResourceNotFoundException), a team not active yet (ConflictException), and a response from an
// approver the baseline does not ask (refused by the vote path).
func TestApprovalTeamBaseline(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	arn := e.team(t, src, 2, []string{"ana", "bo", "cy"}, mpasvc.CreateRootAccessKey)

	approverOf := func(id string) mpatypes.GetApprovalTeamResponseApprover {
		t.Helper()
		got, err := e.api.GetApprovalTeam(ctx, &mpa.GetApprovalTeamInput{Arn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range got.Approvers {
			if aws.ToString(a.PrimaryIdentityId) == id {
				return a
			}
		}
		t.Fatalf("approver %s not on the team: %+v", id, got.Approvers)
		return mpatypes.GetApprovalTeamResponseApprover{}
	}
	status := func(session string) mpatypes.SessionStatus {
		t.Helper()
		got, err := e.api.GetSession(ctx, &mpa.GetSessionInput{SessionArn: aws.String(session)})
		if err != nil {
			t.Fatal(err)
		}
		if got.ActionName == nil || *got.ActionName != "StartApprovalTeamBaseline" {
			t.Errorf("ActionName = %v, want StartApprovalTeamBaseline", aws.ToString(got.ActionName))
		}
		return got.Status
	}

	// ApproverIds are the team's approver IDs (GetApprovalTeam's ApproverId), not identities.
	anaID, boID := aws.ToString(approverOf("ana").ApproverId), aws.ToString(approverOf("bo").ApproverId)
	t.Run("two approvers named", func(t *testing.T) {
		out, err := e.api.StartApprovalTeamBaseline(ctx, &mpa.StartApprovalTeamBaselineInput{Arn: aws.String(arn), ApproverIds: []string{anaID, boID}})
		if err != nil {
			t.Fatal(err)
		}
		session := aws.ToString(out.BaselineSessionArn)
		if got := status(session); got != mpatypes.SessionStatusPending {
			t.Fatalf("new baseline session is %s, want PENDING", got)
		}
		if _, err := e.mpa.Vote(ctx, session, mpasvc.Identity{SourceARN: src, UserID: "cy"}, mpasvc.VoteApproved); err == nil {
			t.Fatal("cy, whom the baseline does not ask, responded")
		}
		e.vote(t, src, session, "ana", mpasvc.VoteApproved)
		if got := status(session); got != mpatypes.SessionStatusPending {
			t.Fatalf("after one of two responses the session is %s, want PENDING", got)
		}
		if got := approverOf("ana").LastActivity; got != mpatypes.ApproverLastActivityBaselined {
			t.Errorf("ana's LastActivity = %q, want BASELINED", got)
		}
		e.vote(t, src, session, "bo", mpasvc.VoteApproved)
		if got := status(session); got != mpatypes.SessionStatusApproved {
			t.Fatalf("after both responded the session is %s, want APPROVED", got)
		}
		if got := approverOf("cy").LastActivity; got == mpatypes.ApproverLastActivityBaselined {
			t.Errorf("cy, not asked, is BASELINED")
		}
	})
	t.Run("every approver", func(t *testing.T) {
		out, err := e.api.StartApprovalTeamBaseline(ctx, &mpa.StartApprovalTeamBaselineInput{Arn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		session := aws.ToString(out.BaselineSessionArn)
		for i, u := range []string{"ana", "bo", "cy"} {
			if got := status(session); got != mpatypes.SessionStatusPending {
				t.Fatalf("after %d of 3 responses the session is %s, want PENDING", i, got)
			}
			e.vote(t, src, session, u, mpasvc.VoteApproved)
		}
		if got := status(session); got != mpatypes.SessionStatusApproved {
			t.Fatalf("after all three responded the session is %s, want APPROVED", got)
		}
	})
	t.Run("an identity ID instead of an approver ID", func(t *testing.T) {
		_, err := e.api.StartApprovalTeamBaseline(ctx, &mpa.StartApprovalTeamBaselineInput{Arn: aws.String(arn), ApproverIds: []string{anaID, "ana"}})
		wantCode(t, err, "ResourceNotFoundException", http.StatusNotFound)
	})
	t.Run("team not active", func(t *testing.T) {
		e.dir.add("dee", "dee")
		e.dir.add("eve", "eve")
		pending, err := e.api.CreateApprovalTeam(ctx, &mpa.CreateApprovalTeamInput{Name: aws.String("not-yet"), Description: aws.String("d"),
			ApprovalStrategy: &mpatypes.ApprovalStrategyMemberMofN{Value: mpatypes.MofNApprovalStrategy{MinApprovalsRequired: aws.Int32(1)}},
			Approvers: []mpatypes.ApprovalTeamRequestApprover{
				{PrimaryIdentityId: aws.String("dee"), PrimaryIdentitySourceArn: aws.String(src)},
				{PrimaryIdentityId: aws.String("eve"), PrimaryIdentitySourceArn: aws.String(src)}},
			Policies: []mpatypes.PolicyReference{{PolicyArn: aws.String(mpasvc.PolicyARN(mpasvc.AssumeRoot))}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.api.StartApprovalTeamBaseline(ctx, &mpa.StartApprovalTeamBaselineInput{Arn: pending.Arn})
		wantCode(t, err, "ConflictException", http.StatusConflict)
	})
	t.Run("unknown team", func(t *testing.T) {
		_, err := e.api.StartApprovalTeamBaseline(ctx, &mpa.StartApprovalTeamBaselineInput{Arn: aws.String(arn[:len(arn)-4] + "0000")})
		wantCode(t, err, "ResourceNotFoundException", http.StatusNotFound)
	})
}
