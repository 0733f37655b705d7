#!/usr/bin/env bash
# Runs a command inside the private desktop session the tests need: a virtual
# display (Xvfb) and, already inside a private D-Bus session (dbus-run-session),
# an unlocked GNOME Keyring as the Secret Service. Used by scripts/test.sh:
#   dbus-run-session -- scripts/test-session.sh cargo test ...
set -euo pipefail
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"
# --unlock creates and unlocks a "login" keyring from the password on stdin: no prompt.
eval "$(printf '%s' ferry-test-keyring | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL KEYRING_REAL=1
exec xvfb-run -a -s "-screen 0 1280x800x24" "$@"
