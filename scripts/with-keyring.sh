#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked
# gnome-keyring and a throw-away HOME, so tests never touch a real user's
# keyring or files. Usage: scripts/with-keyring.sh <command> [args...]
set -euo pipefail

if [ "${KEYTRAY_PRIVATE_KEYRING:-}" = 1 ]; then exec "$@"; fi

for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "with-keyring: $tool is missing; run scripts/test.sh once (it installs dbus and gnome-keyring)." >&2; exit 1; }
done

# KEYTRAY_TEST_HOME keeps the HOME after the run (scripts/test.sh scans what the tests wrote there).
if [ -n "${KEYTRAY_TEST_HOME:-}" ]; then
  rm -rf "$KEYTRAY_TEST_HOME" && mkdir -p "$KEYTRAY_TEST_HOME"
  test_home=$(cd "$KEYTRAY_TEST_HOME" && pwd -P)
  # A session started inside this one (a test that stops its own keyring) gets a throw-away HOME.
  unset KEYTRAY_TEST_HOME
else
  test_home=$(mktemp -d "${TMPDIR:-/tmp}/keytray-home.XXXXXX")
  trap 'rm -rf "$test_home"' EXIT
fi

# The HOME may sit inside this repository's own work tree: git, and KeyTray's project-root search, stop at it.
export GIT_CEILING_DIRECTORIES="$test_home"
export HOME="$test_home" XDG_CONFIG_HOME="$test_home/.config" XDG_DATA_HOME="$test_home/.local/share" \
  XDG_RUNTIME_DIR="$test_home/run" KEYTRAY_PRIVATE_KEYRING=1
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# The bus daemon's chatter goes to a log; the command keeps the real stderr (fd 3).
# gnome-keyring reads the new login keyring's password from stdin: an empty line.
dbus-run-session -- bash -c '
  printf "\n" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  for _ in $(seq 100); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
    sleep 0.05
  done
  exec "$@" 2>&3 3>&-' with-keyring "$@" 3>&2 2>"$test_home/dbus.log"
