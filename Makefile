# The two commands of the README: `make run` and `make test`. Both install what is
# missing first (scripts/deps.sh), so they work on a fresh Debian 12 machine.
SHELL := /bin/bash
CARGO ?= cargo
DATA ?= $(CURDIR)/.build/demo-data
ORDERS ?= 2000

.PHONY: all deps run test lint ui-check unit bench bench-quick fmt clean ui-deps ui-dist e2e bench-desktop fuzz fuzz-quick pg-stop api-check package icons smoke

all: test

deps:
	@./scripts/deps.sh

## Build and open the desktop app on the default data dir (~/.local/share/daybook, or
## DAYBOOK_DATA). An empty store offers demo data; `make run DEMO=1` preloads it
## (DEMO_ORDERS orders) into an empty store.
DEMO_ORDERS ?= 5000
run: deps ui-dist
	$(CARGO) build --release -p daybook-desktop
	WEBKIT_DISABLE_DMABUF_RENDERER=$${WEBKIT_DISABLE_DMABUF_RENDERER:-1} \
		./target/release/daybook-desktop $(if $(DEMO),--demo $(DEMO_ORDERS))

## The web UI's packages (npm ci, only when the lockfile changed) and its build into
## ui/dist, which the desktop binary embeds at compile time.
ui-deps: ui/node_modules/.package-lock.json
ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund

ui-dist: ui/dist/index.html
ui/dist/index.html: ui/node_modules/.package-lock.json $(shell find ui/src ui/public -type f 2>/dev/null) $(wildcard ui/index.html ui/vite.config.ts ui/tsconfig.json ui/package.json)
	cd ui && npm run build
	@touch $@

## The installable Debian package, built by Tauri's bundler (release build; the version
## comes from Cargo, the icons from src-tauri/icons/source.svg), then checked by
## scripts/package-test.sh (lintian, contents, the packaged binary started under Xvfb).
## The binary is stripped before bundling (the release profile keeps debug info for
## profiling); packaging/ holds the package's copyright and changelog.
## Not part of `make test`: it costs a release build. `PACKAGE_PROFILE=debug` bundles
## the debug build instead (quicker; the same checks).
PACKAGE_PROFILE ?= release
PACKAGE_DEBUG = $(if $(filter debug,$(PACKAGE_PROFILE)),--debug)
package: deps ui-dist
	mkdir -p target/package && gzip -9nc packaging/changelog > target/package/changelog.gz
	ui/node_modules/.bin/tauri build --no-bundle $(PACKAGE_DEBUG)
	strip target/$(PACKAGE_PROFILE)/daybook-desktop
	ui/node_modules/.bin/tauri bundle --bundles deb $(PACKAGE_DEBUG)
	./scripts/package-test.sh target/$(PACKAGE_PROFILE)/bundle/deb/*.deb

## The icon set (src-tauri/icons) from its one source image.
icons: ui-deps
	./scripts/icons.sh

## The debug app started as a user would (Xvfb, D-Bus): its window draws, its log is
## written, a second launch on the same data hands over to the first.
smoke: deps ui-dist
	$(CARGO) build -p daybook-desktop
	./scripts/desktop-smoke.sh

## The feature set of every debug build `make test` makes: the version-skew tests need
## `next-schema` (inert unless DAYBOOK_NEXT_SCHEMA is set), and building every step with
## the same features compiles the workspace once instead of twice.
TEST_FEATURES := --features daybook-domain/next-schema

## End-to-end tests of the real app binary in a real window (Xvfb, tauri-driver,
## WebDriver); they also refresh the screenshots in docs/screenshots.
e2e: deps ui-dist
	$(CARGO) build -p daybook-desktop -p daybook-server $(TEST_FEATURES)
	@[ tests/e2e/node_modules/.package-lock.json -nt tests/e2e/package-lock.json ] \
		|| (cd tests/e2e && npm ci --no-audit --no-fund)
	timeout 1200 tests/e2e/run.sh

## Formatting, lints and every test.
test: deps lint ui-check unit api-check fuzz-quick bench-quick e2e

## The front end's type check, linter and unit tests (Vitest).
ui-check: ui-deps
	cd ui && npm run typecheck && npm run lint && npm test

lint: ui-dist
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## The Rust tests; the PostgreSQL adapter's run against a throwaway cluster under
## .build/pg (scripts/pg.sh), stopped afterwards.
unit: ui-dist
	# The version-skew tests' "next build" is these binaries with DAYBOOK_NEXT_SCHEMA
	# set (a test-only feature; release builds do not have it).
	$(CARGO) build --workspace --bins $(TEST_FEATURES)
	./scripts/pg.sh run $(CARGO) test --workspace $(TEST_FEATURES)
	# Latency measurements, alone on the machine (ignored in the parallel run).
	$(CARGO) test -p daybook-server $(TEST_FEATURES) --test it fairness -- --ignored --test-threads 1

## The benchmark table (release build, full workload), then the desktop app's figures.
bench: deps
	./scripts/pg.sh run $(CARGO) run --release -p daybook-bench
	$(MAKE) bench-desktop

## Desktop app: cold start to an interactive order list over 1,000,000 events, release
## binary size, memory at rest (scripts/bench-desktop.sh).
bench-desktop: deps ui-dist
	$(CARGO) build --release -p daybook-desktop -p daybook-cli
	./scripts/bench-desktop.sh

## Fuzzing (fuzz/, cargo-fuzz + libFuzzer, AddressSanitizer, overflow checks on):
## the push body and its validation (alone and through the real router on SQLite),
## the pull query, command JSON at the edges, the upcasters. Each target starts from
## its checked-in seeds (fuzz/corpus/<target>/seed-*) and stops at its first crash
## (saved under fuzz/artifacts/<target>/). cargo-fuzz passes nightly flags:
## RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
FUZZ_TARGETS := push_request push_http pull_query command_json upcast
FUZZ_SECONDS ?= 300
FUZZ_QUICK_SECONDS ?= 12
FUZZ_RUN = cd fuzz && for t in $(FUZZ_TARGETS); do \
	RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -O -a $$t -- -max_total_time=$(1) -print_final_stats=1 || exit 1; done
fuzz: deps
	./scripts/deps.sh fuzz
	$(call FUZZ_RUN,$(FUZZ_SECONDS))
## A bounded run of every target (part of `make test`).
fuzz-quick: deps
	./scripts/deps.sh fuzz
	$(call FUZZ_RUN,$(FUZZ_QUICK_SECONDS))

## The API description (crates/server/openapi.json, generated) checked against a real
## daybook-server by a property-based tester (schemathesis, in a venv under .build/):
## any 5xx or disagreement fails (scripts/api-check.sh; API_CHECK_SECONDS, default 90).
api-check: deps
	API_CHECK_FEATURES="$(TEST_FEATURES)" ./scripts/api-check.sh

## A tiny run of the benchmark harness, to prove it works (part of `make test`).
bench-quick:
	./scripts/pg.sh run $(CARGO) run -p daybook-bench $(TEST_FEATURES) -- --quick

fmt:
	$(CARGO) fmt --all

## Stop the throwaway PostgreSQL server if a test run left it running.
pg-stop:
	./scripts/pg.sh stop

clean:
	./scripts/pg.sh wipe
	$(CARGO) clean
	rm -rf .build
