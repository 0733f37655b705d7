#!/usr/bin/env bash
# Proves that every workspace crate except the app (src-tauri) builds without
# Tauri or a webview in its dependency tree (normal, build and dev dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
packages=$(cargo metadata --no-deps --format-version 1 --locked |
  python3 -c 'import json,sys; print("\n".join(p["name"] for p in json.load(sys.stdin)["packages"] if p["name"] != "ferry-app"))')
bad=0
for pkg in $packages; do
  hits=$(cargo tree --locked -p "$pkg" -e normal,build,dev --prefix none --format '{p}' |
    awk '{print $1}' | grep -E '^(tauri|tauri-[a-z-]+|wry|tao|webkit2gtk|webview2-com)$' | sort -u || true)
  if [ -n "$hits" ]; then
    echo "FAIL $pkg depends on: $(echo $hits)"
    bad=1
  else
    echo "ok   $pkg has no Tauri in its dependency tree"
  fi
done
exit $bad
