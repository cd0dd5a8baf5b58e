#!/usr/bin/env bash
# Benchmark adversarial training (issue 6) against the plain segmentor on
# CamVid: the CPU-scale PSPNet-R18 with and without the adversarial term,
# the same iterations and seeds, evaluated on CamVid val (101 images) at the
# end of training, then summarised (mIoU, mAcc, per-class IoU, s/iter and
# the overhead ratio) into $WORK/summary.md.
#
# Usage (from the repository root):
#   ITERS=200 SEEDS="0 1" tools/analysis_tools/benchmark_adversarial.sh
# Environment: PYTHON (default python), ITERS (default 200), SEEDS
# (default "0 1"), WORK (default work_dirs/benchmark_adversarial), EXTRA
# (more --cfg-options for every run, e.g. for a smoke test).
# The runs are sequential, so that their timings are comparable.
set -euo pipefail
PYTHON=${PYTHON:-python}
ITERS=${ITERS:-200}
SEEDS=${SEEDS:-"0 1"}
WORK=${WORK:-work_dirs/benchmark_adversarial}
PLAIN=configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py
ADV=configs/adversarial/adv-pspnet_r18_1xb8-1k_camvid-256x256.py
mkdir -p "$WORK"

for seed in $SEEDS; do
  for variant in plain adv; do
    if [ "$variant" = plain ]; then cfg=$PLAIN; else cfg=$ADV; fi
    run=$WORK/$variant-seed$seed
    echo "[$(date -u +%FT%TZ)] $variant seed $seed: $(uptime)" | tee -a "$WORK/progress.log"
    "$PYTHON" tools/train.py "$cfg" --work-dir "$run" --cfg-options \
      randomness.seed="$seed" \
      train_cfg.max_iters="$ITERS" train_cfg.val_interval="$ITERS" \
      param_scheduler.0.end="$ITERS" \
      default_hooks.checkpoint.interval="$ITERS" \
      default_hooks.logger.interval=10 ${EXTRA:-} \
      > "$run.log" 2>&1
    echo "[$(date -u +%FT%TZ)] done: $(uptime)" | tee -a "$WORK/progress.log"
  done
done
"$PYTHON" tools/analysis_tools/summarize_adversarial_benchmark.py "$WORK" \
  | tee "$WORK/summary.md"
