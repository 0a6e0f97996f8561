#!/usr/bin/env bash
# `make api-check`: the property-based API tester (schemathesis, scripts/api-check/)
# against a real `daybook-server` process: SQLite adapter on a fresh data directory, an
# account and a device token made with the server's own CLI, the generated document
# crates/server/openapi.json. Every check is on: the run fails on a 5xx, or on any
# disagreement between the document and the server (a status, header, content type or
# response body off the document; a valid request refused; an invalid one accepted).
#
# Bounded in time: API_CHECK_SECONDS (default 90) of testing, killed at 3x that.
# API_CHECK_SEED=<n> replays a run (the seed is printed at its end).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO=${CARGO:-cargo}
SECONDS_BUDGET=${API_CHECK_SECONDS:-90}
VENV=.build/api-check-venv

./scripts/deps.sh api-check
# API_CHECK_FEATURES: `make test` passes its own feature set, so the binary it already
# built is reused instead of compiling the workspace a second way.
# shellcheck disable=SC2086
$CARGO build --quiet -p daybook-server ${API_CHECK_FEATURES:-}
SERVER=target/debug/daybook-server

WORK=$(mktemp -d "${TMPDIR:-/tmp}/daybook-api-check.XXXXXX")
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

DATA=$WORK/data
ACCOUNT=$("$SERVER" --data "$DATA" account create "API check" 2>/dev/null)
TOKEN=$("$SERVER" --data "$DATA" token create --account "$ACCOUNT" --device api-check 2>/dev/null)

# No rate limit: the tester would spend its budget on 429s (which are documented).
"$SERVER" --data "$DATA" serve --listen 127.0.0.1:0 --rate 0 2>"$WORK/server.log" &
SERVER_PID=$!
ADDR=
for _ in $(seq 1 100); do
  ADDR=$(sed -n 's/^listening on //p' "$WORK/server.log" | head -n 1)
  [ -n "$ADDR" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$ADDR" ] || { echo "api-check: the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
echo "api-check: daybook-server on $ADDR, testing for ${SECONDS_BUDGET}s"

status=0
# Hypothesis (schemathesis's engine) keeps its files in the build directory too.
DAYBOOK_API_ACCOUNT=$ACCOUNT DAYBOOK_API_TOKEN=$TOKEN \
HYPOTHESIS_STORAGE_DIRECTORY=.build/api-check-cache/hypothesis \
  timeout --signal=INT $((SECONDS_BUDGET * 3)) \
  "$VENV/bin/schemathesis" --config-file scripts/api-check/schemathesis.toml \
    run crates/server/openapi.json \
    --url "http://$ADDR" \
    --max-time "$SECONDS_BUDGET" \
    --generation-database none \
    --no-color \
    ${API_CHECK_SEED:+--seed "$API_CHECK_SEED"} || status=$?

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "api-check: the server died during the run" >&2
  status=1
fi
if grep -q "handler panicked" "$WORK/server.log"; then
  echo "api-check: the server logged a panic:" >&2
  grep "handler panicked" "$WORK/server.log" >&2
  status=1
fi
exit $status
