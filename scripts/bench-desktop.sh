#!/usr/bin/env bash
# The desktop app's figures (make bench-desktop): the release binary's size, and over a
# store of about 1,000,000 events (demo data, made once and kept in .build/) the cold
# start to an interactive order list, memory at rest and order-search latency, measured
# in the real window under Xvfb through WebDriver (tests/e2e/bench.mjs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
app=$root/target/release/daybook-desktop
cli=$root/target/release/daybook
events=${BENCH_EVENTS:-1000000}
data=${BENCH_DESKTOP_DATA:-$root/.build/bench-desktop-$events}
for b in "$app" "$cli"; do
  [ -x "$b" ] || { echo "bench-desktop: $b missing (cargo build --release -p daybook-desktop -p daybook-cli)" >&2; exit 1; }
done

store_events() {
  "$cli" --data "$data" --json stats 2>/dev/null | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).events??0)}catch{console.log(0)}})'
}

have=0
[ -f "$data/daybook.sqlite3" ] && have=$(store_events)
if [ "$have" -lt "$events" ]; then
  # About 9.9 events per demo order (with its customers and products).
  orders=$(( events * 10 / 99 + 1 ))
  echo "bench-desktop: generating $orders demo orders (~$events events) in $data (once; kept)"
  rm -rf "$data"
  start=$(date +%s)
  "$cli" --data "$data" demo --orders "$orders"
  echo "bench-desktop: generated in $(( $(date +%s) - start )) s"
  have=$(store_events)
fi
echo "bench-desktop: store $data: $have events, $(du -sh "$data" | cut -f1)"

size=$(stat -c %s "$app")
stripped=$(mktemp)
strip -o "$stripped" "$app"
stripped_size=$(stat -c %s "$stripped")
rm -f "$stripped"

out=$root/.build/bench-desktop.json
mkdir -p "$root/.build"
DAYBOOK_APP=$app BENCH_DATA=$data BENCH_OUT=$out E2E_TIMEOUT=${E2E_TIMEOUT:-1800} \
  "$root/tests/e2e/run.sh" bench.mjs
printf '| release binary size (debug line tables in, as built / stripped) | %s MB / %s MB | |\n' \
  "$(( size / 1048576 ))" "$(( stripped_size / 1048576 ))"
echo "bench-desktop: $have events in the store; JSON in $out"
