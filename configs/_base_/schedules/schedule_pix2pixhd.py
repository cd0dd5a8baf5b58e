# GAN schedule of pix2pixHD (Wang et al., CVPR 2018): Adam, lr 2e-4, betas
# (0.5, 0.999) for both the generator and the discriminators, constant for
# the first half of training, then decayed linearly to 0 over the second
# half (LinearDecayLR: its end is train_cfg.max_iters, so overriding
# max_iters keeps that shape); iteration-based, no validation loop.
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
    discriminator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))))
# One list: mmengine builds it for each optimizer of the wrapper dict.
param_scheduler = [
    dict(
        type='LinearDecayLR', decay_start=0.5, end_factor=0.0, by_epoch=False)
]
train_cfg = dict(type='FastResumeIterBasedTrainLoop', max_iters=2000)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=500, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'))
custom_hooks = [dict(type='GeneratorGridHook', interval=100, max_samples=2)]
