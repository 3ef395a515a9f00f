# Set-up commands (see README.md):
#   make run    runs the main job
#   make test   runs every test: this module, the cgo crypto backend, and the
#               separate Go modules (interop/, bench/) when they exist.

GO ?= go
# Separate Go modules inside the tree (each directory below the root with its own go.mod).
SUBMODULES := $(patsubst %/go.mod,%,$(shell find . -mindepth 2 -name go.mod -not -path './.git/*' | sort))

.PHONY: all test test-root test-cgo test-submodules deps vet fuzz difffuzz bench bench-full bench-pkg run soak sim-long

all: test

deps:
	@./scripts/deps.sh

# examples/guide holds the developers' guide program verbatim, with its
# unreachable final return; it is vetted without that one check.
vet:
	$(GO) vet $$($(GO) list ./... | grep -v '/examples/guide$$')
	$(GO) vet -unreachable=false ./examples/guide

test: deps vet test-root test-cgo test-submodules

test-root:
	$(GO) test -race -count=1 ./...
	@# Allocation counts are checked without -race: the race detector makes
	@# sync.Pool drop items at random, so those tests skip under it. Tests
	@# named NoRace are too slow under the detector on 2 cores and skip there.
	$(GO) test -count=1 -run 'Alloc|NoRace' ./...

# The libsecp256k1 backend of package crypto, when the system library is there.
test-cgo:
	@if [ -f /usr/include/secp256k1_recovery.h ]; then \
		echo "$(GO) test -race -count=1 -tags libsecp256k1 ./crypto/..."; \
		CGO_ENABLED=1 $(GO) test -race -count=1 -tags libsecp256k1 ./crypto/...; \
	else \
		echo "skipping the libsecp256k1 build: libsecp256k1-dev is not installed"; \
	fi

test-submodules:
	@set -e; for m in $(SUBMODULES); do \
		echo "== $$m"; \
		(cd $$m && $(GO) vet ./... && $(GO) test -race -count=1 ./... && \
			$(GO) test -count=1 -run NoRace ./...); \
	done

# Runs every native fuzz target for FUZZTIME each (default 10s).
FUZZTIME ?= 10s
fuzz:
	@./scripts/fuzz.sh $(FUZZTIME)

# Differential fuzzing against go-ethereum (interop/difffuzz): every target
# for DIFFFUZZ each; make test replays their seed corpora.
DIFFFUZZ ?= 5m
difffuzz:
	./scripts/difffuzz.sh $(DIFFFUZZ)

# The soak: 1,000 identities churning against one node, 100 connections
# at once, for SOAK (make test runs it for a minute, as TestNoRaceSoak).
SOAK ?= 10m
soak:
	$(GO) test -count=1 -timeout 0 -run '^TestNoRaceSoak$$' -v . -soak $(SOAK)

# The simulator's big run (sim.TestNoRaceScale, in virtual time): SIM_NODES
# nodes converge, gossip a 1 MiB message to all, and churn at 10% a
# minute for SIM_CHURN_DURATION; make test runs 100 nodes and 1 minute.
# Snapshots (JSON and SVG) go to sim-artifacts/. Figures in the README.
SIM_NODES ?= 1000
SIM_CHURN_DURATION ?= 10m
sim-long:
	SIM_NODES=$(SIM_NODES) SIM_CHURN_DURATION=$(SIM_CHURN_DURATION) \
		$(GO) test -count=1 -timeout 0 -run '^TestNoRaceScale$$' -v -artifacts -outputdir $(CURDIR)/sim-artifacts ./sim

# Side by side with go-ethereum (the bench/ module); see bench/doc.go.
bench:
	cd bench && ./run.sh -short

bench-full:
	cd bench && ./run.sh -full

# This module's own micro-benchmarks.
bench-pkg:
	$(GO) test -run '^$$' -bench . -benchmem ./...

run:
	$(GO) run ./examples/foobar
