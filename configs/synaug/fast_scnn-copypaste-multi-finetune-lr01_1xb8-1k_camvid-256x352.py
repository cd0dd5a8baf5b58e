# Two-phase schedule, phase 2 at a fine-tuning learning rate: as
# fast_scnn-copypaste-multi-finetune_1xb8-1k_camvid-256x352.py (real CamVid
# only, 1000 iterations from phase 1's weights) with the poly schedule
# starting at a tenth of the regime's lr (0.005 instead of 0.05), so that
# phase 2 refines phase 1 instead of relearning it (at lr 0.05 the
# segmentor fell from 55.0 to 49.8 mIoU in phase 2's first 500
# iterations; BENCHMARKS.md, "CPU regime: the two-phase schedule").
_base_ = ['./fast_scnn-copypaste-multi-finetune_1xb8-1k_camvid-256x352.py']
optim_wrapper = dict(optimizer=dict(lr=0.005))
