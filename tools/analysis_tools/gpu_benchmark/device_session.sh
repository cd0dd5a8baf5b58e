#!/usr/bin/env bash
# One call on a lent GPU machine (one command of at most 10 minutes, no
# registry access): the kit installed once, then the steps in order, each
# within its own number of seconds, then the logs into $OUT.
#
# Steps:
#   a|b|c|d:SECONDS  one stage of staged_benchmark.py (run_stage.sh with
#                    BUDGET=SECONDS; its stage folder exported into $OUT,
#                    also when the budget ran out)
#   image|feature:SECONDS  a quick preset (mmseg_synaug/benchmark/presets.py),
#                    the same way
#   probe:SECONDS    training speed of the GPU baseline, the GPU pix2pixHD
#                    and the GPU feature generator alone on the device
#                    (benchmark_train.py, 60 iterations, the first 10
#                    dropped), into ROOT/speed.md; the feature generator
#                    only once stage a's baseline exists
#   concurrency:SECONDS  the GPU baseline trained by 1, 2, 4 and 6
#                    processes at once (benchmark_train.py --concurrency,
#                    60 iterations, the first 10 dropped): iterations per
#                    second of all against one alone, into ROOT/speed.md
#                    (the presets' --parallel)
#
# Usage (from the repository root, with .gpu/ from tools/misc/pack_gpu_kit.sh):
#   OUT=DIR tools/analysis_tools/gpu_benchmark/device_session.sh a:430 probe:100
# Environment: PYTHON (default python3), KIT (default .gpu), ROOT (default
# work_dirs/gpu_benchmark), OUT (required), STAGE_ARGS (more options of
# every stage, e.g. "--seeds 0 1 --write=" ).
# Writes into $OUT: stage_<x>.tar.NNN or preset_<x>.tar.NNN parts
# (staged_benchmark.py import) and
# device_logs.tgz (the stage logs, every run's log and scalars, speed.md).
set -uo pipefail
: "${OUT:?set OUT to the folder that comes back}"
cd "$(dirname "$0")/../../.." || exit 1
if [ $# -eq 0 ]; then
  echo "usage: OUT=DIR device_session.sh STEP:SECONDS ... (e.g. a:560)" >&2
  exit 2
fi
for step in "$@"; do
  if ! [[ $step =~ ^(a|b|c|d|image|feature|probe|concurrency):[1-9][0-9]*$ ]]; then
    echo "device_session.sh: step \`$step\` is not STEP:SECONDS with STEP one" \
      "of a, b, c, d, image, feature, probe, concurrency and SECONDS a whole number" \
      "(e.g. image:540)." >&2
    exit 2
  fi
done
ROOT=${ROOT:-work_dirs/gpu_benchmark}
BENCH=tools/analysis_tools/gpu_benchmark
# shellcheck source=kit_env.sh
source "$BENCH/kit_env.sh" || exit 1
export PYTHON OUT KIT
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
mkdir -p "$OUT" "$ROOT"
rc=0

kit_data() {  # the kit's CamVid (JPEG images), linked into ROOT/work/data
  "$PYTHON" - "$KIT/camvid_jpg" "$ROOT/work/data" <<'EOF'
import sys
from mmseg_synaug.benchmark import bundle
print(bundle.prepare_camvid(sys.argv[1], sys.argv[2]))
EOF
}

concurrency() {
  local seconds=$1 data
  data=$(kit_data) || return 1
  SYNAUG_DATA_ROOT=$data timeout -k 10 "$seconds" "$PYTHON" \
    tools/analysis_tools/benchmark_train.py \
    configs/pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py \
    --iters 60 --warmup 10 --concurrency 1 2 4 6 \
    --write "$ROOT/speed.md" --section gpu-concurrency
}

probe() {
  local seconds=$1 data
  data=$(kit_data) || return 1
  local configs=(configs/pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py
                 configs/pix2pixhd/pix2pixhd_w64-d4-r9_1xb4-3k_camvid-352x480.py)
  local extra=()
  local baseline=$ROOT/stage_a/artifacts/pspnet_baseline.pth
  if [ -f "$baseline" ]; then
    configs+=(configs/feature_synthesis/featgan-s3_pspnet-r18-d8_1xb16-2k_camvid-256x256.py)
    extra=(--cfg-options-for featgan-s3_pspnet-r18-d8_1xb16-2k_camvid-256x256
           model.data_preprocessor.checkpoint="$baseline")
  fi
  SYNAUG_DATA_ROOT=$data timeout -k 10 "$seconds" "$PYTHON" \
    tools/analysis_tools/benchmark_train.py "${configs[@]}" \
    --iters 60 --warmup 10 "${extra[@]}" \
    --write "$ROOT/speed.md" --section gpu-speed
}

for step in "$@"; do
  name=${step%%:*}
  seconds=${step#*:}
  echo "=== $name ($seconds s) at $SECONDS s"
  case $name in
    a|b|c|d|image|feature) # shellcheck disable=SC2086
      BUDGET=$seconds "$BENCH/run_stage.sh" "$name" --root "$ROOT" \
        ${STAGE_ARGS:-} || rc=1 ;;
    probe) probe "$seconds" || rc=1 ;;
    concurrency) concurrency "$seconds" || rc=1 ;;
  esac
done
echo "=== logs at $SECONDS s"
tar czf "$OUT/device_logs.tgz" --ignore-failed-read \
  $(cd "$ROOT" 2>/dev/null && find . -name '*.log' -o -name 'scalars.json' \
      -o -name 'speed.md' -o -name 'summary.json' -o -name '*.log.*' |
    sed "s|^\.|$ROOT|") 2>/dev/null
ls -la "$OUT"
exit "$rc"
