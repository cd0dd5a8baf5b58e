# Ablation of pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py: no online hard
# negative mining (layouts from the training masks only).
_base_ = ['./pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py']
model = dict(synthesizer=dict(ohnm_interval=0))
