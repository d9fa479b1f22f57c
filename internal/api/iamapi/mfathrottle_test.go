package iamapi_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// mfaEnv is a server wired as serve wires it for MFA locks: the root-user service alerts the
// account's security contacts through a notifier whose outbox the test reads.
type mfaEnv struct {
	*servertest.Env
	clk    *testutil.Clock
	notify *notify.Notifier
	ctx    context.Context
}

const securityContact = "security@example.com"

func newMFAEnv(t *testing.T) *mfaEnv {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	var n *notify.Notifier
	var ru *rootuser.Service
	e := servertest.Build(t, nil, clk.Now, func(cfg *server.Config, svc *iam.Service, st store.Store) {
		var err error
		if n, err = notify.New(st, testutil.Sealer(t), notify.Config{}, notify.WithClock(clk.Now)); err != nil {
			t.Fatal(err)
		}
		if ru, err = rootuser.New(rootuser.Config{IAM: svc, Notifier: n, Trail: cfg.Trail, ConsoleURL: "http://localhost/console"}, rootuser.WithClock(clk.Now)); err != nil {
			t.Fatal(err)
		}
		cfg.MFALocked = ru.MFALocked
	})
	m := &mfaEnv{Env: e, clk: clk, notify: n, ctx: servertest.Ctx(t)}
	m.IAM, m.STS = m.clockClients(e.AdminKey.AccessKeyID, e.AdminKey.Secret)
	root := &rootuser.Principal{Account: e.Account.ID, Root: true, ARN: "arn:aws:iam::" + e.Account.ID + ":root", UserID: e.Account.ID}
	if err := ru.SetSecurityContact(m.ctx, root, &rootuser.Contact{Name: "Sec", EmailAddress: securityContact}, rootuser.Client{}); err != nil {
		t.Fatal(err)
	}
	return m
}

// clockClients are clients signing with the test clock, so requests stay within SigV4's skew
// when the test moves the server's clock past a 15-minute lock.
func (m *mfaEnv) clockClients(id, secret string) (*awsiam.Client, *sts.Client) {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""), RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient()}
	signer := clockSigner{inner: v4.NewSigner(), now: m.clk.Now}
	ic := awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(m.URL); o.HTTPSignerV4 = signer })
	sc := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(m.URL); o.HTTPSignerV4 = signer })
	return ic, sc
}

// user creates a user with an inline policy (none if "") and returns clock-signing clients.
func (m *mfaEnv) user(name, policy string) (*awsiam.Client, *sts.Client) {
	m.T.Helper()
	if _, err := m.Svc.CreateUser(m.ctx, m.Account.ID, iam.CreateUserInput{UserName: name}); err != nil {
		m.T.Fatal(err)
	}
	if policy != "" {
		if err := m.Svc.PutInlinePolicy(m.ctx, m.Account.ID, "user", name, "inline", policy); err != nil {
			m.T.Fatal(err)
		}
	}
	k, err := m.Svc.CreateAccessKey(m.ctx, m.Account.ID, name)
	if err != nil {
		m.T.Fatal(err)
	}
	return m.clockClients(k.AccessKeyID, k.Secret)
}

// device creates a virtual MFA device, enabled for user unless assign is false; it returns the
// serial and the seed.
func (m *mfaEnv) device(user, name string, assign bool) (string, []byte) {
	m.T.Helper()
	d, err := m.Svc.CreateVirtualMFADevice(m.ctx, m.Account.ID, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: name})
	if err != nil {
		m.T.Fatal(err)
	}
	seed := []byte(d.Base32StringSeed)
	if assign {
		now := m.clk.Now()
		if err := m.Svc.EnableMFADevice(m.ctx, m.Account.ID, user, d.SerialNumber, testutil.TOTPCode(m.T, seed, now.Add(-30*time.Second)), testutil.TOTPCode(m.T, seed, now)); err != nil {
			m.T.Fatal(err)
		}
		// Enabling spent the current step's code: move to the next step.
		m.clk.Advance(30 * time.Second)
	}
	return d.SerialNumber, seed
}

// code is the device's code at the test clock, moved by steps of 30 s.
func (m *mfaEnv) code(seed []byte, steps int) string {
	return testutil.TOTPCode(m.T, seed, m.clk.Now().Add(time.Duration(steps)*30*time.Second))
}

// wrongCode is a code no step within ten minutes of the clock accepts (Resync looks that far).
func (m *mfaEnv) wrongCode(seed []byte) string {
	near := map[string]bool{}
	for s := -25; s <= 25; s++ {
		near[m.code(seed, s)] = true
	}
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", (i*137771)%1000000)
		if !near[c] {
			return c
		}
	}
}

// mfaAttempt presents a right or a wrong code of one device to one operation.
type mfaAttempt func(right bool) error

// mfaCase is an operation that takes MFA codes and its answer to a wrong one.
type mfaCase struct {
	name  string
	wrong string
	// setup prepares the principal "alice" and returns the attempt at the operation.
	setup func(m *mfaEnv) mfaAttempt
}

var mfaCases = []mfaCase{
	{"sts:GetSessionToken", "AccessDenied", func(m *mfaEnv) mfaAttempt {
		_, aliceSTS := m.user("alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}`)
		serial, seed := m.device("alice", "alice-phone", true)
		return func(right bool) error {
			code := m.wrongCode(seed)
			if right {
				code = m.code(seed, 0)
			}
			_, err := aliceSTS.GetSessionToken(m.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
			return err
		}
	}},
	{"sts:AssumeRole", "AccessDenied", func(m *mfaEnv) mfaAttempt {
		_, aliceSTS := m.user("alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
		serial, seed := m.device("alice", "alice-phone", true)
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + m.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`
		role, err := m.IAM.CreateRole(m.ctx, &awsiam.CreateRoleInput{RoleName: aws.String("target"), AssumeRolePolicyDocument: aws.String(trust)})
		if err != nil {
			m.T.Fatal(err)
		}
		return func(right bool) error {
			code := m.wrongCode(seed)
			if right {
				code = m.code(seed, 0)
			}
			_, err := aliceSTS.AssumeRole(m.ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("mfa-session"),
				SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
			return err
		}
	}},
	{"iam:EnableMFADevice", "InvalidAuthenticationCode", func(m *mfaEnv) mfaAttempt {
		m.user("alice", "")
		serial, seed := m.device("alice", "alice-phone", false)
		return func(right bool) error {
			c1, c2 := m.wrongCode(seed), m.wrongCode(seed)
			if right {
				c1, c2 = m.code(seed, -1), m.code(seed, 0)
			}
			_, err := m.IAM.EnableMFADevice(m.ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
				AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
			return err
		}
	}},
	{"iam:ResyncMFADevice", "InvalidAuthenticationCode", func(m *mfaEnv) mfaAttempt {
		m.user("alice", "")
		serial, seed := m.device("alice", "alice-phone", true)
		return func(right bool) error {
			c1, c2 := m.wrongCode(seed), m.wrongCode(seed)
			if right {
				c1, c2 = m.code(seed, 1), m.code(seed, 2)
			}
			_, err := m.IAM.ResyncMFADevice(m.ctx, &awsiam.ResyncMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
				AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
			return err
		}
	}},
}

// Guessing MFA codes on the API: back-off after 5 wrong codes, a 15-minute lock after 10 during
// which the right code is refused, one CloudTrail record and one email to each security contact
// when the lock is set, and the right code accepted again once the lock has run out.
func TestMFAGuessingIsLimited(t *testing.T) {
	t.Parallel()
	for _, tc := range mfaCases {
		t.Run(tc.name, func(t *testing.T) {
			m := newMFAEnv(t)
			try := tc.setup(m)
			for i := 1; i <= 5; i++ {
				if err := try(false); !isCode(err, tc.wrong) {
					t.Fatalf("wrong code %d: err = %v, want %s", i, err, tc.wrong)
				}
			}
			// Back-off: even the right code is refused unchecked until the wait is over.
			err := try(true)
			testutil.WantCode(t, err, "Throttling")
			testutil.WantStatus(t, err, 400)
			// Each failure from the fifth on doubles the wait: 1, 2, 4, 8, 16 s; the tenth locks.
			for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second} {
				m.clk.Advance(wait - time.Second)
				testutil.WantCode(t, try(false), "Throttling")
				m.clk.Advance(time.Second)
				if err := try(false); !isCode(err, tc.wrong) {
					t.Fatalf("wrong code %d: err = %v, want %s", 6+i, err, tc.wrong)
				}
			}
			m.clk.Advance(14 * time.Minute)
			testutil.WantCode(t, try(true), "Throttling")
			if n := m.lockRecords(t); n != 1 {
				t.Fatalf("MFALockout records = %d, want 1", n)
			}
			for _, to := range []string{m.Account.Email, securityContact} {
				if n := m.lockMails(t, to); n != 1 {
					t.Fatalf("lock emails to %s = %d, want 1", to, n)
				}
			}
			m.clk.Advance(time.Minute)
			if err := try(true); err != nil {
				t.Fatalf("right code after the lock: %v", err)
			}
		})
	}
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

func (m *mfaEnv) lockRecords(t *testing.T) int {
	t.Helper()
	m.Trail.Flush()
	p, err := trail.List(context.Background(), m.Store, trail.Query{Account: m.Account.ID, Match: func(ev *trail.Event) bool {
		return ev.EventName == "MFALockout"
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range p.Events {
		if ev.EventType != trail.AwsServiceEvent || ev.EventSource != "iam.amazonaws.com" || ev.AdditionalEventData["userName"] != "alice" {
			t.Fatalf("MFALockout record = %+v", ev)
		}
	}
	return len(p.Events)
}

func (m *mfaEnv) lockMails(t *testing.T, to string) int {
	t.Helper()
	out, err := m.notify.Outbox(context.Background(), notify.Query{Account: m.Account.ID, To: to, Purpose: rootuser.PurposeMFALocked})
	if err != nil {
		t.Fatal(err)
	}
	return len(out)
}

// The counters are per principal (wrong codes on one device count against the user's other
// devices, and not against another user) and per device (a device's failures stay with it when the
// user succeeds with another device).
func TestMFAGuessingCountersPerDeviceAndPrincipal(t *testing.T) {
	t.Parallel()
	m := newMFAEnv(t)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}`
	_, aliceSTS := m.user("alice", policy)
	_, bobSTS := m.user("bob", policy)
	phone, phoneSeed := m.device("alice", "alice-phone", true)
	tablet, tabletSeed := m.device("alice", "alice-tablet", true)
	bobPhone, bobSeed := m.device("bob", "bob-phone", true)
	session := func(c *sts.Client, serial, code string) error {
		_, err := c.GetSessionToken(m.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
		return err
	}
	for i := 0; i < 5; i++ {
		testutil.WantCode(t, session(aliceSTS, phone, m.wrongCode(phoneSeed)), "AccessDenied")
	}
	for _, tc := range []struct {
		name, code string
		err        error
	}{
		{"alice's other device shares her back-off", "Throttling", session(aliceSTS, tablet, m.code(tabletSeed, 0))},
		{"bob is not held back by alice's failures", "", session(bobSTS, bobPhone, m.code(bobSeed, 0))},
	} {
		t.Run(tc.name, func(t *testing.T) { testutil.WantCode(t, tc.err, tc.code) })
	}
	m.clk.Advance(time.Second)
	// The right code on the tablet clears alice's counter and the tablet's, not the phone's.
	if err := session(aliceSTS, tablet, m.code(tabletSeed, 0)); err != nil {
		t.Fatalf("right code on the tablet: %v", err)
	}
	m.clk.Advance(30 * time.Second)
	testutil.WantCode(t, session(aliceSTS, phone, m.wrongCode(phoneSeed)), "AccessDenied")
	t.Run("the phone keeps its own failures", func(t *testing.T) {
		testutil.WantCode(t, session(aliceSTS, phone, m.code(phoneSeed, 0)), "Throttling")
	})
	t.Run("the tablet is free", func(t *testing.T) {
		testutil.WantCode(t, session(aliceSTS, tablet, m.code(tabletSeed, 0)), "")
	})
	// Naming someone else's device counts against the caller only: bob cannot lock alice's phone.
	m.clk.Advance(time.Hour)
	for i := 0; i < 10; i++ {
		testutil.WantCode(t, session(bobSTS, phone, m.wrongCode(phoneSeed)), "AccessDenied")
		m.clk.Advance(time.Minute)
	}
	t.Run("another user's serial does not lock the device", func(t *testing.T) {
		testutil.WantCode(t, session(aliceSTS, phone, m.code(phoneSeed, 0)), "")
	})
}

// 200 wrong TokenCodes at once: however they interleave, no more than the lock limit (10) are
// checked against the device; with the clock frozen, exactly the five before back-off are.
func TestMFAGuessingConcurrent(t *testing.T) {
	t.Parallel()
	m := newMFAEnv(t)
	_, aliceSTS := m.user("alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}`)
	serial, seed := m.device("alice", "alice-phone", true)
	wrong := m.wrongCode(seed)
	const n = 200
	errs := testutil.AtOnce(n, func(int) error {
		_, err := aliceSTS.GetSessionToken(m.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(wrong)})
		return err
	})
	checked, throttled := 0, 0
	for _, err := range errs {
		switch {
		case isCode(err, "AccessDenied"):
			checked++
		case isCode(err, "Throttling"):
			throttled++
		default:
			t.Fatalf("unexpected answer %v", err)
		}
	}
	if checked > 10 || checked != 5 || throttled != n-checked {
		t.Fatalf("checked %d, throttled %d; want 5 checked (never more than 10) and %d throttled", checked, throttled, n-5)
	}
	// The right code is refused while the back-off lasts.
	testutil.WantCode(t, func() error {
		_, err := aliceSTS.GetSessionToken(m.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(m.code(seed, 0))})
		return err
	}(), "Throttling")
}

// ChangePassword's OldPassword is a secret too: an attacker holding a user's access keys cannot
// guess the console password through it faster than through the console.
func TestChangePasswordGuessingIsLimited(t *testing.T) {
	t.Parallel()
	m := newMFAEnv(t)
	aliceIAM, _ := m.user("alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"*"}]}`)
	if _, err := m.Svc.CreateLoginProfile(m.ctx, m.Account.ID, "alice", "Alice-Pass-1", false); err != nil {
		t.Fatal(err)
	}
	change := func(old, nw string) error {
		_, err := aliceIAM.ChangePassword(m.ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(old), NewPassword: aws.String(nw)})
		return err
	}
	for i := 0; i < 5; i++ {
		testutil.WantCode(t, change(fmt.Sprintf("Guess-%d-xyz", i), "Alice-Pass-2"), "AccessDenied")
	}
	t.Run("right old password in back-off", func(t *testing.T) { testutil.WantCode(t, change("Alice-Pass-1", "Alice-Pass-2"), "Throttling") })
	m.clk.Advance(time.Second)
	t.Run("after the back-off", func(t *testing.T) { testutil.WantCode(t, change("Alice-Pass-1", "Alice-Pass-2"), "") })
	t.Run("a success clears the counter", func(t *testing.T) {
		for i := 0; i < 4; i++ {
			testutil.WantCode(t, change(fmt.Sprintf("Guess-%d-abc", i), "Alice-Pass-3"), "AccessDenied")
		}
		testutil.WantCode(t, change("Alice-Pass-2", "Alice-Pass-3"), "")
	})
}

// A replayed code (right, but already accepted) answers as a wrong one on the API, AWS's code
// and message, and counts as one against the guessing limits: five replays put the device in
// back-off as five wrong codes do.
func TestMFAReplayCountsAsWrongCode(t *testing.T) {
	t.Parallel()
	m := newMFAEnv(t)
	_, aliceSTS := m.user("alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}`)
	serial, seed := m.device("alice", "alice-phone", true)
	session := func(code string) error {
		_, err := aliceSTS.GetSessionToken(m.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
		return err
	}
	used := m.code(seed, 0)
	if err := session(used); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		err := session(used)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || ae.ErrorMessage() != "MultiFactorAuthentication failed with invalid MFA one time pass code." {
			t.Fatalf("replay %d: err = %v, want AccessDenied with STS's message for an invalid code", i, err)
		}
	}
	// The next step's code, good within the skew, is refused unchecked during the back-off.
	testutil.WantCode(t, session(m.code(seed, 1)), "Throttling")
	m.clk.Advance(time.Second)
	if err := session(m.code(seed, 1)); err != nil {
		t.Fatalf("the next code after the back-off: %v", err)
	}
}
