# Ablation for the discriminator experiment: the plain refiner trained on
# the fine maps of half the training images only (the first 10 of the
# sorted list); the other 10 are left out. Compare with
# coarse-to-fine-disc-half-fine_*, which also trains on those 10 through
# their coarse maps only.
_base_ = ['./coarse-to-fine_unet-s5-d16_1xb4-0.4k_fasseg-256x256.py']
train_dataloader = dict(dataset=dict(indices=list(range(10))))
