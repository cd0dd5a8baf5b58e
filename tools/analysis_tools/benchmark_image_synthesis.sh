#!/usr/bin/env bash
# Benchmark image-level synthetic augmentation (Liu et al.) on CamVid at CPU
# scale:
#   1. train the CPU-scale pix2pixHD on CamVid train;
#   2. write NUM 'multi'-recomposed label maps rendered by it
#      (SYNTHETIC/camvid_multi) and the same label maps with real pixels
#      pasted (the copy-paste baseline, SYNTHETIC/camvid_multi_copypaste);
#   3. train PSPNet-R18 on real CamVid only, on real + 50% synthetic, and on
#      real + 50% copy-paste (same iterations, seeds, crops), evaluated on
#      CamVid val, tabulated by compare_configs.py into BENCHMARKS.md
#      (section image-synthesis).
# Every step is skipped (or resumed) when its result exists.
#
# Usage (from the repository root):
#   tools/analysis_tools/benchmark_image_synthesis.sh
# Environment: PYTHON (default .venv/bin/python), GEN_ITERS (default 2000),
# NUM (synthetic samples, default 184), ITERS (segmentor, default 300),
# SEEDS (default "0 1"), CROP (default 256), WORK (default
# work_dirs/benchmark_synaug), SYNTHETIC (default work_dirs/synthetic, where
# the synaug configs look), WRITE (default BENCHMARKS.md; empty: print
# only), EXTRA (more --cfg-options for every segmentor run, e.g. a smaller
# val set in tests).
set -euo pipefail
PYTHON=${PYTHON:-.venv/bin/python}
GEN_ITERS=${GEN_ITERS:-2000}
NUM=${NUM:-184}
ITERS=${ITERS:-300}
SEEDS=${SEEDS:-"0 1"}
CROP=${CROP:-256}
WORK=${WORK:-work_dirs/benchmark_synaug}
SYNTHETIC=${SYNTHETIC:-work_dirs/synthetic}
WRITE=${WRITE-BENCHMARKS.md}
GEN_CONFIG=configs/pix2pixhd/pix2pixhd_w16-d3-r3_1xb2-2k_camvid-128x128.py
GEN=$WORK/pix2pixhd/iter_$GEN_ITERS.pth
DATA=configs/_base_/datasets/camvid.py
mkdir -p "$WORK"

if [ ! -f "$GEN" ]; then
  "$PYTHON" tools/train.py "$GEN_CONFIG" --work-dir "$WORK/pix2pixhd" \
    --resume-or-start --cfg-options randomness.seed=0 train_cfg.max_iters="$GEN_ITERS" \
    default_hooks.checkpoint.interval="$GEN_ITERS"
fi
"$PYTHON" tools/synthesize.py "$GEN_CONFIG" "$GEN" "$DATA" --mode multi \
  --num "$NUM" --seed 0 --out "$SYNTHETIC/camvid_multi"
"$PYTHON" tools/synthesize.py none none "$DATA" --mode multi --copy-paste \
  --num "$NUM" --seed 0 --out "$SYNTHETIC/camvid_multi_copypaste"

MIX=train_dataloader.dataset
CROPS=("$MIX.real.pipeline.3.crop_size=($CROP,$CROP)"
       "$MIX.synthetic.pipeline.3.crop_size=($CROP,$CROP)")
"$PYTHON" tools/analysis_tools/compare_configs.py \
  configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py \
  configs/synaug/pspnet-synaug-multi-r05_r18_1xb8-1k_camvid-256x256.py \
  configs/synaug/pspnet-copypaste-multi_r18_1xb8-1k_camvid-256x256.py \
  --iters "$ITERS" --seeds $SEEDS --work-root "$WORK/segmentors" \
  --rare Pole SignSymbol Fence Pedestrian Bicyclist \
  --cfg-options "model.data_preprocessor.size=($CROP,$CROP)" ${EXTRA:-} \
  --cfg-options-for pspnet_r18_1xb8-1k_camvid-256x256 \
  "train_dataloader.dataset.pipeline.3.crop_size=($CROP,$CROP)" \
  --cfg-options-for pspnet-synaug-multi-r05_r18_1xb8-1k_camvid-256x256 \
  "${CROPS[@]}" "$MIX.synthetic.data_root=$SYNTHETIC/camvid_multi" \
  --cfg-options-for pspnet-copypaste-multi_r18_1xb8-1k_camvid-256x256 \
  "${CROPS[@]}" "$MIX.synthetic.data_root=$SYNTHETIC/camvid_multi_copypaste" \
  ${WRITE:+--write "$WRITE" --section image-synthesis}
