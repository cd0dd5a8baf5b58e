# Ablation: the baseline, real CamVid only (synthetic share 0).
_base_ = ['../pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py']
