# Ablation: no coarse skip; the U-Net must learn to reproduce the coarse map
# from its one-hot input channels instead of starting from it.
_base_ = ['./coarse-to-fine_unet-s5-d16_1xb4-0.4k_fasseg-256x256.py']
model = dict(coarse_skip=None)
