# The CPU regime's generator trained on the quarter of CamVid train that the
# quarter-label regime sees (92 images, every fourth in file-name order:
# ../_base_/datasets/splits/camvid_train_quarter.txt), so that the
# quarter-label synthetic mix uses no label map beyond those 92.
_base_ = './pix2pixhd_w32-d3-r6_1xb4-2.5k_camvid-128x128.py'
quarter = ('{{ fileDirname }}/../_base_/datasets/splits/'
           'camvid_train_quarter.txt')
train_dataloader = dict(dataset=dict(ann_file=quarter))
