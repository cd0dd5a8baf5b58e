# Ablation of pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py: no online hard negative mining (layouts from the training masks only).
_base_ = ['./pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py']
custom_hooks = [
    dict(
        type='FeatureSynthesisHook',
        generator={{_base_.generator_config}},
        generator_checkpoint={{_base_.generator_checkpoint}},
        synthetic_share=0.3,
        mask_sources=[dict(type='batch')],
        ohnm_interval=0,
        ohnm_pool_size=32,
        ohnm_topk=8)
]
