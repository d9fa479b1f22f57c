package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store/postgres/pgtest"
)

// guard bounds every wait of the shutdown test, so that a broken shutdown fails instead of
// hanging; it is no measure of speed.
const guard = 30 * time.Second

// serveInProcess runs the serve command in this process until ctx ends; it returns the listen
// address and the channel serve's result arrives on.
func serveInProcess(t *testing.T, ctx context.Context) (string, <-chan error) {
	t.Helper()
	args := []string{"--data", filepath.Join(t.TempDir(), "data"), "--addr", "127.0.0.1:0"}
	if os.Getenv("ROOTWARD_TEST_BACKEND") == "postgres" {
		args = append(args, "--db", pgtest.FreshSchema(t, pgtest.DSN(t)))
	}
	cmd := serveCmd()
	cmd.SetArgs(args)
	pr, pw := io.Pipe()
	cmd.SetOut(pw)
	errc := make(chan error, 1)
	go func() {
		err := cmd.ExecuteContext(ctx)
		pw.Close()
		errc <- err
	}()
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`(?:Endpoint: +|serving \d+ account\(s\) at )https?://[^:/]+:(\d+)`)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- "127.0.0.1:" + m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return a, errc
	case err := <-errc:
		t.Fatalf("serve returned %v before printing its endpoint", err)
	case <-time.After(guard):
		t.Fatal("serve printed no endpoint")
	}
	return "", nil
}

// dial connects to addr with the guard as deadline.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(guard)); err != nil {
		t.Fatal(err)
	}
	return c
}

// closedByServer reads c until the server closes it: EOF or a reset, not the guard's timeout
// and not data.
func closedByServer(t *testing.T, name string, c net.Conn) {
	t.Helper()
	n, err := c.Read(make([]byte, 1))
	var ne net.Error
	if n > 0 || err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("%s connection: read %d byte(s), %v; want it closed by the server (EOF or reset)", name, n, err)
	}
}

// On SIGTERM, serve stops accepting at once, closes idle keep-alive connections and new ones that
// have sent no request at once (Go's Shutdown waits 5 seconds for the latter, issue 11), and lets
// an in-flight request finish with its answer before it returns.
func TestServeShutdownClosesQuietConnections(t *testing.T) {
	ctx, sigterm := context.WithCancel(context.Background())
	defer sigterm()
	addr, errc := serveInProcess(t, ctx)

	// A new connection that sends nothing, as a browser's preconnect does. The idle connection is
	// dialled after it and answered, so the server has accepted this one by then (in order).
	fresh := dial(t, addr)

	// A keep-alive connection, idle after one request.
	idle := dial(t, addr)
	idleR := bufio.NewReader(idle)
	if _, err := io.WriteString(idle, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(idleR, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("GET /healthz: %d, close %v; want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
	}

	// An in-flight request: the server asks for the body (100 Continue) once the handler reads
	// it, and the handler then waits for the body the test holds back.
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	busy := dial(t, addr)
	busyR := bufio.NewReader(busy)
	if _, err := io.WriteString(busy, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Expect: 100-continue\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	line, err := busyR.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("in-flight request: got %q, %v; want 100 Continue", line, err)
	}
	if _, err := busyR.ReadString('\n'); err != nil { // the blank line ending the 100 response
		t.Fatal(err)
	}

	sigterm() // what the SIGTERM/SIGINT handler does: end serve's context

	closedByServer(t, "new", fresh)
	closedByServer(t, "idle keep-alive", idle)
	select {
	case err := <-errc:
		t.Fatalf("serve returned %v with a request in flight", err)
	default:
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("a new connection was accepted after shutdown began")
	}

	// Released, the in-flight request gets its answer (an unsigned request: STS refuses it).
	if _, err := io.WriteString(busy, body); err != nil {
		t.Fatal(err)
	}
	resp, err = http.ReadResponse(busyR, nil)
	if err != nil {
		t.Fatalf("in-flight request: %v; want its answer", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(got), "<Code>MissingAuthenticationToken</Code>") {
		t.Fatalf("in-flight request: %d %s; want 403 MissingAuthenticationToken", resp.StatusCode, got)
	}

	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("serve returned %v, want nil", err)
		}
	case <-time.After(guard):
		t.Fatal("serve did not return after the in-flight request finished")
	}
}
