# Rootward's developer entry points. `make test` is what CI runs (see .ci/run).
GO ?= go
PKGS := ./...

.PHONY: test test-postgres check fmt vet lint bench fuzz build instructions e2e-deps

build:
	$(GO) build -o bin/rootward ./cmd/rootward

# test runs every test on SQLite, and on PostgreSQL too when ROOTWARD_TEST_POSTGRES is set, plus a
# short run of each fuzz target.
test: e2e-deps
	$(GO) test -count=1 $(PKGS)
	cd internal/policy/enginebench && $(GO) test -count=1 -run TestEnginesAgree .
	@if [ -n "$$ROOTWARD_TEST_POSTGRES" ]; then \
		echo "== API tests on PostgreSQL"; \
		ROOTWARD_TEST_BACKEND=postgres $(GO) test -count=1 ./internal/server/ ./internal/api/... ./internal/console/ ./internal/rootuser/ ./internal/signin/ ./internal/iam/ ./internal/orgs/ ./internal/authz/ ./internal/store/migratest/ ./cmd/... ./e2e/; \
	fi
	$(MAKE) fuzz

# e2e-deps installs the browser tests' npm packages (playwright-core) when npm is available and they
# are missing or out of date; without npm the browser test says why it skips (and fails under CI).
e2e-deps:
	@if command -v npm >/dev/null 2>&1; then \
		if [ ! -f e2e/node_modules/.package-lock.json ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then \
			(cd e2e && npm ci --no-audit --no-fund --loglevel=error); \
		fi; \
	else \
		echo "npm is not installed: the browser test (e2e) will skip; apt-get install nodejs npm chromium to run it"; \
	fi

# fuzz runs each fuzz target briefly; the package is named explicitly, as go test -fuzz requires.
# Budgets are counts of executions (Nx), 1 to 30 seconds each on this machine, not durations: a
# duration's deadline races the workers' last call in Go's fuzz coordinator, which then fails the
# target with a bare "context deadline exceeded" and no failing input (golang/go#75804, fixed in
# Go 1.27; it failed CI once on go1.26). A count stops the same way however loaded the machine is.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 250000x ./internal/sigv4
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime 70000x ./internal/sigv4
	$(GO) test -run '^$$' -fuzz '^FuzzParseQuery$$' -fuzztime 30000x ./internal/awsproto
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 250000x ./internal/policy
	$(GO) test -run '^$$' -fuzz '^FuzzJSONReader$$' -fuzztime 250000x ./internal/policy

check: fmt vet lint
	$(GO) test -race -count=1 $(PKGS)

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The engine comparison (cedar-go, OPA) is a module of its own, so the two engines stay out of the
# product's go.mod; it is vetted here and tested by make test.
vet:
	$(GO) vet $(PKGS)
	cd internal/policy/enginebench && $(GO) vet .

lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

# bench runs the benchmarks whose figures docs/benchmarks.md reports and rewrites its generated
# part: each figure against its issue target, with the commands and the machine. The benchmarks and
# their targets are the table in internal/tools/benchreport (one line per figure); the scale ones
# build their data sets once per code version under $$TMPDIR/rootward-bench (internal/testutil/
# benchdata). The end-to-end comparison script E2E_SCRIPT (outside the repository) runs too when it
# is there (it needs wrk).
E2E_SCRIPT ?= ../shared/bench/e2e.sh
bench:
	$(GO) run ./internal/tools/benchreport -out docs/benchmarks.md -e2e-script $(E2E_SCRIPT)

# instructions counts the instructions of one policy decision per statement shape with valgrind's
# cachegrind (apt-get install valgrind): a figure that, unlike a timing, repeats from run to run
# on a shared machine (docs/benchmarks-policy.md). The hash seed is drawn per process, so counts
# can differ by a few instructions between runs where a probe sequence is longer.
instructions:
	$(GO) test -c -o /tmp/rootward-policy.test ./internal/policy
	valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/tmp/rootward-policy.cg \
		/tmp/rootward-policy.test -test.run '^$$' -test.bench 'StatementShapes/all' -test.benchtime 100000x
	cg_annotate --threshold=0 /tmp/rootward-policy.cg | grep -E 'internal/policy|memeq' | head -20
