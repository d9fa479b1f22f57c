package cloudtrailapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// LookupEvents by Username "root" is an index read, as by any other user name: the root user's
// calls and the calls of a privileged root session (sts:AssumeRoot; userIdentity.type Root, the
// Username CloudTrail's event history shows for both is "root") are found in the first page
// however many other events came after them.
func TestLookupEventsRootIndexed(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	e.NewOrg(m)
	for _, step := range []func() error{
		func() error {
			_, err := m.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")})
			return err
		},
		func() error {
			_, err := m.IAM.EnableOrganizationsRootCredentialsManagement(ctx, &awsiam.EnableOrganizationsRootCredentialsManagementInput{})
			return err
		},
		func() error {
			_, err := m.IAM.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{})
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	dev := e.CreateMember(m, "dev")
	if _, err := e.RootOf(e.Account.ID).IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	out, err := m.STS.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(dev),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	session := e.CallerFor(dev, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
	if _, err := session.IAM.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{}); err != nil {
		t.Fatal(err)
	}
	e.Trail.Flush()
	// More events of an IAM user after them than a lookup scanning the history would read.
	const others = 10_600
	for _, account := range []string{e.Account.ID, dev} {
		for b := 0; b < others; b += 512 {
			var batch []*store.StoredEvent
			for i := b; i < min(b+512, others); i++ {
				batch = append(batch, &store.StoredEvent{Account: account, Time: time.Now().Add(time.Second), ID: fmt.Sprintf("filler-%s-%d", account, i),
					Name: "ListUsers", Source: "iam.amazonaws.com", UserName: "alice", ReadOnly: true,
					Body: []byte(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"alice"},"eventName":"ListUsers","eventSource":"iam.amazonaws.com","eventID":"` +
						fmt.Sprintf("filler-%s-%d", account, i) + `","recipientAccountId":"` + account + `"}`)})
			}
			if err := e.Store.AppendEvents(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
		}
	}
	reader := userKey(t, e, dev, "reader", servertest.AllowPolicy("cloudtrail:LookupEvents"))
	cases := []struct {
		name    string
		account string
		client  *cloudtrail.Client
		want    string
	}{
		{"the root user's call", e.Account.ID, admin(e), "ListUsers/root/"},
		{"a privileged root session's call", dev, ctClient(e, reader.AccessKeyID, reader.Secret), "GetAccountSummary/root/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.client.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1),
				LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("root")}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Events) != 1 || summary(got.Events[0]) != tc.want {
				var s []string
				for _, ev := range got.Events {
					s = append(s, summary(ev))
				}
				t.Fatalf("first page of Username root in %s: got %v (next %q), want [%s]", tc.account, s, aws.ToString(got.NextToken), tc.want)
			}
		})
	}
}

// LookupEvents by Username finds an assumed role's calls by the session's name, the User name
// CloudTrail's event history shows for them, as an index read: the first page holds them however
// many other events came after. Another session of the same role is not found by this name, nor
// the role's name. Before, a role session's events had no user name and the lookup found nothing.
func TestLookupEventsBySessionName(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	role := e.Role("deployer", "arn:aws:iam::"+e.Account.ID+":user/admin", servertest.AllowPolicy("iam:ListUsers", "iam:ListRoles"), false)
	if _, err := e.Assumed(m, role, "deploy-42").IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Assumed(m, role, "nightly").IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatal(err)
	}
	e.Trail.Flush()
	const others = 10_600
	for b := 0; b < others; b += 512 {
		var batch []*store.StoredEvent
		for i := b; i < min(b+512, others); i++ {
			id := fmt.Sprintf("filler-%d", i)
			batch = append(batch, &store.StoredEvent{Account: e.Account.ID, Time: time.Now().Add(time.Second), ID: id,
				Name: "ListUsers", Source: "iam.amazonaws.com", UserName: "alice", ReadOnly: true,
				Body: []byte(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"alice"},"eventName":"ListUsers","eventSource":"iam.amazonaws.com","eventID":"` +
					id + `","recipientAccountId":"` + e.Account.ID + `"}`)})
		}
		if err := e.Store.AppendEvents(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	wantUsernameEvents(t, e, map[string]string{"deploy-42": "ListUsers/deploy-42/", "nightly": "ListRoles/nightly/", "deployer": ""})
}

// wantUsernameEvents checks, for each user name, that the first page of LookupEvents by that
// Username holds exactly the one event want summarizes (none for "").
func wantUsernameEvents(t *testing.T, e *servertest.Env, want map[string]string) {
	t.Helper()
	for user, want := range want {
		t.Run(user, func(t *testing.T) {
			got, err := admin(e).LookupEvents(servertest.Ctx(t), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(5),
				LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String(user)}}})
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, ev := range got.Events {
				s = append(s, summary(ev))
			}
			if want == "" && len(s) == 0 || len(s) == 1 && s[0] == want && got.NextToken == nil {
				return
			}
			t.Fatalf("Username %s: got %v (next %q), want [%s]", user, s, aws.ToString(got.NextToken), want)
		})
	}
}

// LookupEvents by Username finds a federated user's calls (a GetFederationToken session) by the
// federated user's name, as an index read; the IAM user that called GetFederationToken is not
// found by that name, nor the federated user by the IAM user's. Before, a federated user's events
// had no user name and the lookup found nothing.
func TestLookupEventsByFederatedUserName(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	fed, err := e.STS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("contractor-7"), DurationSeconds: aws.Int32(900),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:ListTopics","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	cr := fed.Credentials
	// A federated user may call no IAM operation (STS API Reference, GetFederationToken).
	if _, err := sns.NewFromConfig(e.Config(*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)).ListTopics(ctx, &sns.ListTopicsInput{}); err != nil {
		t.Fatal(err)
	}
	e.Trail.Flush()
	wantUsernameEvents(t, e, map[string]string{"contractor-7": "ListTopics/contractor-7/", "contractor": ""})
	// The admin's own calls, GetFederationToken among them, stay under its name.
	got, err := admin(e).LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("admin")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range got.Events {
		if aws.ToString(ev.EventName) == "ListTopics" {
			t.Errorf("Username admin found the federated user's ListTopics: %s", summary(ev))
		}
	}
}
