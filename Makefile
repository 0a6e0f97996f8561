# The two commands of the README: `make run` and `make test`. Both install what is
# missing first (scripts/deps.sh), so they work on a fresh Debian 12 machine.
SHELL := /bin/bash
CARGO ?= cargo
DATA ?= $(CURDIR)/.build/demo-data
ORDERS ?= 2000

.PHONY: all deps run test lint unit bench bench-quick fmt clean

all: test

deps:
	@./scripts/deps.sh

## Build and open Daybook on local demo data (generated on first run).
run: deps
	$(CARGO) build --release -p daybook-cli
	@if [ ! -f "$(DATA)/daybook.sqlite3" ]; then \
		./target/release/daybook --data "$(DATA)" demo --orders $(ORDERS); \
	fi
	./target/release/daybook --data "$(DATA)" orders --limit 25 --sort created --desc

## Formatting, lints and every test.
test: deps lint unit bench-quick

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace

## The benchmark table (release build, full workload).
bench: deps
	$(CARGO) run --release -p daybook-bench

## A tiny run of the benchmark harness, to prove it works (part of `make test`).
bench-quick:
	$(CARGO) run -p daybook-bench -- --quick

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
	rm -rf .build
