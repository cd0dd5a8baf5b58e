# GPU-scale feature-level synthetic augmentation (He, Schiele and Fritz):
# pspnet-finetune_r18-d8_1xb16-1k_camvid-352x480.py with synthetic stage-3
# features (stage_index 2: 256 channels at 1/8) of the GPU feature
# generator added to each batch, 30% of all samples, label smoothing and
# online hard negative mining; the generator runs under the same autocast.
#   python tools/train.py THIS_CONFIG --cfg-options load_from=PSPNET_D8.pth \
#       model.synthesizer.generator_checkpoint=FEATGAN_D8.pth
_base_ = ['./pspnet-finetune_r18-d8_1xb16-1k_camvid-352x480.py']
generator_config = '{{fileDirname}}/featgan-s3_pspnet-r18-d8_1xb16-2k_camvid-256x256.py'  # noqa
generator_checkpoint = 'work_dirs/featgan-s3_pspnet-r18-d8_1xb16-2k_camvid-256x256/iter_2000.pth'  # noqa
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
        ohnm_pool_size=64,
        ohnm_topk=16),
    synthetic_loss=dict(
        type='LabelSmoothingLoss',
        epsilon=0.1,
        avg_non_ignore=True,
        loss_name='loss_synthetic'))
custom_hooks = [dict(type='FeatureSynthesisHook')]
