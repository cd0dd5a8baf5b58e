# Ablation of pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py: synthetic share 0.5 instead of 0.3.
_base_ = ['./pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py']
custom_hooks = [
    dict(
        type='FeatureSynthesisHook',
        generator={{_base_.generator_config}},
        generator_checkpoint={{_base_.generator_checkpoint}},
        synthetic_share=0.5,
        mask_sources=[dict(type='batch')],
        ohnm_interval=50,
        ohnm_pool_size=32,
        ohnm_topk=8)
]
