#!/usr/bin/env bash
# Builds the dealcore CLI and runs the demo: a Russian demo CRM in a local
# SQLite file (./dealcore-demo.db), then shows its kanban and a filtered list.
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/install-deps.sh
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DDEALCORE_BUILD_TESTS=OFF -DDEALCORE_BUILD_BENCH=OFF >/dev/null
cmake --build build/demo -j"$(nproc)" --target dealcore_cli
db=${DEMO_DB:-./dealcore-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
cli=build/demo/examples/cli/dealcore
"$cli" --db "$db" demo
echo
echo "Try: $cli --db $db list --text поставка --sort amount --limit 10"
echo "     $cli --db $db board --pipeline 1 --owner 2"
echo "     $cli --db $db find '8 (912) 345-67-89'"
