# Ablation: the same U-Net from the image alone (no coarse map input,
# 3 input channels): the report's "U-Net from the image alone" baseline.
# The coarse map is still loaded, for the reference scores of the metric.
_base_ = ['./coarse-to-fine_unet-s5-d16_1xb4-0.4k_fasseg-256x256.py']
model = dict(image_only=True)
