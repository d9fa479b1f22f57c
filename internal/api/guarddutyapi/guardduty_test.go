package guarddutyapi_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	gdsvc "github.com/rootward/rootward/internal/guardduty"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// published records what GuardDuty puts on EventBridge.
type published struct {
	mu     sync.Mutex
	events []putEvent
}

type putEvent struct {
	account, source, detailType string
	finding                     gdsvc.Finding
}

func (p *published) put(account, source, detailType string, _ []string, detail []byte) {
	var f gdsvc.Finding
	if err := json.Unmarshal(detail, &f); err != nil {
		panic(err)
	}
	p.mu.Lock()
	p.events = append(p.events, putEvent{account, source, detailType, f})
	p.mu.Unlock()
}

func (p *published) all() []putEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]putEvent(nil), p.events...)
}

// env is a server whose trail feeds a GuardDuty service, as serve wires them.
type env struct {
	*servertest.Env
	clk   *testutil.Clock
	gd    *gdsvc.Service
	pub   *published
	admin *guardduty.Client
}

func newEnv(t *testing.T) *env { t.Helper(); return newEnvWith(t, nil, 0) }

// newEnvWith is newEnv over st (a new test store when nil), with GuardDuty's ListScanLimit.
func newEnvWith(t *testing.T, st store.Store, scanLimit int) *env {
	t.Helper()
	// The present (SigV4 refuses a signature 15 minutes off the server's clock), on a whole second.
	clk := testutil.NewClock(time.Now().UTC().Truncate(time.Second))
	pub := &published{}
	var gd *gdsvc.Service
	e := servertest.Build(t, st, clk.Now, func(cfg *server.Config, _ *iam.Service, st store.Store) {
		gd = gdsvc.New(gdsvc.Config{Store: st, Now: clk.Now, Publish: pub.put, ListScanLimit: scanLimit})
		cfg.GuardDuty = gd
	})
	e.Trail.Subscribe(gd.Observe)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { gd.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &env{Env: e, clk: clk, gd: gd, pub: pub, admin: guardduty.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""))}
}

// root returns a GuardDuty client signing with a new root access key, and the key's ID.
func (e *env) root(t *testing.T) (*guardduty.Client, string) {
	t.Helper()
	k, err := e.Svc.CreateRootAccessKey(context.Background(), e.Account.ID)
	if err != nil {
		t.Fatal(err)
	}
	return guardduty.NewFromConfig(e.Config(k.AccessKeyID, k.Secret, "")), k.AccessKeyID
}

func (e *env) createDetector(t *testing.T) string {
	t.Helper()
	out, err := e.admin.CreateDetector(servertest.Ctx(t), &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.DetectorId)
}

func (e *env) listFindings(t *testing.T, in *guardduty.ListFindingsInput) []string {
	t.Helper()
	out, err := e.admin.ListFindings(servertest.Ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.FindingIds
}

func (e *env) finding(t *testing.T, det, id string) gdtypes.Finding {
	t.Helper()
	out, err := e.admin.GetFindings(servertest.Ctx(t), &guardduty.GetFindingsInput{DetectorId: &det, FindingIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Findings) != 1 {
		t.Fatalf("GetFindings(%s) = %d findings, want 1", id, len(out.Findings))
	}
	return out.Findings[0]
}

const timeFormat = "2006-01-02T15:04:05.000Z"

func TestDetectorLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)

	list, err := e.admin.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil || len(list.DetectorIds) != 0 {
		t.Fatalf("ListDetectors before any = %v, %v; want none", list, err)
	}
	created, err := e.admin.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true),
		FindingPublishingFrequency: gdtypes.FindingPublishingFrequencyFifteenMinutes, Tags: map[string]string{"team": "sec"}})
	if err != nil {
		t.Fatal(err)
	}
	det := aws.ToString(created.DetectorId)
	if len(det) != 32 {
		t.Errorf("detector ID %q: want 32 hex digits", det)
	}

	got, err := e.admin.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: &det})
	if err != nil {
		t.Fatal(err)
	}
	wantRole := "arn:aws:iam::" + e.Account.ID + ":role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"
	if got.Status != gdtypes.DetectorStatusEnabled || got.FindingPublishingFrequency != gdtypes.FindingPublishingFrequencyFifteenMinutes ||
		aws.ToString(got.ServiceRole) != wantRole || got.Tags["team"] != "sec" || aws.ToString(got.CreatedAt) != e.clk.Now().Format(timeFormat) {
		t.Errorf("GetDetector = status %s, frequency %s, role %s, tags %v, created %s; want ENABLED, FIFTEEN_MINUTES, %s, team=sec, %s",
			got.Status, got.FindingPublishingFrequency, aws.ToString(got.ServiceRole), got.Tags, aws.ToString(got.CreatedAt), wantRole, e.clk.Now().Format(timeFormat))
	}

	t.Run("errors", func(t *testing.T) {
		cases := []struct {
			name string
			call func() error
		}{
			{"second detector", func() error {
				_, err := e.admin.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(false)})
				return err
			}},
			{"bad frequency", func() error {
				_, err := e.admin.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: &det, FindingPublishingFrequency: "HOURLY"})
				return err
			}},
			{"unknown detector", func() error {
				_, err := e.admin.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String("0123456789abcdef0123456789abcdef")})
				return err
			}},
			{"unknown detector's findings", func() error {
				_, err := e.admin.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: aws.String("nope")})
				return err
			}},
			{"list page size", func() error {
				_, err := e.admin.ListDetectors(ctx, &guardduty.ListDetectorsInput{MaxResults: aws.Int32(51)})
				return err
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call()
				testutil.WantCode(t, err, "BadRequestException")
				testutil.WantStatus(t, err, 400)
			})
		}
		msg := func(err error) string { _, m := testutil.APIError(t, err); return m }
		_, err := e.admin.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
		if want := "The request is rejected because a detector already exists for the current account."; msg(err) != want {
			t.Errorf("second CreateDetector: got %q, want %q", msg(err), want)
		}
	})

	if _, err := e.admin.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: &det, Enable: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	got, err = e.admin.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: &det})
	if err != nil || got.Status != gdtypes.DetectorStatusDisabled || got.FindingPublishingFrequency != gdtypes.FindingPublishingFrequencyFifteenMinutes {
		t.Fatalf("after UpdateDetector(enable false): %v, %v; want DISABLED, frequency kept", got, err)
	}
	list, err = e.admin.ListDetectors(ctx, &guardduty.ListDetectorsInput{MaxResults: aws.Int32(1)})
	if err != nil || len(list.DetectorIds) != 1 || list.DetectorIds[0] != det || list.NextToken != nil {
		t.Fatalf("ListDetectors = %v, %v; want [%s]", list, err, det)
	}
	if _, err := e.admin.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: &det}); err != nil {
		t.Fatal(err)
	}
	_, err = e.admin.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: &det})
	testutil.WantCode(t, err, "BadRequestException")
	_, err = e.admin.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: &det})
	testutil.WantCode(t, err, "BadRequestException")

	// After the delete a new detector may be created, and a retry with its client token answers
	// the same detector.
	tok := "token-1"
	first, err := e.admin.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), ClientToken: &tok})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.admin.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), ClientToken: &tok})
	if err != nil || aws.ToString(again.DetectorId) != aws.ToString(first.DetectorId) {
		t.Fatalf("CreateDetector retried with its client token = %v, %v; want detector %s", again, err, aws.ToString(first.DetectorId))
	}
}

// A user without GuardDuty permissions is refused with GuardDuty's AccessDeniedException, HTTP 403.
func TestAccessDenied(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	det := e.createDetector(t)
	ctx := servertest.Ctx(t)
	if _, err := e.Svc.CreateUser(ctx, e.Account.ID, iam.CreateUserInput{UserName: "bob"}); err != nil {
		t.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(ctx, e.Account.ID, "bob")
	if err != nil {
		t.Fatal(err)
	}
	bob := guardduty.NewFromConfig(e.Config(k.AccessKeyID, k.Secret, ""))
	calls := map[string]func() error{
		"CreateDetector": func() error {
			_, err := bob.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
			return err
		},
		"ListFindings": func() error {
			_, err := bob.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: &det})
			return err
		},
		"DeleteDetector": func() error {
			_, err := bob.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: &det})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			testutil.WantCode(t, err, "AccessDeniedException")
			testutil.WantStatus(t, err, 403)
		})
	}
	if _, err := e.admin.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: &det}); err != nil {
		t.Fatalf("the refused DeleteDetector deleted the detector: %v", err)
	}
}
