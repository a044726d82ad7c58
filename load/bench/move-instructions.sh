#!/bin/bash
# Instructions Redis executes per call of the move-like script (load/bench/redis-ceiling.ts), counted
# by valgrind's callgrind inside evalShaCommand: the same on a busy machine as on an idle one, so a
# change of the scripts can be judged without the noise of wall or CPU time. Needs valgrind.
#   load/bench/move-instructions.sh [ROOT] [CALLS] [KEYS]
# ROOT: the checkout whose scripts are measured (default: this one); CALLS (default 5000) spread over
# KEYS games (redis-benchmark -r, default 100: each game gets CALLS/KEYS calls, so most calls are
# moves in games under way rather than new games).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
ROOT=$(cd "${1:-$HERE}" && pwd); CALLS=${2:-5000}; KEYS=${3:-100}
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
PORT=$( (cd "$HERE" && node --import tsx -e "import { freePort } from './server/launcher/ports.ts'; console.log(await freePort())") )
(cd "$ROOT" && node --import tsx -e "
const { moveLikeScript } = await import('$ROOT/load/bench/redis-ceiling.ts');
const { Keys } = await import('$ROOT/server/store/keys.ts');
process.stdout.write(moveLikeScript(new Keys('bench')));") > "$WORK/move.lua"
valgrind --tool=callgrind --collect-atstart=no --toggle-collect=evalShaCommand --callgrind-out-file="$WORK/cg.out" \
  redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >"$WORK/valgrind.log" 2>&1 &
VG=$!
for _ in $(seq 1 150); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
SHA=$(redis-cli -p "$PORT" script load "$(cat "$WORK/move.lua")")
redis-benchmark -h 127.0.0.1 -p "$PORT" -c 10 -n "$CALLS" -P 16 -r "$KEYS" --csv \
  EVALSHA "$SHA" 2 'bench:game:{g:__rand_int__}' bench:deadlines bench-x 0 __rand_int__ 30000 3600 >/dev/null
N=$(redis-cli -p "$PORT" info commandstats | grep -o 'cmdstat_evalsha:calls=[0-9]*' | cut -d= -f2)
redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
wait "$VG" || true
IR=$(grep -m1 '^summary:\|^totals:' "$WORK/cg.out" | awk '{print $2}')
echo "{\"root\":\"$ROOT\",\"calls\":$N,\"keys\":$KEYS,\"instructions_per_call\":$((IR / N))}"
