# Two-phase schedule, phase 2: the real-data baseline, fine-tuned from the
# checkpoint of phase 1
# (pspnet-synaug-multi-filtered-pretrain_r18_1xb8-1k_camvid-256x256.py,
# trained into its default work dir). With another phase-1 length or work
# dir, point at its checkpoint: --cfg-options load_from=PATH.
_base_ = ['../pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py']
load_from = (
    '{{ fileDirname }}/../../work_dirs/'
    'pspnet-synaug-multi-filtered-pretrain_r18_1xb8-1k_camvid-256x256/'
    'iter_1000.pth')
