package mpaapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/mpa"
	mpatypes "github.com/aws/aws-sdk-go-v2/service/mpa/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/alerts"
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	mpasvc "github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// A root signing certificate needs M approvals of approvers other than the requester, within the
// window; the approved request runs once.
func TestProtectedRootSigningCertificate(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	rootIAM, _ := e.RootClients()
	team := e.team(t, src, 2, []string{"ana", "bo", "cy"}, mpasvc.UploadRootSigningCertificate)
	cert := certPEM(t, "tools")
	upload := func() (*awsiam.UploadSigningCertificateOutput, error) {
		return rootIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(cert)})
	}
	teamID := team[strings.LastIndex(team, "/")+1:]

	_, err := upload()
	wantCode(t, err, "AccessDenied", http.StatusForbidden)
	session := sessionIn(t, err)
	if !strings.HasPrefix(session, "arn:aws:mpa:us-east-1:"+e.Account.ID+":session/"+teamID+"/") {
		t.Fatalf("session ARN = %s", session)
	}
	expiry := e.clk.Now().Add(mpasvc.SessionWindow).UTC().Format(time.RFC3339)
	if msg := messageOf(err); !strings.Contains(msg, "expires at "+expiry) || !strings.Contains(msg, "(0 of 2 approvals)") {
		t.Fatalf("message %q does not name the expiry %s and the count", msg, expiry)
	}
	// Asking again waits for the same session.
	_, err = upload()
	if again := sessionIn(t, err); again != session {
		t.Fatalf("second request opened %s, want the pending %s", again, session)
	}
	got, err := e.api.GetSession(ctx, &mpa.GetSessionInput{SessionArn: aws.String(session)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != mpatypes.SessionStatusPending || *got.ActionName != "iam:UploadSigningCertificate" ||
		*got.RequesterPrincipalArn != "arn:aws:iam::"+e.Account.ID+":root" || got.ExpirationTime.UTC().Format(time.RFC3339) != expiry ||
		len(got.ApproverResponses) != 3 || got.ApproverResponses[0].Response != mpatypes.SessionResponseNoResponse ||
		got.ExecutionStatus != mpatypes.SessionExecutionStatusPending {
		t.Fatalf("GetSession = %+v", got)
	}

	e.vote(t, src, session, "ana", mpasvc.VoteApproved)
	_, err = upload()
	if again := sessionIn(t, err); again != session || !strings.Contains(err.Error(), "(1 of 2 approvals)") {
		t.Fatalf("after one approval: %v", err)
	}
	e.dir.add("zed", "zed")
	for _, tc := range []struct {
		name, user string
		code       awserr.Code
	}{
		{"a replayed vote", "ana", awserr.MPAConflict},
		{"a user not on the team", "zed", awserr.MPAAccessDenied},
		{"a user of no identity source", "nobody", awserr.MPAAccessDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.mpa.Vote(ctx, session, mpasvc.Identity{SourceARN: src, UserID: tc.user}, mpasvc.VoteApproved)
			if !awserr.IsCode(err, tc.code) {
				t.Fatalf("vote = %v, want %s", err, tc.code)
			}
		})
	}
	e.vote(t, src, session, "bo", mpasvc.VoteApproved)
	up, err := upload()
	if err != nil {
		t.Fatalf("approved request: %v", err)
	}
	if up.Certificate == nil || up.Certificate.CertificateId == nil {
		t.Fatalf("UploadSigningCertificate = %+v", up.Certificate)
	}
	got, err = e.api.GetSession(ctx, &mpa.GetSessionInput{SessionArn: aws.String(session)})
	if err != nil || got.Status != mpatypes.SessionStatusApproved || got.ExecutionStatus != mpatypes.SessionExecutionStatusExecuted {
		t.Fatalf("session after the run = %+v, %v", got, err)
	}
	// Once: the next request needs a session of its own.
	_, err = upload()
	wantCode(t, err, "AccessDenied", http.StatusForbidden)
	if next := sessionIn(t, err); next == session {
		t.Fatal("the executed session allowed a second run")
	}
	// Other parameters need another session.
	_, err = rootIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(certPEM(t, "other"))})
	if other := sessionIn(t, err); other == session {
		t.Fatal("another certificate was allowed by the executed session")
	}
	// An IAM user's certificate is not the root's: not protected.
	if _, err := e.IAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("admin"), CertificateBody: aws.String(certPEM(t, "user"))}); err != nil {
		t.Fatalf("UploadSigningCertificate of a user: %v", err)
	}

	list, err := e.api.ListSessions(ctx, &mpa.ListSessionsInput{ApprovalTeamArn: aws.String(team),
		Filters: []mpatypes.Filter{{FieldName: mpatypes.FilterFieldSessionStatus, Operator: mpatypes.OperatorEquals, Value: aws.String("APPROVED")}}})
	if err != nil || len(list.Sessions) != 1 || *list.Sessions[0].SessionArn != session {
		t.Fatalf("ListSessions(APPROVED) = %+v, %v", list, err)
	}
	_, err = e.api.ListSessions(ctx, &mpa.ListSessionsInput{ApprovalTeamArn: aws.String(team),
		Filters: []mpatypes.Filter{{FieldName: mpatypes.FilterFieldVote, Operator: mpatypes.OperatorEquals, Value: aws.String("x")}}})
	wantCode(t, err, "ValidationException", http.StatusBadRequest)

	// Every step is in the trail, and the team was told.
	ct := cloudtrail.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""))
	events, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{
		AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String(mpasvc.EventSource)}}})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, ev := range events.Events {
		seen[*ev.EventName]++
	}
	for name, n := range map[string]int{mpasvc.EventSessionStarted: 3, mpasvc.EventVote: 2, mpasvc.EventSessionApproved: 1, mpasvc.EventSessionExecuted: 1} {
		if seen[name] < n {
			t.Errorf("trail holds %d %s records, want %d (all: %v)", seen[name], name, n, seen)
		}
	}
	msgs, err := e.out.Outbox(ctx, notify.Query{To: "cy@example.com", Purpose: "mpa-approval"})
	if err != nil || len(msgs) < 4 || !strings.Contains(msgs[1].Body, session) {
		t.Fatalf("cy's messages = %d, %v", len(msgs), err)
	}
}

// A session waits a day; then it is expired, takes no vote, and the request opens another. (The
// clock moves past what SigV4 allows, so the root calls through the runner, as the console does.)
func TestSessionExpires(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	e.team(t, src, 1, []string{"ana", "bo"}, mpasvc.UploadRootSigningCertificate)
	cert := certPEM(t, "tools")
	upload := func() error {
		_, err := api.Invoke(e.Server.Runner(), servertest.ConsoleRequest("192.0.2.1"), authz.Principal{Account: e.Account.ID},
			iamapi.UploadSigningCertificate, &iamapi.UploadSigningCertificateInput{CertificateBody: cert})
		return err
	}
	denied := func(err error) string {
		t.Helper()
		e, ok := awserr.As(err)
		if !ok || e.Code != awserr.AccessDenied {
			t.Fatalf("err = %v, want AccessDenied", err)
		}
		i := strings.Index(e.Message, "arn:aws:mpa:")
		return strings.Fields(e.Message[i:])[0]
	}
	session := denied(upload())
	e.clk.Advance(mpasvc.SessionWindow)
	got, err := e.mpa.SessionOf(ctx, e.Account.ID, session)
	if err != nil || got.Status != mpasvc.SessionFailed || got.StatusCode != mpasvc.CodeExpired {
		t.Fatalf("session past its window = %+v, %v", got, err)
	}
	if _, err := e.mpa.Vote(ctx, session, mpasvc.Identity{SourceARN: src, UserID: "ana"}, mpasvc.VoteApproved); !awserr.IsCode(err, awserr.MPAConflict) {
		t.Fatalf("vote on an expired session = %v, want ConflictException", err)
	}
	next := denied(upload())
	if next == session {
		t.Fatal("the expired session is still the one waited for")
	}
	// An approved session not used within its window runs nothing.
	e.vote(t, src, next, "ana", mpasvc.VoteApproved)
	e.clk.Advance(mpasvc.SessionWindow + time.Second)
	if third := denied(upload()); third == next {
		t.Fatal("an approved session ran after its window")
	}
	// Sweep records the expiry of a session nobody touched again.
	e.clk.Advance(mpasvc.SessionWindow)
	if err := e.mpa.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
}

// A removed approver's vote stops counting; M is counted against the team as it is when counted.
func TestRemovedApproverVoteStopsCounting(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	team := e.team(t, src, 2, []string{"ana", "bo", "cy"}, mpasvc.UploadRootSigningCertificate)
	rootIAM, _ := e.RootClients()
	cert := certPEM(t, "tools")
	_, err := rootIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(cert)})
	session := sessionIn(t, err)
	e.vote(t, src, session, "ana", mpasvc.VoteApproved)

	// ana is replaced by dan: approved by ana and bo, then accepted by dan.
	e.dir.add("dan", "dan")
	var approvers []mpatypes.ApprovalTeamRequestApprover
	for _, u := range []string{"bo", "cy", "dan"} {
		approvers = append(approvers, mpatypes.ApprovalTeamRequestApprover{PrimaryIdentityId: aws.String(u), PrimaryIdentitySourceArn: aws.String(src)})
	}
	if _, err := e.api.UpdateApprovalTeam(ctx, &mpa.UpdateApprovalTeamInput{Arn: aws.String(team), Approvers: approvers}); err != nil {
		t.Fatal(err)
	}
	got, err := e.api.GetApprovalTeam(ctx, &mpa.GetApprovalTeamInput{Arn: aws.String(team)})
	if err != nil {
		t.Fatal(err)
	}
	e.vote(t, src, *got.UpdateSessionArn, "ana", mpasvc.VoteApproved)
	e.vote(t, src, *got.UpdateSessionArn, "bo", mpasvc.VoteApproved)
	if got, _ := e.api.GetApprovalTeam(ctx, &mpa.GetApprovalTeamInput{Arn: aws.String(team)}); got.StatusCode != mpatypes.ApprovalTeamStatusCodeUpdatePendingActivation {
		t.Fatalf("update approved, dan not yet accepted: %s", got.StatusCode)
	}
	if _, err := e.mpa.RespondToInvitation(ctx, team, mpasvc.Identity{SourceARN: src, UserID: "dan"}, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.api.GetApprovalTeam(ctx, &mpa.GetApprovalTeamInput{Arn: aws.String(team)}); *got.VersionId != "2" || len(got.Approvers) != 3 {
		t.Fatalf("team after dan accepted: version %s, %d approvers", *got.VersionId, len(got.Approvers))
	}

	// bo's approval is the only one that counts now: 1 of 2.
	e.vote(t, src, session, "bo", mpasvc.VoteApproved)
	_, err = rootIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(cert)})
	if sessionIn(t, err) != session || !strings.Contains(err.Error(), "(1 of 2 approvals)") {
		t.Fatalf("with a removed approver's vote: %v", err)
	}
	if _, err := e.mpa.Vote(ctx, session, mpasvc.Identity{SourceARN: src, UserID: "ana"}, mpasvc.VoteRejected); !awserr.IsCode(err, awserr.MPAAccessDenied) {
		t.Fatalf("a removed approver voted: %v", err)
	}
	e.vote(t, src, session, "dan", mpasvc.VoteApproved)
	if _, err := rootIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(cert)}); err != nil {
		t.Fatalf("approved by bo and dan: %v", err)
	}
}

// Turning the root-activity alert off is protected; a request with other parameters voids the
// pending session and needs a new one. EventBridge answers in its own shape.
func TestChangedParametersVoidTheSession(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	e.team(t, src, 1, []string{"ana", "bo"}, mpasvc.DisableRootActivityAlert)
	eb := eventbridge.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""))
	_, err := eb.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String(alerts.RuleName)})
	wantCode(t, err, "AccessDeniedException", http.StatusForbidden)
	first := sessionIn(t, err)
	_, err = eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(alerts.RuleName), Ids: []string{"x"}})
	second := sessionIn(t, err)
	if second == first {
		t.Fatal("other parameters waited for the same session")
	}
	got, err := e.api.GetSession(ctx, &mpa.GetSessionInput{SessionArn: aws.String(first)})
	if err != nil || got.Status != mpatypes.SessionStatusFailed || got.StatusCode != mpatypes.SessionStatusCodeConfigurationChanged {
		t.Fatalf("first session = %+v, %v", got, err)
	}
	if _, err := e.mpa.Vote(ctx, first, mpasvc.Identity{SourceARN: src, UserID: "ana"}, mpasvc.VoteApproved); !awserr.IsCode(err, awserr.MPAConflict) {
		t.Fatalf("vote on a void session = %v", err)
	}
	// Another rule is not the alert's.
	if _, err := eb.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("mine")}); err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException" {
			t.Fatalf("another rule was protected: %v", err)
		}
	}
	e.vote(t, src, second, "bo", mpasvc.VoteApproved)
	_, err = eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(alerts.RuleName), Ids: []string{"x"}})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException" {
		t.Fatalf("approved RemoveTargets refused: %v", err)
	}
}

// An approver cannot approve their own request: an Identity Center user's role session is theirs.
func TestRequesterCannotApprove(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	e.team(t, src, 1, []string{"ana", "bo"}, mpasvc.LeaveOrganization)
	role := "AWSReservedSSO_Admin_0123456789abcdef"
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, e.Account.ID)
	if _, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(servertest.AdminPolicyARN)}); err != nil {
		t.Fatal(err)
	}
	creds, err := e.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + e.Account.ID + ":role/" + role), RoleSessionName: aws.String("ana")})
	if err != nil {
		t.Fatal(err)
	}
	c := creds.Credentials
	anaOrgs := organizations.NewFromConfig(e.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
	_, err = anaOrgs.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
	wantCode(t, err, "AccessDeniedException", http.StatusForbidden)
	session := sessionIn(t, err)
	_, err = e.mpa.Vote(ctx, session, mpasvc.Identity{SourceARN: src, UserID: "ana"}, mpasvc.VoteApproved)
	if !awserr.IsCode(err, awserr.MPAAccessDenied) || !strings.Contains(err.Error(), "your own request") {
		t.Fatalf("the requester's own vote = %v", err)
	}
	// The requester may cancel; another principal may not.
	_, err = e.api.CancelSession(ctx, &mpa.CancelSessionInput{SessionArn: aws.String(session)})
	wantCode(t, err, "AccessDeniedException", http.StatusForbidden)
	anaMPA := mpa.NewFromConfig(e.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
	if _, err := anaMPA.CancelSession(ctx, &mpa.CancelSessionInput{SessionArn: aws.String(session)}); err != nil {
		t.Fatal(err)
	}
	got, err := e.api.GetSession(ctx, &mpa.GetSessionInput{SessionArn: aws.String(session)})
	if err != nil || got.Status != mpatypes.SessionStatusCancelled {
		t.Fatalf("cancelled session = %+v, %v", got, err)
	}
	_, err = anaMPA.CancelSession(ctx, &mpa.CancelSessionInput{SessionArn: aws.String(session)})
	wantCode(t, err, "ConflictException", http.StatusConflict)
}

// Votes are counted in one transaction each: of five approvers voting at once on a 2-of-5 team,
// exactly two votes are taken before the session is approved.
func TestVotesCountedAtomically(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	users := []string{"u1", "u2", "u3", "u4", "u5"}
	e.team(t, src, 2, users, mpasvc.UploadRootSigningCertificate)
	rootIAM, _ := e.RootClients()
	cert := certPEM(t, "tools")
	_, err := rootIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(cert)})
	session := sessionIn(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.mpa.Vote(context.Background(), session, mpasvc.Identity{SourceARN: src, UserID: u}, mpasvc.VoteApproved)
			if err == nil {
				mu.Lock()
				taken++
				mu.Unlock()
			} else if !awserr.IsCode(err, awserr.MPAConflict) {
				t.Errorf("vote of %s: %v", u, err)
			}
		}()
	}
	wg.Wait()
	if taken != 2 {
		t.Fatalf("%d votes taken, want 2", taken)
	}
	got, err := e.api.GetSession(ctx, &mpa.GetSessionInput{SessionArn: aws.String(session)})
	if err != nil || got.Status != mpatypes.SessionStatusApproved {
		t.Fatalf("session = %+v, %v", got, err)
	}
}

// The console makes root access keys through internal/rootuser, outside the API runner: its hook
// asks multi-party approval too.
func TestConsoleRootAccessKeyNeedsApproval(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	e.team(t, src, 1, []string{"ana", "bo"}, mpasvc.CreateRootAccessKey)
	root, err := rootuser.New(rootuser.Config{IAM: e.Svc, Notifier: e.out, Trail: e.Trail, ConsoleURL: "https://rootward.test/console"},
		rootuser.WithClock(e.clk.Now), rootuser.WithApproval(e.mpa.RootApproval))
	if err != nil {
		t.Fatal(err)
	}
	p := &rootuser.Principal{Account: e.Account.ID, Root: true, ARN: "arn:aws:iam::" + e.Account.ID + ":root", UserID: e.Account.ID, AuthTime: e.clk.Now()}
	client := rootuser.Client{SourceIP: "192.0.2.1", UserAgent: "test"}
	_, err = root.CreateRootAccessKey(ctx, p, rootuser.RootAccessKeyRisk, client)
	ae, ok := awserr.As(err)
	if !ok || ae.Code != awserr.AccessDenied || ae.Status != http.StatusForbidden || !strings.Contains(ae.Message, ":session/") {
		t.Fatalf("CreateRootAccessKey = %v, want AccessDenied naming a session", err)
	}
	session := strings.Fields(ae.Message[strings.Index(ae.Message, "arn:aws:mpa:"):])[0]
	keys, err := root.RootCredentials(ctx, e.Account.ID)
	if err != nil || len(keys.AccessKeyIDs) != 0 {
		t.Fatalf("root keys before approval = %+v, %v", keys, err)
	}
	e.vote(t, src, session, "bo", mpasvc.VoteApproved)
	if _, err := root.CreateRootAccessKey(ctx, p, rootuser.RootAccessKeyRisk, client); err != nil {
		t.Fatalf("approved CreateRootAccessKey: %v", err)
	}
	if _, err := root.CreateRootAccessKey(ctx, p, rootuser.RootAccessKeyRisk, client); !awserr.IsCode(err, awserr.AccessDenied) {
		t.Fatalf("a second key on one approval: %v", err)
	}
}
