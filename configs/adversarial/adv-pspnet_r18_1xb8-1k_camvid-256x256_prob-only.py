# Ablation: a probability-only discriminator (Hung et al., 2018) that sees the
# label map without the image.
_base_ = ['./adv-pspnet_r18_1xb8-1k_camvid-256x256.py']
model = dict(discriminator=dict(with_image=False))
