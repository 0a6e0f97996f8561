#!/usr/bin/env bash
# Starts a Daybook desktop binary the way a user does, in a private X display and a
# private D-Bus session, and checks what only the real binary can show:
#   1. its window appears and draws (a screenshot with more than a handful of colours);
#   2. its log file is written in the data folder (<data>/logs/daybook.log);
#   3. a second launch on the same data folder does not open a second writer: it hands
#      over to the first (which logs it and stays up) and exits by itself.
# Everything started here is stopped on exit, by process id.
#
#   scripts/desktop-smoke.sh [BINARY]      # default: target/debug/daybook-desktop
#   SMOKE_SHOT=file.png scripts/desktop-smoke.sh   # keep the screenshot
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
app=${1:-$root/target/debug/daybook-desktop}
[ -x "$app" ] || { echo "smoke: no app binary at $app" >&2; exit 1; }
# Re-run inside a private session bus (single-instance speaks D-Bus on Linux).
if [ -z "${SMOKE_IN_DBUS:-}" ]; then
  # The bus and the portals it starts chatter on stderr: keep that out of the report.
  SMOKE_IN_DBUS=1 exec dbus-run-session --config-file=/usr/share/dbus-1/session.conf -- "$0" "$@" 2> >(grep -v -E "dbus-daemon|portal|Gtk-WARNING|SpiRegistry|^$" >&2)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/daybook-smoke.XXXXXX")
xvfb_pid="" first="" second=""
cleanup() {
  for p in $second $first $xvfb_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "smoke: FAIL: $*" >&2; tail -n 20 "$work"/*.out >&2 2>/dev/null || true; exit 1; }

display=""
for n in $(shuf -i 150-899 -n 40); do
  [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] && continue
  Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.out" 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
  if kill -0 "$xvfb_pid" 2>/dev/null && [ -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
  xvfb_pid=""
done
[ -n "$display" ] || fail "could not start Xvfb"
export DISPLAY=$display WEBKIT_DISABLE_DMABUF_RENDERER=1 LANG=C.UTF-8
data=$work/data
log=$data/logs/daybook.log

start=$(date +%s%N)
"$app" --data "$data" >"$work/first.out" 2>&1 &
first=$!
window=""
for _ in $(seq 600); do
  kill -0 "$first" 2>/dev/null || fail "the app exited at start"
  if xwininfo -root -tree 2>/dev/null | grep -q '"Daybook'; then window=1; break; fi
  sleep 0.1
done
[ -n "$window" ] || fail "no window titled Daybook within 60 s"
shown_ms=$(( ($(date +%s%N) - start) / 1000000 ))
# Let the web view paint, then look at the screen: a drawn window has many colours.
shot=${SMOKE_SHOT:-$work/shot.png}
colours=0
for _ in $(seq 30); do
  sleep 1
  import -window root "$shot" 2>/dev/null || continue
  colours=$(identify -format '%k' "$shot" 2>/dev/null || echo 0)
  [ "$colours" -gt 50 ] && break
done
[ "$colours" -gt 50 ] || fail "the window did not draw ($colours colours on screen)"
[ -s "$log" ] || fail "no log file at $log"
grep -q "Daybook .* started on" "$log" || fail "the log does not say the app started"

# A second launch on the same data folder: it must hand over and exit, not open.
before=$(xwininfo -root -tree | grep -c '"Daybook' || true)
"$app" --data "$data" >"$work/second.out" 2>&1 &
second=$!
for _ in $(seq 150); do kill -0 "$second" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$second" 2>/dev/null; then fail "the second launch is still running after 15 s"; fi
wait "$second" && code=0 || code=$?
second=""
[ "$code" -eq 0 ] || fail "the second launch exited with $code"
kill -0 "$first" 2>/dev/null || fail "the first instance died"
for _ in $(seq 50); do grep -q "second launch" "$log" && break; sleep 0.1; done
grep -q "second launch" "$log" || fail "the first instance was not told of the second launch"
windows=$(xwininfo -root -tree | grep -c '"Daybook' || true)
[ "$windows" -eq "$before" ] || fail "the second launch opened a window ($before X windows named Daybook before, $windows after)"
echo "smoke: ok: window shown in ${shown_ms} ms, drawn ($colours colours), log at logs/daybook.log, second launch handed over and exited 0 (no new window)"
