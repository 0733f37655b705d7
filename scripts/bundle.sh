#!/usr/bin/env bash
# Builds Ferry's release installers for the operating system it runs on:
#   Linux   → .deb and .AppImage   (AppImage needs internet: the Tauri CLI downloads linuxdeploy)
#   macOS   → .dmg
#   Windows → NSIS .exe and .msi   (run from Git Bash; Git needs core.symlinks=true for
#                                    src-tauri/tauri.conf.json, a link to the root file)
# Bundles land in target/release/bundle/. Pass bundle names to override, e.g. `scripts/bundle.sh deb`.
# Exits non-zero when a bundle failed, after building the others.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"

case "$(uname -s)" in
  Linux) ensure_apt_packages; default="deb appimage" ;;
  Darwin) default="dmg" ;;
  MINGW* | MSYS* | CYGWIN*) default="nsis msi" ;;
  *) die "unknown operating system $(uname -s)" ;;
esac
ensure_npm_modules
bundles=("${@:-}")
[ -n "${bundles[0]}" ] || read -r -a bundles <<<"$default"

failed=()
for bundle in "${bundles[@]}"; do
  step "tauri build --bundles $bundle"
  # TAURI_APP_PATH: the config is at the repository root, the Rust app in src-tauri/.
  # The first bundle compiles the release build; the others reuse it.
  if ! (cd ui && TAURI_APP_PATH=../src-tauri npx --no-install tauri build --bundles "$bundle"); then
    failed+=("$bundle")
    if [ "$bundle" = appimage ]; then
      echo "The AppImage step downloads AppRun and linuxdeploy from the internet; without"
      echo "internet access it fails. The other bundles are unaffected."
    fi
  fi
done
step "bundles"
find "${CARGO_TARGET_DIR:-$ROOT/target}/release/bundle" -maxdepth 2 -type f \
  \( -name '*.deb' -o -name '*.AppImage' -o -name '*.dmg' -o -name '*.msi' -o -name '*.exe' \) -print
((${#failed[@]} == 0)) || die "these bundles failed: ${failed[*]}"
