# Ablation: plain (unweighted) cross-entropy instead of the inverse class
# frequency weighting (power 0 gives every class weight 1).
_base_ = ['./coarse-to-fine_unet-s5-d16_1xb4-0.4k_fasseg-256x256.py']
model = dict(decode_head=dict(loss_decode=dict(power=0.0)))
