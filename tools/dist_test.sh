#!/usr/bin/env bash
# Distributed evaluation with torchrun, as mmseg's tools/dist_test.sh:
#   tools/dist_test.sh CONFIG CHECKPOINT GPUS [ARGS of tools/test.py]
# NNODES, NODE_RANK, MASTER_ADDR, PORT and PYTHON as in tools/dist_train.sh.
USAGE='usage: tools/dist_test.sh CONFIG CHECKPOINT GPUS [ARGS of tools/test.py]'
case ${1:-} in -h | --help) echo "$USAGE"; exit 0 ;; esac
if [ $# -lt 3 ]; then
    echo "$USAGE" >&2
    echo 'dist_test.sh: error: CONFIG, CHECKPOINT and GPUS (the number of' \
        'processes on this machine) are required' >&2
    exit 2
fi
. "$(dirname "$0")/misc/torchrun.sh"
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
shift 3
synaug_check_count dist_test.sh "$USAGE" "$GPUS"
synaug_python dist_test.sh
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" \
    --nproc_per_node="$GPUS" \
    "$(dirname "$0")/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
