#!/usr/bin/env bash
# One stage (a, b, c, d) or quick preset (image, feature) of the GPU
# benchmark on a GPU machine, registry access or not: installs the kit's
# wheels (.gpu/wheels, tools/misc/pack_gpu_kit.sh) where mmseg is not
# importable, reads the kit's CamVid (.gpu/camvid_jpg) where it is there,
# runs the stage within BUDGET seconds, then exports its folder as parts of
# at most 15 MiB into $OUT (also when the budget ran out: finished runs
# are kept and skipped when it is run again).
#
# Usage (from anywhere):
#   OUT=DIR tools/analysis_tools/gpu_benchmark/run_stage.sh \
#       a|b|c|d|image|feature [staged_benchmark.py options]
# Environment: PYTHON (default python3), KIT (default .gpu), BUDGET
# (seconds, default 560), OUT (where the parts go; unset: no export).
set -uo pipefail
STAGE=${1:?usage: run_stage.sh a|b|c|d|image|feature [options]}
shift
cd "$(dirname "$0")/../../.." || exit 1
BUDGET=${BUDGET:-560}
# shellcheck source=kit_env.sh
source tools/analysis_tools/gpu_benchmark/kit_env.sh || exit 1
DATA=()
if [ -d "$KIT/camvid_jpg" ]; then
  DATA=(--data-root "$KIT/camvid_jpg")
fi
"$PYTHON" -c 'import torch; print("torch", torch.__version__, "on",
  torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU")'
timeout -k 20 "$BUDGET" "$PYTHON" \
  tools/analysis_tools/gpu_benchmark/staged_benchmark.py "$STAGE" \
  "${DATA[@]}" "$@"
rc=$?
[ "$rc" -eq 124 ] && echo "$STAGE: stopped after $BUDGET s; run it again to resume"
if [ -n "${OUT:-}" ]; then
  "$PYTHON" tools/analysis_tools/gpu_benchmark/staged_benchmark.py export \
    "$STAGE" --to "$OUT" "$@" || rc=1
fi
exit "$rc"
