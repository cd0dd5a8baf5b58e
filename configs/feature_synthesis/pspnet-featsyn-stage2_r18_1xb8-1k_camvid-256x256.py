# Ablation of pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py: synthetic
# features of stage 2 (stage_index 1: 128 channels at 1/8), so stages 3 and
# 4 and the heads learn from them; needs the stage-2 generator.
_base_ = ['./pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py']
generator_config = '{{fileDirname}}/featgan-s2_pspnet-r18_1xb8-2k_camvid-128x128.py'  # noqa
generator_checkpoint = 'work_dirs/featgan-s2_pspnet-r18_1xb8-2k_camvid-128x128/iter_2000.pth'  # noqa
model = dict(
    stage_index=1,
    synthesizer=dict(
        generator=generator_config, generator_checkpoint=generator_checkpoint))
