#!/usr/bin/env bash
# Installs the reference tokenizer library (Hugging Face tokenizers, Rust, through
# the npm package @anush008/tokenizers) into .cache/npm-peers, which git ignores.
# Prints the node_modules folder. The scripts in scripts/tokref need it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="$root/.cache/npm-peers"
version=0.6.0
mkdir -p "$dir"
if [ ! -f "$dir/node_modules/@anush008/tokenizers/package.json" ] ||
   ! grep -q "\"version\": \"$version\"" "$dir/node_modules/@anush008/tokenizers/package.json"; then
  [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
  (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund "@anush008/tokenizers@$version" >&2)
fi
echo "$dir/node_modules"
