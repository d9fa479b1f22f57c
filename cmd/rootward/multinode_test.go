package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/store/postgres/pgtest"
)

// TestTwoNodesSharePostgres starts two `rootward serve` processes on one PostgreSQL database at
// the same time: exactly one sets the installation up, both serve the same state, and concurrent
// creates of one user name across both give exactly one success (issue 2 §6).
func TestTwoNodesSharePostgres(t *testing.T) {
	dsn := pgtest.FreshSchema(t, pgtest.DSN(t))
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	t.Setenv("ROOTWARD_MASTER_KEY", base64.StdEncoding.EncodeToString(key))
	dirs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	nodes := make([]*served, 2)
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
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedCredentialsFiles([]string{creds}), config.WithSharedConfigProfile("rootward"),
		config.WithSharedConfigFiles([]string{}), config.WithRegion("us-east-1"), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	clients := make([]*awsiam.Client, 2)
	for i, n := range nodes {
		clients[i] = awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(n.endpoint) })
	}
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
