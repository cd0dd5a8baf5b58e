# Hung et al. (BMVC 2018) with the paper's discriminator: the same
# segmentor, data, schedule, lambda_adv and optimizers as the CPU-scale
# pspnet-adv-hung_r18_1xb8-1k_camvid-256x256.py, and FCDiscriminator at
# full width, (64, 128, 256, 512) channels (~1.8 GMAC per 256x256 map,
# 16x the quarter-width one's).
_base_ = ['./pspnet-adv-hung_r18_1xb8-1k_camvid-256x256.py']
model = dict(discriminator=dict(channels=(64, 128, 256, 512)))
