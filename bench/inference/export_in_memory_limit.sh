#!/usr/bin/env bash
# Runs `thinkbench-cli export-gguf` in a memory cgroup smaller than its input, to show an export
# that reads each weight from the page cache and gives its pages back: the page cache's pages are
# reclaimable, memory read onto huge pages is not (and with no swap the kernel kills the process).
#
#   sudo bench/inference/export_in_memory_limit.sh CLI MODEL TYPE LIMIT_MB
#
# Needs root and the cgroup v1 memory controller (/sys/fs/cgroup/memory); drops the page cache first
# so the file is read from disk within the limit. Prints the export's wall time and peak RSS (or the
# signal that killed it) and the cgroup's peak usage; fails where the export wrote nothing.
set -euo pipefail
if [[ $# -ne 4 ]]; then
    sed -n '6p' "$0" >&2
    exit 2
fi
cli=$1 model=$2 type=$3 limit_mb=$4
cgroup=/sys/fs/cgroup/memory/thinkbench-export-$$
output=$(mktemp --suffix=.gguf)
trap 'rm -f "$output"; rmdir "$cgroup" 2>/dev/null || true' EXIT
mkdir "$cgroup"
echo $((limit_mb * 1024 * 1024)) >"$cgroup/memory.limit_in_bytes"
sync
echo 1 >/proc/sys/vm/drop_caches
bash -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' _ "$cgroup" \
    /usr/bin/time -f "wall %e s, peak RSS %M kB" \
    "$cli" export-gguf --model "$model" --output "$output" --type "$type" 2>&1 >/dev/null |
    tr '\r' '\n' | grep -E '^(wall|Command)' || true
written=$(stat -c %s "$output")
echo "cgroup limit ${limit_mb} MB, peak usage $(($(cat "$cgroup/memory.max_usage_in_bytes") / 1048576)) MB," \
    "output $written bytes"
[[ $written -gt 0 ]]
