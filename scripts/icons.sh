#!/usr/bin/env bash
# Generates the app's icon set (src-tauri/icons) from its one source image,
# src-tauri/icons/source.svg, with Tauri's own `tauri icon`: the PNG sizes the Linux
# package installs (hicolor 32, 64, 128, 256), icon.png (512, the window's icon), and
# icon.ico / icon.icns for Windows and macOS builds. The mobile and Windows-store sets
# `tauri icon` also writes are dropped. The generated files are committed (the build
# embeds icon.png); `make icons` refreshes them after the source changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
icons=$root/src-tauri/icons
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root/ui" && npx --no-install tauri icon "$icons/source.svg" -o "$tmp" >/dev/null 2>&1)
for f in 32x32.png 64x64.png 128x128.png 128x128@2x.png icon.png icon.ico icon.icns; do
  cp "$tmp/$f" "$icons/$f"
done
echo "icons: $(cd "$icons" && ls | grep -v source.svg | tr '\n' ' ')"
