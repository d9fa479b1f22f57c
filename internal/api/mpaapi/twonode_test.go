package mpaapi_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/mpa"
	mpatypes "github.com/aws/aws-sdk-go-v2/service/mpa/types"

	"github.com/rootward/rootward/internal/awserr"
	mpasvc "github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestVotesAcrossNodes: two nodes — two handles of one PostgreSQL schema, each with its own
// Multi-party approval service, as two `serve` processes — count the votes of one session
// atomically: of six approvers voting at once, three through each node, exactly M are taken and
// the rest refused with the reason; a vote replayed through the other node is refused, and so is
// a vote on another team's session and a vote on the session once it ended.
func TestVotesAcrossNodes(t *testing.T) {
	dsn := pgtest.FreshSchema(t, pgtest.DSN(t))
	open := func() store.Store {
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	e := newEnvOn(t, open())
	nodeB := mpasvc.New(mpasvc.Config{Store: open(), Directory: e.dir, Now: e.clk.Now})
	nodes := map[string]*mpasvc.Service{"A": e.mpa, "B": nodeB}
	ctx := servertest.Ctx(t)
	src := e.source(t)
	users := []string{"u1", "u2", "u3", "u4", "u5", "u6"}
	e.team(t, src, 3, users, mpasvc.UploadRootSigningCertificate)
	e.team(t, src, 1, []string{"other", "another"}, mpasvc.DisableRootActivityAlert)
	rootIAM, _ := e.RootClients()
	_, err := rootIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(certPEM(t, "tools"))})
	session := sessionIn(t, err)

	// u1 votes through A; the same vote through B is a replay.
	e.vote(t, src, session, "u1", mpasvc.VoteApproved)
	if _, err := nodeB.Vote(ctx, session, mpasvc.Identity{SourceARN: src, UserID: "u1"}, mpasvc.VoteApproved); !awserr.IsCode(err, awserr.MPAConflict) ||
		!strings.Contains(err.Error(), "You already responded to session") {
		t.Fatalf("u1's vote replayed through node B = %v, want ConflictException", err)
	}
	// An approver of another team votes on this session.
	if _, err := nodeB.Vote(ctx, session, mpasvc.Identity{SourceARN: src, UserID: "other"}, mpasvc.VoteApproved); !awserr.IsCode(err, awserr.MPAAccessDenied) ||
		!strings.Contains(err.Error(), "You are not an approver of approval team") {
		t.Fatalf("another team's approver voting = %v, want AccessDeniedException", err)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	taken, refused := 0, 0
	for i, u := range users[1:] {
		node := nodes[map[bool]string{true: "A", false: "B"}[i%2 == 0]]
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := node.Vote(context.Background(), session, mpasvc.Identity{SourceARN: src, UserID: u}, mpasvc.VoteApproved)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				taken++
			case awserr.IsCode(err, awserr.MPAConflict) && strings.Contains(err.Error(), "it takes no more responses"):
				refused++
			default:
				t.Errorf("vote of %s: %v", u, err)
			}
		}()
	}
	wg.Wait()
	if taken != 2 || refused != 3 {
		t.Fatalf("votes taken %d and refused %d, want 2 and 3 (u1's and two more make the 3 needed)", taken, refused)
	}
	got, err := e.api.GetSession(ctx, &mpa.GetSessionInput{SessionArn: aws.String(session)})
	if err != nil || got.Status != mpatypes.SessionStatusApproved || len(got.ApproverResponses) != 6 {
		t.Fatalf("session = %+v, %v; want APPROVED", got, err)
	}
	n := 0
	for _, r := range got.ApproverResponses {
		if r.Response == mpatypes.SessionResponseApproved {
			n++
		}
	}
	if n != 3 {
		t.Errorf("responses recorded = %d, want 3", n)
	}
}
