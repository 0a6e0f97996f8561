#!/usr/bin/env bash
# Installs what the build and the tests need when it is missing, and nothing else.
# Idempotent and quick when everything is there. Debian 12 packages only.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# System packages: a C compiler for the bundled SQLite; for the desktop app (src-tauri)
# WebKitGTK and friends; for its end-to-end tests a virtual display, the WebKit
# WebDriver and ImageMagick's `import` for screenshots; PostgreSQL's server binaries
# for the server's PostgreSQL adapter (tests and benchmarks start a throwaway cluster
# of their own with scripts/pg.sh; the system cluster is not used); Python's venv for
# the API tester of `make api-check`; poppler-utils' pdftotext reads the printed
# documents back in the system tests; lintian and desktop-file-utils check the Debian
# package of `make package`; dbus runs the private session bus of the desktop smoke test
# (single-instance speaks D-Bus).
PACKAGES=(build-essential pkg-config
  libwebkit2gtk-4.1-dev file libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
  libdbus-1-dev
  xvfb webkit2gtk-driver imagemagick
  postgresql
  python3-venv
  poppler-utils
  lintian desktop-file-utils dbus)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "deps: cargo not found; install Rust (rustup) first" >&2; exit 1; }
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

# The desktop app's front end (ui/) and e2e suite (tests/e2e/) need Node.js >= 20.
command -v node >/dev/null && command -v npm >/dev/null \
  || { echo "deps: node and npm not found; install Node.js 20 or newer" >&2; exit 1; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || { echo "deps: Node.js $(node --version) is too old; 20 or newer is needed" >&2; exit 1; }

# tauri-driver: the WebDriver server of the e2e tests. Pinned to the 2.x line.
TAURI_DRIVER_VERSION=2.1.0
if ! cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
  echo "deps: installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --quiet
fi

# cargo-fuzz: the libFuzzer driver of `make fuzz` / `make fuzz-quick` (fuzz/), installed
# only for them (`scripts/deps.sh fuzz`), so `make run` does not build it. It needs
# nightly flags, which the Makefile enables on the stable toolchain (RUSTC_BOOTSTRAP=1).
CARGO_FUZZ_VERSION=0.13.2
if [ "${1:-}" = fuzz ] && ! cargo install --list | grep -q "^cargo-fuzz v$CARGO_FUZZ_VERSION:"; then
  echo "deps: installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
fi

# schemathesis: the property-based API tester of `make api-check` (scripts/api-check.sh),
# from PyPI into a virtualenv under .build/, pinned by scripts/api-check/requirements.txt;
# made only for it (`scripts/deps.sh api-check`), and again only when the pins changed.
if [ "${1:-}" = api-check ]; then
  VENV=$ROOT/.build/api-check-venv
  REQS=$ROOT/scripts/api-check/requirements.txt
  if ! cmp -s "$REQS" "$VENV/requirements.txt" 2>/dev/null || [ ! -x "$VENV/bin/schemathesis" ]; then
    echo "deps: installing the API tester into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQS"
    cp "$REQS" "$VENV/requirements.txt"
  fi
fi
