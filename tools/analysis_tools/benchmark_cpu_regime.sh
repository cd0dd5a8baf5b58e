#!/usr/bin/env bash
# The methods measured in the CPU regime (configs/fast_scnn/): Fast-SCNN from
# scratch on CamVid at full resolution, 2000 iterations, on the 2-core CPU:
#   1. the copy-paste set: CamVid train's label maps recomposed ('multi'),
#      the real pixels of the pasted segments (SYNTHETIC/camvid_multi_copypaste);
#   2. the baseline and the copy-paste mix (half of each epoch), SEEDS, two
#      runs side by side with one thread each, validated every 500
#      iterations (the curve), a checkpoint every 500 (resumable);
#   3. FreeMask's loss filtering of the copy-paste set by the seed-0
#      baseline (margin 1.25);
#   4. the regime's generator (pix2pixHD, GEN_ITERS iterations on 128x128
#      crops at the native scale), the same recomposed label maps rendered
#      by it (SYNTHETIC/camvid_multi), its synthesis-quality score with the
#      seed-0 baseline (WORK/synthesis_score.json), and that set filtered
#      as the copy-paste one;
#   5. the copy-paste set filtered boundary-aware as well (--boundary-aware:
#      pixels within 3 px of a class boundary against their class's real
#      loss in that band, the others against the loss inside);
#   6. the five mixes (copy-paste unfiltered, filtered and filtered
#      boundary-aware; generated unfiltered and filtered) and Hung et al.'s
#      adversarial training (configs/adversarial/fast_scnn-adv-hung_*)
#      against the baseline: one table into BENCHMARKS.md (section
#      cpu-regime; every table's validation curves are drawn to
#      WORK/curves_<section>.png);
#   7. the two-phase schedule (FreeMask, Liu et al.): half the iterations on
#      the copy-paste set only, then half on real CamVid from each seed's
#      phase-1 checkpoint, at the regime's lr and at a tenth of it
#      (WORK/two_phase; sections cpu-regime-pretrain and
#      cpu-regime-two-phase);
#   8. FreeMask's hardness-aware re-sampling: the copy-paste set rendered
#      again, RESAMPLE_NUM samples spread over the label maps by how hard
#      the seed-0 baseline finds their classes (RENDERINGS per map, by
#      rank; SYNTHETIC/camvid_multi_copypaste_resampled), its mix, and
#      the same set filtered as in step 3; then both steps of FreeMask on
#      generated images: the maps the same allocation chooses rendered by
#      the regime's generator (SYNTHETIC/camvid_multi_resampled), filtered
#      as in step 4, and their mix, beside the baseline (section
#      cpu-regime-resampled);
#   9. feature-level synthesis (He, Schiele and Fritz): for each seed a
#      feature generator on that seed's baseline's stage 0 (FEATGAN_ITERS;
#      WORK/featgan-s0_fast-scnn-seedS), its PSPNet-score
#      (WORK/feature_score_seedS.json), and the seed's baseline fine-tuned
#      ITERS/2 more iterations with and without synthetic features from
#      its own generator (WORK/feature_perseed; section
#      cpu-regime-feature-perseed);
#  10. the quarter-label regime (92 of CamVid train's 367 images,
#      configs/_base_/datasets/splits/camvid_train_quarter.txt): copy-paste
#      and generated sets recomposed from those 92 only, the generator
#      trained on them (WORK/pix2pixhd_w32-d3-r6_quarter), its synthesis
#      score with the quarter baseline (WORK/synthesis_score_quarter.json),
#      and the baseline, copy-paste and generated mixes on the 92: a second
#      table (section cpu-regime-quarter).
# Every step is skipped (or resumed) when its result exists: an interrupted
# benchmark continues with the same command.
#
# Usage (from the repository root):
#   tools/analysis_tools/benchmark_cpu_regime.sh
# Environment: PYTHON (default .venv/bin/python), ITERS (default 2000),
# GEN_ITERS (generator, default 2500), SCORE_NUM (val images of the
# synthesis score, default all), SEEDS (default "0 1 2": the same seed moves
# by up to 1.2 mIoU between two trainings, so a difference of 1 mIoU needs
# three), WORK (default work_dirs/cpu_regime), SYNTHETIC
# (default work_dirs/synthetic/cpu_regime, where the regime's synaug configs
# look), NUM (copy-paste samples, default 367), NUM_REAL (real images for
# the filter's class losses, default all), RESAMPLE_NUM (re-sampled
# copy-paste samples, default 2 x NUM: at share 0.5 the mix uses the first
# NUM), RENDERINGS (per map, default "1 20" as FreeMask), FEATGAN_ITERS
# (each seed's feature generator, default 800: about 2.2 s/iter on one thread with
# the other core busy, 30 minutes), SCORE_BATCHES (batches of val patches
# of the PSPNet-score, default all), WRITE (default BENCHMARKS.md;
# empty: print only), EXTRA (more --cfg-options for every run, e.g. a
# smaller val set in tests).
set -euo pipefail
PYTHON=${PYTHON:-.venv/bin/python}
ITERS=${ITERS:-2000}
SEEDS=${SEEDS:-"0 1 2"}
WORK=${WORK:-work_dirs/cpu_regime}
SYNTHETIC=${SYNTHETIC:-work_dirs/synthetic/cpu_regime}
NUM=${NUM:-367}
WRITE=${WRITE-BENCHMARKS.md}
BASELINE=configs/fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py
COPYPASTE=configs/synaug/fast_scnn-copypaste-multi_1xb8-2k_camvid-256x352.py
FILTERED=configs/synaug/fast_scnn-copypaste-multi-filtered_1xb8-2k_camvid-256x352.py
FILTERED_B3=configs/synaug/fast_scnn-copypaste-multi-filtered-b3_1xb8-2k_camvid-256x352.py
SET=$SYNTHETIC/camvid_multi_copypaste
SEED0=$WORK/fast_scnn_1xb8-2k_camvid-256x352/seed0/iter_$ITERS.pth
GEN_ITERS=${GEN_ITERS:-2500}
GEN_CONFIG=configs/pix2pixhd/pix2pixhd_w32-d3-r6_1xb4-2.5k_camvid-128x128.py
GEN=$WORK/pix2pixhd_w32-d3-r6/iter_$GEN_ITERS.pth
GENERATED=$SYNTHETIC/camvid_multi
SYNAUG=configs/synaug/fast_scnn-synaug-multi_1xb8-2k_camvid-256x352.py
SYNAUG_FILTERED=configs/synaug/fast_scnn-synaug-multi-filtered_1xb8-2k_camvid-256x352.py
DATA=configs/_base_/datasets/camvid.py
ADVERSARIAL=configs/adversarial/fast_scnn-adv-hung_1xb8-2k_camvid-256x352.py
ROOT=train_dataloader.dataset.synthetic.data_root
export OMP_NUM_THREADS=1

"$PYTHON" tools/synthesize.py none none "$DATA" \
  --mode multi --copy-paste --num "$NUM" --seed 0 --out "$SET"

compare_in() {  # WORK_ROOT ITERS CONFIG ... [OPTIONS]
  local root=$1 iters=$2
  shift 2
  "$PYTHON" tools/analysis_tools/compare_configs.py "$@" \
    --iters "$iters" --seeds $SEEDS --parallel 2 --checkpoint-interval 500 \
    --work-root "$root" --cfg-options train_cfg.val_interval=500 ${EXTRA:-} \
    --rare Pole SignSymbol Fence Pedestrian Bicyclist --curve
}
compare() { compare_in "$WORK" "$ITERS" "$@"; }
compare "$BASELINE" "$COPYPASTE" \
  --cfg-options-for fast_scnn-copypaste-multi_1xb8-2k_camvid-256x352 "$ROOT=$SET"
filter_set() {
  OMP_NUM_THREADS=2 "$PYTHON" tools/filter_synthetic.py "$BASELINE" "$SEED0" \
    "$@" --margin 1.25 ${NUM_REAL:+--num-real $NUM_REAL}
}
filter_set "$SET"

if [ ! -f "$GEN" ]; then
  OMP_NUM_THREADS=2 "$PYTHON" tools/train.py "$GEN_CONFIG" \
    --work-dir "$WORK/pix2pixhd_w32-d3-r6" --resume-or-start \
    --cfg-options randomness.seed=0 train_cfg.max_iters="$GEN_ITERS"
fi
OMP_NUM_THREADS=2 "$PYTHON" tools/synthesize.py "$GEN_CONFIG" "$GEN" "$DATA" \
  --mode multi --num "$NUM" --seed 0 --out "$GENERATED"
if [ ! -f "$WORK/synthesis_score.json" ]; then
  OMP_NUM_THREADS=2 "$PYTHON" tools/analysis_tools/synthesis_score.py \
    "$GEN_CONFIG" "$GEN" "$BASELINE" "$SEED0" ${SCORE_NUM:+--num $SCORE_NUM} \
    --out "$WORK/synthesis_score.json"
fi
filter_set "$GENERATED"
filter_set "$SET" --boundary-aware

compare "$BASELINE" "$COPYPASTE" "$FILTERED" "$FILTERED_B3" \
  "$SYNAUG" "$SYNAUG_FILTERED" "$ADVERSARIAL" \
  --cfg-options-for fast_scnn-copypaste-multi_1xb8-2k_camvid-256x352 "$ROOT=$SET" \
  --cfg-options-for fast_scnn-copypaste-multi-filtered_1xb8-2k_camvid-256x352 "$ROOT=$SET" \
  --cfg-options-for fast_scnn-copypaste-multi-filtered-b3_1xb8-2k_camvid-256x352 "$ROOT=$SET" \
  --cfg-options-for fast_scnn-synaug-multi_1xb8-2k_camvid-256x352 "$ROOT=$GENERATED" \
  --cfg-options-for fast_scnn-synaug-multi-filtered_1xb8-2k_camvid-256x352 "$ROOT=$GENERATED" \
  ${WRITE:+--write "$WRITE" --section cpu-regime} \
  --curve-plot "$WORK/curves_cpu-regime.png"

TWO=$WORK/two_phase
HALF=$((ITERS / 2))
PRETRAIN=fast_scnn-copypaste-multi-pretrain_1xb8-1k_camvid-256x352
FINETUNE=fast_scnn-copypaste-multi-finetune_1xb8-1k_camvid-256x352
compare_in "$TWO" "$HALF" "configs/synaug/$PRETRAIN.py" \
  --cfg-options-for "$PRETRAIN" "$ROOT=$SET" \
  ${WRITE:+--write "$WRITE" --section cpu-regime-pretrain} \
  --curve-plot "$WORK/curves_cpu-regime-pretrain.png"
FINETUNE_LR01=fast_scnn-copypaste-multi-finetune-lr01_1xb8-1k_camvid-256x352
compare_in "$TWO" "$HALF" "configs/synaug/$FINETUNE.py" \
  "configs/synaug/$FINETUNE_LR01.py" \
  --cfg-options-for "$FINETUNE" \
  "load_from=$TWO/$PRETRAIN/seed{seed}/iter_$HALF.pth" \
  --cfg-options-for "$FINETUNE_LR01" \
  "load_from=$TWO/$PRETRAIN/seed{seed}/iter_$HALF.pth" \
  ${WRITE:+--write "$WRITE" --section cpu-regime-two-phase} \
  --curve-plot "$WORK/curves_cpu-regime-two-phase.png"

RESAMPLED=fast_scnn-copypaste-multi-resampled_1xb8-2k_camvid-256x352
RES_SET=$SYNTHETIC/camvid_multi_copypaste_resampled
RESAMPLE_NUM=${RESAMPLE_NUM:-$((2 * NUM))}
RENDERINGS=${RENDERINGS:-1 20}
"$PYTHON" tools/synthesize.py none none "$DATA" \
  --mode multi --copy-paste --num "$RESAMPLE_NUM" --seed 0 \
  --out "$RES_SET" --resample-config "$BASELINE" --resample-checkpoint "$SEED0" \
  --renderings-per-map $RENDERINGS
filter_set "$RES_SET"
GEN_RES_SET=$SYNTHETIC/camvid_multi_resampled
OMP_NUM_THREADS=2 "$PYTHON" tools/synthesize.py "$GEN_CONFIG" "$GEN" "$DATA" \
  --mode multi --num "$RESAMPLE_NUM" --seed 0 \
  --out "$GEN_RES_SET" --resample-config "$BASELINE" --resample-checkpoint "$SEED0" \
  --renderings-per-map $RENDERINGS
filter_set "$GEN_RES_SET"
RES_FILTERED=fast_scnn-copypaste-multi-resampled-filtered_1xb8-2k_camvid-256x352
GEN_RES_FILTERED=fast_scnn-synaug-multi-resampled-filtered_1xb8-2k_camvid-256x352
compare "$BASELINE" "configs/synaug/$RESAMPLED.py" \
  "configs/synaug/$RES_FILTERED.py" "configs/synaug/$GEN_RES_FILTERED.py" \
  --cfg-options-for "$RESAMPLED" "$ROOT=$RES_SET" \
  --cfg-options-for "$RES_FILTERED" "$ROOT=$RES_SET" \
  --cfg-options-for "$GEN_RES_FILTERED" "$ROOT=$GEN_RES_SET" \
  ${WRITE:+--write "$WRITE" --section cpu-regime-resampled} \
  --curve-plot "$WORK/curves_cpu-regime-resampled.png"

FEATGAN=configs/feature_synthesis/featgan-s0_fast-scnn_1xb8-2k_camvid-128x128.py
FEATGAN_ITERS=${FEATGAN_ITERS:-800}
# One generator per seed, on that seed's baseline: a generator's features
# are those of the backbone it was trained on, and another seed's backbone
# reads them as noise (PSPNet-score 5-8 mIoU against 20 on its own).
for seed in $SEEDS; do
  segmentor=model.data_preprocessor.checkpoint=$WORK/fast_scnn_1xb8-2k_camvid-256x352/seed$seed/iter_$ITERS.pth
  if [ ! -f "$WORK/featgan-s0_fast-scnn-seed$seed/iter_$FEATGAN_ITERS.pth" ]; then
    OMP_NUM_THREADS=2 "$PYTHON" tools/train.py "$FEATGAN" \
      --work-dir "$WORK/featgan-s0_fast-scnn-seed$seed" --resume-or-start \
      --cfg-options randomness.seed=$seed train_cfg.max_iters="$FEATGAN_ITERS" \
      "$segmentor"
  fi
  if [ ! -f "$WORK/feature_score_seed$seed.json" ]; then
    OMP_NUM_THREADS=2 "$PYTHON" tools/analysis_tools/feature_score.py \
      "$FEATGAN" "$WORK/featgan-s0_fast-scnn-seed$seed/iter_$FEATGAN_ITERS.pth" \
      ${SCORE_BATCHES:+--num-batches $SCORE_BATCHES} \
      --out "$WORK/feature_score_seed$seed.json" --cfg-options "$segmentor"
  fi
done
PLAIN=fast_scnn-finetune_1xb8-1k_camvid-256x352
FEATSYN=fast_scnn-featsyn_1xb8-1k_camvid-256x352
FROM="load_from=$WORK/fast_scnn_1xb8-2k_camvid-256x352/seed{seed}/iter_$ITERS.pth"
compare_in "$WORK/feature_perseed" "$HALF" "configs/feature_synthesis/$PLAIN.py" \
  "configs/feature_synthesis/$FEATSYN.py" --cfg-options-for "$PLAIN" "$FROM" \
  --cfg-options-for "$FEATSYN" "$FROM" \
  "model.synthesizer.generator_checkpoint=$WORK/featgan-s0_fast-scnn-seed{seed}/iter_$FEATGAN_ITERS.pth" \
  ${WRITE:+--write "$WRITE" --section cpu-regime-feature-perseed} \
  --curve-plot "$WORK/curves_cpu-regime-feature-perseed.png"

Q_BASELINE=configs/fast_scnn/fast_scnn_1xb8-2k_camvid-quarter-256x352.py
Q_COPYPASTE=configs/synaug/fast_scnn-copypaste-multi_1xb8-2k_camvid-quarter-256x352.py
Q_SYNAUG=configs/synaug/fast_scnn-synaug-multi_1xb8-2k_camvid-quarter-256x352.py
Q_GEN_CONFIG=configs/pix2pixhd/pix2pixhd_w32-d3-r6_1xb4-2.5k_camvid-quarter-128x128.py
Q_GEN=$WORK/pix2pixhd_w32-d3-r6_quarter/iter_$GEN_ITERS.pth
Q_SET=$SYNTHETIC/camvid_quarter_multi_copypaste
Q_GENERATED=$SYNTHETIC/camvid_quarter_multi
"$PYTHON" tools/synthesize.py none none "$Q_BASELINE" \
  --mode multi --copy-paste --num "$NUM" --seed 0 --out "$Q_SET"
if [ ! -f "$Q_GEN" ]; then
  OMP_NUM_THREADS=2 "$PYTHON" tools/train.py "$Q_GEN_CONFIG" \
    --work-dir "$WORK/pix2pixhd_w32-d3-r6_quarter" --resume-or-start \
    --cfg-options randomness.seed=0 train_cfg.max_iters="$GEN_ITERS"
fi
OMP_NUM_THREADS=2 "$PYTHON" tools/synthesize.py "$Q_GEN_CONFIG" "$Q_GEN" \
  "$Q_BASELINE" --mode multi --num "$NUM" --seed 0 --out "$Q_GENERATED"
compare "$Q_BASELINE" "$Q_COPYPASTE" "$Q_SYNAUG" \
  --cfg-options-for fast_scnn-copypaste-multi_1xb8-2k_camvid-quarter-256x352 "$ROOT=$Q_SET" \
  --cfg-options-for fast_scnn-synaug-multi_1xb8-2k_camvid-quarter-256x352 "$ROOT=$Q_GENERATED" \
  ${WRITE:+--write "$WRITE" --section cpu-regime-quarter} \
  --curve-plot "$WORK/curves_cpu-regime-quarter.png"
if [ ! -f "$WORK/synthesis_score_quarter.json" ]; then
  OMP_NUM_THREADS=2 "$PYTHON" tools/analysis_tools/synthesis_score.py \
    "$Q_GEN_CONFIG" "$Q_GEN" "$Q_BASELINE" \
    "$WORK/fast_scnn_1xb8-2k_camvid-quarter-256x352/seed0/iter_$ITERS.pth" \
    ${SCORE_NUM:+--num $SCORE_NUM} --out "$WORK/synthesis_score_quarter.json"
fi
