# Full-scale counterpart: fine-tune the trained PSPNet-R50-d8 on Cityscapes
# for 20k iterations with synthetic stage-3 features added to each batch,
# 30% of all samples (the paper's conv4 with 70% real / 30% synthetic),
# label smoothing and OHNM.
_base_ = ['../pspnet/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py']
pspnet_checkpoint = 'work_dirs/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024/iter_80000.pth'  # noqa
generator_config = '{{fileDirname}}/featgan-s3_pspnet-r50-d8_4xb4-40k_cityscapes-256x256.py'  # noqa
generator_checkpoint = 'work_dirs/featgan-s3_pspnet-r50-d8_4xb4-40k_cityscapes-256x256/iter_40000.pth'  # noqa
load_from = pspnet_checkpoint
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
        ohnm_interval=100,
        ohnm_pool_size=64,
        ohnm_topk=16),
    synthetic_loss=dict(
        type='LabelSmoothingLoss',
        epsilon=0.1,
        avg_non_ignore=True,
        loss_name='loss_synthetic'))
custom_hooks = [dict(type='FeatureSynthesisHook')]
optim_wrapper = dict(optimizer=dict(lr=0.001))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-5,
        power=0.9,
        begin=0,
        end=20000,
        by_epoch=False)
]
train_cfg = dict(max_iters=20000, val_interval=2000)
default_hooks = dict(checkpoint=dict(interval=2000))
