#!/usr/bin/env bash
# Installs what building dealcore needs on Debian 12, if anything is missing.
# Every package comes from Debian: the compiler and CMake, SQLite, Boost
# (Container's small_vector; header-only), fmt, doctest, ICU (case folding),
# libphonenumber (E.164) and CRoaring (posting lists).
set -euo pipefail
pkgs=(g++ cmake ninja-build pkg-config python3
      libsqlite3-dev libboost-dev libfmt-dev doctest-dev libicu-dev libphonenumber-dev libroaring-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
