#!/usr/bin/env bash
# Installs the system packages Portico's tests need: Chromium (the test host's browser),
# Xvfb (headed runs), SimpleSAMLphp + PHP (SAML IdP), gnome-keyring + D-Bus (OS keychain),
# PostgreSQL 15 (the team-data tests start their own private cluster; no service is enabled).
# Debian/Ubuntu: installs what is missing (needs root or sudo). Elsewhere: prints the command.
set -euo pipefail

PACKAGES=(chromium xvfb xauth simplesamlphp php-cli php-xml php-mbstring gnome-keyring dbus libsecret-tools)
# Installed without recommends: only the server binaries and psql are needed.
PG_PACKAGES=(postgresql postgresql-contrib)

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "Not a Debian/Ubuntu system. Install the equivalents of: ${PACKAGES[*]}" >&2
  echo "And PostgreSQL 15: ${PG_PACKAGES[*]}" >&2
  echo "(Chromium, Xvfb, SimpleSAMLphp with PHP's XML and mbstring extensions, gnome-keyring, D-Bus, PostgreSQL 15.)" >&2
  exit 0
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for pkg in "${PACKAGES[@]}"; do installed "$pkg" || missing+=("$pkg"); done
missing_pg=()
for pkg in "${PG_PACKAGES[@]}"; do installed "$pkg" || missing_pg+=("$pkg"); done

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_pg[@]} -eq 0 ]; then
  echo "System packages: all present."
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Missing packages: ${missing[*]} ${missing_pg[*]}. Run as root: apt-get update && apt-get install -y ${missing[*]} && apt-get install -y --no-install-recommends ${missing_pg[*]}" >&2
    exit 1
  fi
fi
echo "Installing: ${missing[*]} ${missing_pg[*]}"
$SUDO apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
if [ ${#missing_pg[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing_pg[@]}"
fi
