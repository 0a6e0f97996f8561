#!/usr/bin/env bash
# Checks the Debian package `make package` built, as an installer would see it:
#   1. lintian finds no errors in it (warnings are printed, not fatal);
#   2. its contents: the binary, the desktop entry (name, exec, icon, category), the
#      icon set in hicolor, the version from Cargo, dependencies with no OpenSSL;
#   3. extracted with `dpkg-deb -x` (installing needs root and changes the machine),
#      the packaged binary starts under Xvfb, its window draws, and a second launch
#      hands over to it (scripts/desktop-smoke.sh); the extracted tree is removed.
#
#   scripts/package-test.sh [DEB]    # default: the newest target/*/bundle/deb/*.deb
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deb=${1:-$(ls -t "$root"/target/*/bundle/deb/*.deb 2>/dev/null | head -n 1)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "package-test: no .deb (run make package)" >&2; exit 1; }
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)

echo "package-test: $deb ($(du -h "$deb" | cut -f1))"
[ "$(dpkg-deb -f "$deb" Package)" = "daybook" ] || fail "package name is $(dpkg-deb -f "$deb" Package)"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "version $(dpkg-deb -f "$deb" Version), Cargo says $version"
depends=$(dpkg-deb -f "$deb" Depends)
echo "package-test: Depends: $depends"
case "$depends" in *libssl*) fail "the package depends on OpenSSL";; esac

# lintian: errors fail the test; warnings are printed for the record.
lint=$(lintian --tag-display-limit 0 "$deb" 2>&1 || true)
echo "$lint" | sed 's/^/lintian: /'
errors=$(echo "$lint" | grep '^E: ' || true)
[ -z "$errors" ] || fail "lintian errors: $errors"

tree=$(mktemp -d "${TMPDIR:-/tmp}/daybook-deb.XXXXXX")
trap 'rm -rf "$tree"' EXIT
dpkg-deb -x "$deb" "$tree"
bin=$tree/usr/bin/daybook-desktop
[ -x "$bin" ] || fail "no usr/bin/daybook-desktop in the package"
entry=$(ls "$tree"/usr/share/applications/*.desktop 2>/dev/null | head -n 1)
[ -n "$entry" ] || fail "no desktop entry"
for key in "Name=Daybook" "Exec=daybook-desktop" "Icon=daybook-desktop" "Categories="; do
  grep -q "^$key" "$entry" || fail "the desktop entry lacks $key: $(cat "$entry")"
done
desktop-file-validate "$entry" 2>/dev/null || true
for size in 32x32 128x128 256x256@2; do
  ls "$tree"/usr/share/icons/hicolor/$size/apps/daybook-desktop.png >/dev/null 2>&1 || fail "no $size icon"
done
echo "package-test: contents ok (binary, desktop entry, icons 32/128/256, version $version)"
"$root/scripts/desktop-smoke.sh" "$bin"
echo "package-test: ok"
