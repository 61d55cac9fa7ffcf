#!/usr/bin/env bash
# Installs what the tests need on a fresh machine: pnpm 10.34.9 and Debian's Chromium
# (for the real-browser run). Idempotent; apt runs only when Chromium is missing.
set -euo pipefail
if [ "$(pnpm --version 2>/dev/null)" != "10.34.9" ]; then
  npm i -g pnpm@10.34.9 >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
echo "pnpm $(pnpm --version), $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
