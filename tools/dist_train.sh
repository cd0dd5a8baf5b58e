#!/usr/bin/env bash
# Distributed training of any config (segmentor, Pix2PixHD, feature generator)
# with torchrun: tools/dist_train.sh CONFIG NPROC [ARGS]
# On a machine without GPUs the processes use the gloo backend on the CPU.
CONFIG=$1
NPROC=$2
shift 2
PYTHON=${PYTHON:-python}
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" \
    --nproc_per_node="$NPROC" \
    "$(dirname "$0")/train.py" "$CONFIG" --launcher pytorch "$@"
