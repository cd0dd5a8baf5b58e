#!/usr/bin/env bash
# Distributed evaluation with torchrun, as mmseg's tools/dist_test.sh:
#   tools/dist_test.sh CONFIG CHECKPOINT GPUS [ARGS of tools/test.py]
# NNODES, NODE_RANK, MASTER_ADDR and PORT as in tools/dist_train.sh.
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
shift 3
PYTHON=${PYTHON:-python}
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" \
    --nproc_per_node="$GPUS" \
    "$(dirname "$0")/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
