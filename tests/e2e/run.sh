#!/usr/bin/env bash
# Runs the end-to-end suite against the real app binary in a real window: a private
# Xvfb display and tauri-driver (which starts WebKitWebDriver) on free ports chosen now,
# then `node --test`. Everything started here is stopped on exit, by process id.
#
#   tests/e2e/run.sh                  # app: target/debug/daybook-desktop
#   tests/e2e/run.sh bench.mjs        # node arguments: another script in the same setup
#   DAYBOOK_APP=/path/to/app tests/e2e/run.sh
#   E2E_KEEP=1 tests/e2e/run.sh       # keep the temp dir (logs, data dirs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
app=${DAYBOOK_APP:-$root/target/debug/daybook-desktop}
driver=${TAURI_DRIVER:-$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")}
[ -x "$app" ] || { echo "e2e: no app binary at $app (build it: cargo build -p daybook-desktop)" >&2; exit 1; }
[ -x "$driver" ] || { echo "e2e: tauri-driver not found (scripts/deps.sh installs it)" >&2; exit 1; }
[ -d "$here/node_modules" ] || (cd "$here" && npm ci --no-audit --no-fund)

work=$(mktemp -d "${TMPDIR:-/tmp}/daybook-e2e.XXXXXX")
xvfb_pid="" driver_pid=""
cleanup() {
  # tauri-driver runs in its own process group with WebKitWebDriver and the app.
  [ -n "$driver_pid" ] && kill -- "-$driver_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "${E2E_KEEP:-}" ]; then echo "e2e: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# A display nobody uses: no lock file, and Xvfb stays up on it.
display=""
for n in $(shuf -i 150-899 -n 40); do
  [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] && continue
  Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
  if kill -0 "$xvfb_pid" 2>/dev/null && [ -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
  xvfb_pid=""
done
[ -n "$display" ] || { echo "e2e: could not start Xvfb" >&2; exit 1; }

port=$(free_port)
native_port=$(free_port)
# DAYBOOK_DATA points at a throw-away dir: nothing ever touches the user's data. Each
# test still passes its own fresh `--data DIR`. DAYBOOK_E2E_DIALOG is the file dialogs'
# test seam (debug builds): each dialog answers with the path written in that file.
# $work/bin comes first on the app's PATH, empty: the seam for the external programs
# the app starts (a test puts a recording xdg-open or xdg-email there, as no PDF viewer
# or mail client runs here; the app's own code path runs for real).
mkdir -p "$work/bin"
DISPLAY=$display WEBKIT_DISABLE_DMABUF_RENDERER=1 LANG=C.UTF-8 PATH="$work/bin:$PATH" \
  DAYBOOK_DATA="$work/default-data" DAYBOOK_E2E_DIALOG="$work/dialog-answer" \
  setsid "$driver" --port "$port" --native-port "$native_port" >"$work/driver.log" 2>&1 &
driver_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

if [ $# -gt 0 ]; then node_args=("$@"); else node_args=(--test --test-concurrency=1 --test-reporter=spec "$here"/*.test.mjs); fi
echo "e2e: app $app, display $display, tauri-driver on port $port"
cd "$here"
status=0
E2E_APP="$app" E2E_PORT="$port" E2E_DISPLAY="$display" E2E_WORK="$work" \
  E2E_SCREENSHOTS="${E2E_SCREENSHOTS:-$root/docs/screenshots}" \
  timeout "${E2E_TIMEOUT:-900}" node "${node_args[@]}" || status=$?
if [ "$status" -ne 0 ]; then
  echo "e2e: failed (exit $status); tauri-driver log:" >&2
  tail -n 40 "$work/driver.log" >&2 || true
fi
exit "$status"
