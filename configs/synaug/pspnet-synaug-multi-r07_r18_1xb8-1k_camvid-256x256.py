# Ablation: synthetic share 0.7 instead of 0.5.
_base_ = ['../pspnet_synaug_camvid.py']
train_dataloader = dict(dataset=dict(synthetic_ratio=0.7))
