# Ablation: synthetic share 0.5 ('multi' recomposition), i.e. the entry
# point configs/pspnet_synaug_camvid.py under the ablation naming.
_base_ = ['../pspnet_synaug_camvid.py']
