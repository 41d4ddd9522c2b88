#!/usr/bin/env bash
# Installs the ONNX Runtime shared library (Linux x86-64) from the npm package
# onnxruntime-node, without running any of its install scripts, and checks it
# against the SHA-256 committed in scripts/ort.sha256.
#
#   scripts/setup-ort.sh            # installs into .cache/onnxruntime/<version>/
#   ORT_VERSION=1.30.0 scripts/setup-ort.sh
#
# Prints the path of the library on stdout. A second run finds the checked
# library in place and does nothing else.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=${ORT_VERSION:-1.30.0}
dest="$root/.cache/onnxruntime/$version"
lib="$dest/libonnxruntime.so.1"
sums="$root/scripts/ort.sha256"

want=$(awk -v v="$version" '$2 == v {print $1}' "$sums")
if [ -z "$want" ]; then
  echo "setup-ort: no SHA-256 for onnxruntime-node@$version in $sums; add one before using this version" >&2
  exit 2
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) arch=x64 ;;
  *) echo "setup-ort: only Linux x86-64 is supported by this script (have $(uname -s)-$(uname -m)); set ONNXRUNTIME_LIB to a library you installed yourself" >&2; exit 2 ;;
esac

sha() { sha256sum "$1" | awk '{print $1}'; }

if [ -f "$lib" ] && [ "$(sha "$lib")" = "$want" ]; then
  echo "$lib"
  exit 0
fi

command -v npm >/dev/null || { echo "setup-ort: npm is needed to fetch onnxruntime-node (apt-get install npm)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "setup-ort: fetching onnxruntime-node@$version with npm pack (no install scripts run)" >&2
(cd "$tmp" && npm pack --silent "onnxruntime-node@$version" >/dev/null)
tar -xzf "$tmp"/onnxruntime-node-"$version".tgz -C "$tmp" "package/bin/napi-v6/linux/$arch/libonnxruntime.so.1"
got=$(sha "$tmp/package/bin/napi-v6/linux/$arch/libonnxruntime.so.1")
if [ "$got" != "$want" ]; then
  echo "setup-ort: SHA-256 mismatch for libonnxruntime.so.1 from onnxruntime-node@$version: got $got, want $want" >&2
  exit 1
fi
mkdir -p "$dest"
install -m 0644 "$tmp/package/bin/napi-v6/linux/$arch/libonnxruntime.so.1" "$lib.tmp"
mv -f "$lib.tmp" "$lib"
echo "setup-ort: installed $lib" >&2
echo "$lib"
