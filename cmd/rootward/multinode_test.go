package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/store/postgres/pgtest"
)

// TestTwoNodesSharePostgres starts two `rootward serve` processes on one PostgreSQL database at
// the same time: exactly one sets the installation up, both serve the same state, and concurrent
// creates of one user name across both give exactly one success (issue 2 §6).
func TestTwoNodesSharePostgres(t *testing.T) {
	nodes, clients := startNodes(t, 2)
	ctx := context.Background()
	var wg sync.WaitGroup
	const n = 10
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = clients[i%2].CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("racer")})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var ae smithy.APIError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &ae) && ae.ErrorCode() == "EntityAlreadyExists":
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d creates succeeded across two nodes, want 1", ok)
	}
	for i, c := range clients {
		u, err := c.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("racer")})
		if err != nil || *u.User.UserName != "racer" {
			t.Fatalf("node %d GetUser = %v, %v", i, u, err)
		}
	}
	for _, n := range nodes {
		n.stop(t)
	}
}

// startNodes starts n `rootward serve` processes on one fresh PostgreSQL schema at the same time,
// checks that exactly one of them set the installation up, and returns them with an IAM client
// per node signed with the admin credentials that one wrote. The SDK's retries are off, so every
// error answer reaches the caller. It skips the test when no PostgreSQL server is configured.
func startNodes(t testing.TB, n int) ([]*served, []*awsiam.Client) {
	t.Helper()
	dsn := pgtest.FreshSchema(t, pgtest.DSN(t))
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	t.Setenv("ROOTWARD_MASTER_KEY", base64.StdEncoding.EncodeToString(key))
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = filepath.Join(t.TempDir(), fmt.Sprintf("node%d", i))
	}
	nodes := make([]*served, n)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i] = startServe(t, dirs[i], "--db", dsn)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	var creds string
	inits := 0
	for i, n := range nodes {
		if n.waitFor(t, `initialised a new data directory|serving \d+ account`) == "initialised a new data directory" {
			inits++
			creds = filepath.Join(dirs[i], "credentials")
		}
	}
	if inits != 1 {
		t.Fatalf("%d nodes set the installation up, want 1", inits)
	}
	if _, err := os.Stat(creds); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithSharedCredentialsFiles([]string{creds}), config.WithSharedConfigProfile("rootward"),
		config.WithSharedConfigFiles([]string{}), config.WithRegion("us-east-1"), config.WithRetryMaxAttempts(1),
		// One idle connection per concurrent caller, so that many writers reuse their connections
		// instead of opening new ones past the SDK's default of 10 idle per host.
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.MaxIdleConnsPerHost = 128 })))
	if err != nil {
		t.Fatal(err)
	}
	clients := make([]*awsiam.Client, n)
	for i, n := range nodes {
		clients[i] = awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(n.endpoint) })
	}
	return nodes, clients
}
