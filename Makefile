# Rootward's developer entry points. `make test` is what CI runs (see .ci/run).
GO ?= go
PKGS := ./...

.PHONY: test test-postgres check fmt vet lint bench fuzz build

build:
	$(GO) build -o bin/rootward ./cmd/rootward

# test runs every test on SQLite, and on PostgreSQL too when ROOTWARD_TEST_POSTGRES is set, plus a
# short run of each fuzz target.
test:
	$(GO) test -count=1 $(PKGS)
	@if [ -n "$$ROOTWARD_TEST_POSTGRES" ]; then \
		echo "== API tests on PostgreSQL"; \
		ROOTWARD_TEST_BACKEND=postgres $(GO) test -count=1 ./internal/server/ ./internal/console/ ./internal/rootuser/ ./cmd/...; \
	fi
	$(MAKE) fuzz

# fuzz runs each fuzz target briefly; the package is named explicitly, as go test -fuzz requires.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 10s ./internal/sigv4
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime 10s ./internal/sigv4
	$(GO) test -run '^$$' -fuzz '^FuzzParseQuery$$' -fuzztime 10s ./internal/awsproto
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 10s ./internal/policy

check: fmt vet lint
	$(GO) test -race -count=1 $(PKGS)

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

# bench runs the benchmarks whose figures docs/benchmarks.md reports.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/sigv4 ./internal/policy ./internal/server ./internal/store/sqlite
	$(GO) test -run '^$$' -bench ColdStart -benchtime 10x ./cmd/rootward
