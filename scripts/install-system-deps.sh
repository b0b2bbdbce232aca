#!/usr/bin/env bash
# Installs the system packages Portico's tests need: Chromium (the test host's browser),
# Xvfb (headed runs), SimpleSAMLphp + PHP (SAML IdP), gnome-keyring + D-Bus (OS keychain).
# Debian/Ubuntu: installs what is missing (needs root or sudo). Elsewhere: prints the command.
set -euo pipefail

PACKAGES=(chromium xvfb xauth simplesamlphp php-cli php-xml php-mbstring gnome-keyring dbus libsecret-tools)

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "Not a Debian/Ubuntu system. Install the equivalents of: ${PACKAGES[*]}" >&2
  echo "(Chromium, Xvfb, SimpleSAMLphp with PHP's XML and mbstring extensions, gnome-keyring, D-Bus.)" >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "System packages: all present."
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Missing packages: ${missing[*]}. Run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "Installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
