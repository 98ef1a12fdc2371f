#!/usr/bin/env bash
# Installs the Debian packages the tests use, when they are missing:
# a D-Bus session bus and gnome-keyring (the real Secret Service), secret-tool
# (an outside witness of what is stored), Chromium (the renderer tests),
# botocore (an independent SigV4 implementation that checks KeyTray's signatures),
# tesseract (reads the screenshots' text for the secret scan).
set -euo pipefail

packages=(dbus gnome-keyring libsecret-tools chromium python3 python3-botocore tesseract-ocr tesseract-ocr-eng)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "install-system-deps: need ${missing[*]}, and this is not a Debian-like system; install them by hand." >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "Installing ${missing[*]} with apt-get…"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
