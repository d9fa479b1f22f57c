package awsfacts

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mpa"
	mpatypes "github.com/aws/aws-sdk-go-v2/service/mpa/types"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/compliance"
)

// rootSignInPolicy is the Multi-party approval policy Rootward publishes for the root user's
// console sign-in: an approval team whose policies include it protects the root sign-in of its
// account, and a team of an organization's management account that of every account of the
// organization (issue 16, Decided).
const rootSignInPolicy = arn.MPAPolicyPrefix + "RootSignIn"

// protectingTeams lists, through client, the approval teams of the caller's account that protect
// the root sign-in: ACTIVE ones, and those whose deletion has not ended yet (DELETING; a deleted
// team is INACTIVE), whose policies include rootSignInPolicy. ListApprovalTeams does not name a
// team's policies, so each team is read with GetApprovalTeam.
func protectingTeams(ctx context.Context, client *mpa.Client) ([]string, error) {
	var out []string
	p := mpa.NewListApprovalTeamsPaginator(client, &mpa.ListApprovalTeamsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, errors.New(why("mpa:ListApprovalTeams", err))
		}
		for _, t := range page.ApprovalTeams {
			if !protectingStatus(t.Status) {
				continue
			}
			team, err := client.GetApprovalTeam(ctx, &mpa.GetApprovalTeamInput{Arn: t.Arn})
			if err != nil {
				return nil, errors.New(why("mpa:GetApprovalTeam", err))
			}
			if !protectingStatus(team.Status) {
				continue
			}
			for _, pol := range team.Policies {
				if aws.ToString(pol.PolicyArn) == rootSignInPolicy {
					out = append(out, aws.ToString(team.Arn))
					break
				}
			}
		}
	}
	return out, nil
}

func protectingStatus(s mpatypes.ApprovalTeamStatus) bool {
	return s == mpatypes.ApprovalTeamStatusActive || s == mpatypes.ApprovalTeamStatusDeleting
}

// approval reads which approval teams protect the root sign-in of the caller's own account, after
// organization (which tells whether the account is a member). A member's own team protects it,
// and so would a team of its management account, which a member cannot list: a member without a
// team of its own has the fact missing, with the way to read it (`rootward audit --org` from the
// management account).
func (c *Collector) approval(ctx context.Context, f *compliance.Facts) {
	own, err := protectingTeams(ctx, c.mpa)
	switch {
	case err != nil:
		f.Miss(compliance.GroupApproval, err.Error())
	case len(own) > 0 || !f.Member && f.Missing[groupOrganization] == "":
		f.RootSignInApproval = &compliance.Approval{Teams: own}
	case f.Member:
		f.Miss(compliance.GroupApproval, "a member account cannot list its management account's approval teams, one of which may protect its root sign-in; "+
			"run `rootward audit --org` as the management account")
	default:
		f.Miss(compliance.GroupApproval, "no approval team of the account protects its root sign-in, and whether its organization's management account has one is unknown ("+
			f.Missing[groupOrganization]+")")
	}
}

// memberApproval reads which approval teams protect a member's root sign-in when the management
// account audits it: the management account's own teams (read once, with the collector's
// credentials), else the member's own, read through session (the member's audit session).
func (c *Collector) memberApproval(ctx context.Context, f *compliance.Facts, session *mpa.Client) {
	if !c.mgmtRead {
		c.mgmtTeams, c.mgmtErr = protectingTeams(ctx, c.mpa)
		c.mgmtRead = true
	}
	if c.mgmtErr != nil {
		f.Miss(compliance.GroupApproval, c.mgmtErr.Error())
		return
	}
	if len(c.mgmtTeams) > 0 {
		f.RootSignInApproval = &compliance.Approval{Teams: c.mgmtTeams}
		return
	}
	own, err := protectingTeams(ctx, session)
	if err != nil && f.Root.CredentialsRemoved && f.Missing[groupRoot] == "" {
		// No root sign-in to protect: the check does not look at the teams (NOT_APPLICABLE).
		f.RootSignInApproval = &compliance.Approval{}
		return
	}
	if err != nil {
		f.Miss(compliance.GroupApproval, "no approval team of the management account protects the member's root sign-in, and the member's own teams could not be read: "+err.Error())
		return
	}
	f.RootSignInApproval = &compliance.Approval{Teams: own}
}
