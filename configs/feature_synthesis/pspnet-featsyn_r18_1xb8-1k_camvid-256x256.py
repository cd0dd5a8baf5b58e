# Feature-level synthetic augmentation (He, Schiele and Fritz): fine-tune the
# trained CPU PSPNet-R18 on CamVid with synthetic stage-3 features (stage_index
# 2) of a trained feature generator added to each batch, 30% of all samples;
# the layers after stage 3 see them, with label smoothing; online hard
# negative mining brings the hardest layouts back. Same schedule as
# pspnet-finetune_r18_1xb8-1k_camvid-256x256.py.
#   python tools/train.py THIS_CONFIG --cfg-options load_from=PSPNET.pth \
#       model.synthesizer.generator_checkpoint=FEATGAN.pth
_base_ = ['./pspnet-finetune_r18_1xb8-1k_camvid-256x256.py']
generator_config = '{{fileDirname}}/featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128.py'  # noqa
generator_checkpoint = 'work_dirs/featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128/iter_2000.pth'  # noqa
model = dict(
    type='FeatureSynthesisEncoderDecoder',
    stage_index=2,
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
