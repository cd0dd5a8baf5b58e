#!/usr/bin/env bash
# Distributed training with torchrun, as mmseg's tools/dist_train.sh:
#   tools/dist_train.sh CONFIG GPUS [ARGS of tools/train.py]
# Several machines: run it on each with the same NNODES, MASTER_ADDR and
# PORT and its own NODE_RANK (0 on the master), see docs/distributed.md.
# GPUs use NCCL; on a machine without GPUs the processes use gloo on the CPU.
# The DDP wrapper is chosen from the model (mmseg_synaug.utils.dist).
# PYTHON picks the interpreter (default: the project's .venv made by
# `make setup`, else python3 from PATH).
USAGE='usage: tools/dist_train.sh CONFIG GPUS [ARGS of tools/train.py]'
case ${1:-} in -h | --help) echo "$USAGE"; exit 0 ;; esac
if [ $# -lt 2 ]; then
    echo "$USAGE" >&2
    echo 'dist_train.sh: error: CONFIG and GPUS (the number of processes' \
        'on this machine) are required' >&2
    exit 2
fi
. "$(dirname "$0")/misc/torchrun.sh"
CONFIG=$1
GPUS=$2
shift 2
synaug_check_count dist_train.sh "$USAGE" "$GPUS"
synaug_python dist_train.sh
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" \
    --nproc_per_node="$GPUS" \
    "$(dirname "$0")/train.py" "$CONFIG" --launcher pytorch "$@"
