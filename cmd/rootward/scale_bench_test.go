package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rootward/rootward/internal/testutil/benchdata"
)

// BenchmarkScaleServe runs `rootward serve` on a data directory whose account holds a million IAM
// users (internal/testutil/benchdata; needs ROOTWARD_BENCH_SCALE=1, ROOTWARD_BENCH_USERS changes
// the size) and reports (issue 11 targets):
//   - ready: process start → /healthz 200, in ms (≤ 1,000), the median of five starts;
//   - rss: serve's resident memory (VmRSS of /proc/PID/status) after 10,000 signed GetUser calls,
//     each by a different user, spread over the 100,000 users that have an access key, in MB
//     (≤ 256), with the peak (VmHWM) and the figure right after start for comparison.
func BenchmarkScaleServe(b *testing.B) {
	n := benchdata.Size(b, "ROOTWARD_BENCH_USERS", 1_000_000)
	set := benchdata.Users(b, n)
	b.Run("ready", func(b *testing.B) {
		// Five starts per iteration, reported as their median (and slowest), so that one run of
		// -benchtime 1x gives a figure less at the mercy of one moment's load.
		const starts = 5
		for b.Loop() {
			var ms []float64
			for range starts {
				s := startBenchServe(b, set.Dir)
				ms = append(ms, float64(s.ready.Microseconds())/1000)
				s.stop()
			}
			slices.Sort(ms)
			b.ReportMetric(ms[starts/2], "ms-to-ready")
			b.ReportMetric(ms[starts-1], "ms-to-ready-max")
		}
		b.ReportMetric(float64(n), "users")
	})
	b.Run("rss", func(b *testing.B) {
		const calls = 10_000
		for b.Loop() {
			s := startBenchServe(b, set.Dir)
			startRSS, _ := procStatusKB(s.cmd.Process.Pid, "VmRSS")
			if err := spreadCalls(s.url, set.Keys, calls); err != nil {
				s.stop()
				b.Fatal(err)
			}
			rss, err := procStatusKB(s.cmd.Process.Pid, "VmRSS")
			if err != nil {
				s.stop()
				b.Fatal(err)
			}
			hwm, _ := procStatusKB(s.cmd.Process.Pid, "VmHWM")
			s.stop()
			b.ReportMetric(float64(rss)/1024, "MB-rss")
			b.ReportMetric(float64(hwm)/1024, "MB-peak")
			b.ReportMetric(float64(startRSS)/1024, "MB-at-start")
		}
		b.ReportMetric(float64(min(calls, len(set.Keys))), "principals")
	})
}

// BenchmarkScaleOrgRootStatus runs `rootward org root-status` over an organization of 10,000 member
// accounts (ROOTWARD_BENCH_MEMBERS changes the size) and reports its wall time in seconds (issue
// 11 target ≤ 10 s).
func BenchmarkScaleOrgRootStatus(b *testing.B) {
	n := benchdata.Size(b, "ROOTWARD_BENCH_MEMBERS", 10_000)
	set := benchdata.Org(b, n)
	for b.Loop() {
		start := time.Now()
		cmd := exec.Command(binary, "org", "root-status", "--data", set.Dir)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			b.Fatalf("org root-status: %v: %s", err, errOut.String())
		}
		b.ReportMetric(time.Since(start).Seconds(), "s-wall")
		// The table has a header line, a blank line, a column header and one line per account.
		if got, want := strings.Count(out.String(), "\n"), n+1+3; got != want {
			b.Fatalf("org root-status printed %d lines, want %d", got, want)
		}
	}
	b.ReportMetric(float64(n), "members")
}

type benchServe struct {
	cmd   *exec.Cmd
	url   string
	ready time.Duration
}

// startBenchServe starts serve on dir at a free loopback port and returns once /healthz answers
// 200, with the time that took from the process's start.
func startBenchServe(b *testing.B, dir string) *benchServe {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	s := &benchServe{cmd: exec.Command(binary, "serve", "--data", dir, "--addr", addr), url: "http://" + addr}
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, os.Stderr
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	for {
		resp, err := client.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.ready = time.Since(start)
				return s
			}
		}
		if time.Since(start) > time.Minute {
			s.stop()
			b.Fatal("serve did not become ready within a minute")
		}
		time.Sleep(time.Millisecond)
	}
}

func (s *benchServe) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
}

// spreadCalls makes calls signed GetUser calls to url, call i by the user of keys[i*len(keys)/calls]
// (a different user each, spread over all of keys), from 4 clients at once.
func spreadCalls(url string, keys []benchdata.Key, calls int) error {
	if len(keys) == 0 {
		return fmt.Errorf("no keyed users")
	}
	const workers = 4
	form := "Action=GetUser&Version=2010-05-08"
	sum := sha256.Sum256([]byte(form))
	hash := hex.EncodeToString(sum[:])
	signer := v4.NewSigner()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 30 * time.Second}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < calls; i += workers {
				k := keys[i*len(keys)/calls%len(keys)]
				err := func() error {
					r, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(form))
					if err != nil {
						return err
					}
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
					if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret}, r, hash, "iam", "us-east-1", time.Now()); err != nil {
						return err
					}
					resp, err := client.Do(r)
					if err != nil {
						return err
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						return fmt.Errorf("GetUser as %s: status %d: %s", k.User, resp.StatusCode, body)
					}
					return nil
				}()
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// procStatusKB reads a kB field (VmRSS, VmHWM) of /proc/PID/status.
func procStatusKB(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if ok && name == field {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}
