#!/usr/bin/env bash
# Installs the Hugging Face transformers.js library (npm
# @huggingface/transformers, on onnxruntime-node) into .cache/npm-peers,
# which git ignores, without running install scripts. Prints the
# node_modules folder. scripts/tjs/compare.sh needs it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="$root/.cache/npm-peers"
version=4.3.2
mkdir -p "$dir"
pkg="$dir/node_modules/@huggingface/transformers/package.json"
if [ ! -f "$pkg" ] || ! grep -q "\"version\": \"$version\"" "$pkg"; then
  [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
  (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund "@huggingface/transformers@$version" >&2)
fi
echo "$dir/node_modules"
