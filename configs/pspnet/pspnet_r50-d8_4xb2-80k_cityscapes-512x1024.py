# Full-scale PSPNet baseline on Cityscapes: mmseg's own config, evaluated with
# SegMetric (adds pixel/class accuracy, frequency-weighted and per-class IoU).
_base_ = ['mmseg::pspnet/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py']
custom_imports = dict(imports=['mmseg_synaug'], allow_failed_imports=False)
val_evaluator = dict(type='SegMetric')
test_evaluator = val_evaluator
