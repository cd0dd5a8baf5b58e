# Feature-level synthetic augmentation (He, Schiele and Fritz) in the CPU
# regime: fine-tune the trained Fast-SCNN baseline with synthetic stage-0
# features (learning-to-downsample output, 1/8) of a trained feature
# generator (featgan-s0_fast-scnn_1xb8-2k_camvid-128x128.py) added to each
# batch, 30% of all samples; the global feature extractor, the fusion and
# the heads see them, with label smoothing; online hard negative mining
# brings the hardest layouts back. Same schedule as
# fast_scnn-finetune_1xb8-1k_camvid-256x352.py.
#   python tools/train.py THIS_CONFIG --cfg-options load_from=BASELINE.pth \
#       model.synthesizer.generator_checkpoint=FEATGAN.pth
# FEATGAN.pth must be a generator trained on BASELINE.pth's features (its
# model.data_preprocessor.checkpoint): another backbone reads them as noise
# (FeatureSynthesisHook warns).
_base_ = ['./fast_scnn-finetune_1xb8-1k_camvid-256x352.py']
generator_config = '{{fileDirname}}/featgan-s0_fast-scnn_1xb8-2k_camvid-128x128.py'  # noqa
# where tools/analysis_tools/benchmark_cpu_regime.sh trains seed 0's (800
# its), on the seed-0 baseline that load_from names
generator_checkpoint = 'work_dirs/cpu_regime/featgan-s0_fast-scnn-seed0/iter_800.pth'  # noqa
model = dict(
    type='FeatureSynthesisEncoderDecoder',
    stage_index=0,
    synthesizer=dict(
        type='SyntheticFeatureSampler',
        generator=generator_config,
        generator_checkpoint=generator_checkpoint,
        synthetic_share=0.3,
        layout_sampler=dict(
            type='LayoutSampler', sources=[dict(type='BatchMaskSource')]),
        ohnm_interval=50,
        ohnm_pool_size=32,
        ohnm_topk=8),
    synthetic_loss=dict(
        type='LabelSmoothingLoss',
        epsilon=0.1,
        avg_non_ignore=True,
        loss_name='loss_synthetic'))
# Start-up checks (load_from, generator, mask sources) and the OHNM log.
custom_hooks = [dict(type='FeatureSynthesisHook')]
