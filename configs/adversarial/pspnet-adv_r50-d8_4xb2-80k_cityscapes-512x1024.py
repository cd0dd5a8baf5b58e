# Adversarial PSPNet-R50-D8 on Cityscapes on 4 GPUs
# (tools/dist_train.sh THIS 4): mmseg's own 4xb2 schedule, so the same
# global batch of 8, learning rates and 80k iterations as the 1-process
# config (pspnet-adv_r50-d8_1xb8-80k_cityscapes-512x1024.py), with 2 images
# per GPU. The segmentor's SyncBN (mmseg's PSPNet norm_cfg) normalises over
# the global batch here; in one process mmengine turns it into BN. Each
# submodule (backbone, heads, discriminator) is wrapped in its own DDP and
# the model's train_step is kept (chosen from the model).
_base_ = ['./pspnet-adv_r50-d8_1xb8-80k_cityscapes-512x1024.py']
num_gpus = 4
samples_per_gpu = 2
train_dataloader = dict(batch_size=samples_per_gpu, num_workers=4)
# SGD lr 0.01 (segmentor) and Adam lr 1e-4 (discriminator) are for this
# global batch of 8, as in the base config.
auto_scale_lr = dict(enable=False, base_batch_size=num_gpus * samples_per_gpu)
