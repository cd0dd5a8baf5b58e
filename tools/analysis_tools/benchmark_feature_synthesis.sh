#!/usr/bin/env bash
# Benchmark feature-level synthetic augmentation (He, Schiele and Fritz) on
# CamVid at CPU scale, from a trained PSPNet-R18:
#   1. train the stage-3 feature generator (FeatureBicycleGAN) on the frozen
#      segmentor's features of random training patches;
#   2. PSPNet-score of real and synthetic features on CamVid val patches;
#   3. fine-tune the segmentor with and without FeatureSynthesisHook (same
#      iterations, seeds, crops), evaluated on CamVid val, tabulated by
#      compare_configs.py into BENCHMARKS.md (section feature-synthesis),
#      with the hook's time per iteration as a ratio to plain fine-tuning.
# Every step is skipped when its result exists, so a rerun resumes.
#
# Usage (from the repository root):
#   PSPNET=path/to/pspnet.pth tools/analysis_tools/benchmark_feature_synthesis.sh
# Environment: PYTHON (default .venv/bin/python), PSPNET (required: a
# checkpoint of configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py),
# GEN_ITERS (default 1000), ITERS (fine-tuning, default 200), SEEDS (default
# "0 1"), CROP (default 256), WORK (default work_dirs/benchmark_featsyn),
# WRITE (default BENCHMARKS.md; empty: print only), EXTRA (more
# --cfg-options for every segmentor run, e.g. a smaller val set in tests).
set -euo pipefail
PYTHON=${PYTHON:-.venv/bin/python}
: "${PSPNET:?set PSPNET to a trained pspnet_r18_1xb8-1k_camvid-256x256 checkpoint}"
GEN_ITERS=${GEN_ITERS:-1000}
ITERS=${ITERS:-200}
SEEDS=${SEEDS:-"0 1"}
CROP=${CROP:-256}
WORK=${WORK:-work_dirs/benchmark_featsyn}
WRITE=${WRITE-BENCHMARKS.md}
DIR=configs/feature_synthesis
GEN_CONFIG=$DIR/featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128.py
FEATGAN=$WORK/featgan/iter_$GEN_ITERS.pth
mkdir -p "$WORK"

if [ ! -f "$FEATGAN" ]; then
  "$PYTHON" tools/train.py "$GEN_CONFIG" \
    --work-dir "$WORK/featgan" --resume-or-start --cfg-options \
    model.data_preprocessor.checkpoint="$PSPNET" randomness.seed=0 \
    train_cfg.max_iters="$GEN_ITERS" \
    default_hooks.checkpoint.interval="$GEN_ITERS"
fi

if [ ! -f "$WORK/feature_score.json" ]; then
  "$PYTHON" tools/analysis_tools/feature_score.py "$GEN_CONFIG" "$FEATGAN" \
    --out "$WORK/feature_score.json" \
    --cfg-options model.data_preprocessor.checkpoint="$PSPNET"
fi

"$PYTHON" tools/analysis_tools/compare_configs.py \
  $DIR/pspnet-finetune_r18_1xb8-1k_camvid-256x256.py \
  $DIR/pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py \
  --iters "$ITERS" --seeds $SEEDS --work-root "$WORK/finetune" \
  --rare Pole SignSymbol Fence Pedestrian Bicyclist \
  --cfg-options load_from="$PSPNET" \
  "train_dataloader.dataset.pipeline.3.crop_size=($CROP,$CROP)" \
  "model.data_preprocessor.size=($CROP,$CROP)" ${EXTRA:-} \
  --cfg-options-for pspnet-featsyn_r18_1xb8-1k_camvid-256x256 \
  model.synthesizer.generator_checkpoint="$FEATGAN" \
  ${WRITE:+--write "$WRITE" --section feature-synthesis}
