# Ablation of pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py: synthetic share
# 0.1 instead of 0.3.
_base_ = ['./pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py']
model = dict(synthesizer=dict(synthetic_share=0.1))
