#!/usr/bin/env bash
# Installs Debian's chromium package, which the HTML report's rendering test
# (htmlreport, TestRenderInChromium) uses to take a headless screenshot.
#
#   scripts/setup-chromium.sh
#
# Does nothing when $CHROMIUM names a browser (GitHub's runners have
# google-chrome) or a chromium command is already on PATH, so a second run
# is cheap. Needs root (or sudo) and apt-get, as on Debian and Ubuntu.
# Prints the path of chromium on stdout.
set -euo pipefail

if [ -n "${CHROMIUM:-}" ]; then
  path=$(command -v "$CHROMIUM") || { echo "setup-chromium: CHROMIUM=$CHROMIUM is not an executable browser" >&2; exit 2; }
  echo "$path"
  exit 0
fi

if path=$(command -v chromium); then
  echo "$path"
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "setup-chromium: no chromium on PATH and no apt-get to install it; install Chromium yourself and put 'chromium' on PATH" >&2
  exit 2
fi

sudo=
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "setup-chromium: installing chromium needs root; run this script as root" >&2
    exit 2
  fi
  sudo=sudo
fi

echo "setup-chromium: installing Debian's chromium package…" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq chromium >&2

path=$(command -v chromium) || {
  echo "setup-chromium: apt-get installed chromium but it is not on PATH" >&2
  exit 1
}
echo "$path"
