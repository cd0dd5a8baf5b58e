# Ablation of pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py: no label
# smoothing (epsilon 0: plain cross-entropy on the synthetic features).
_base_ = ['./pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py']
model = dict(synthetic_loss=dict(epsilon=0.0))
