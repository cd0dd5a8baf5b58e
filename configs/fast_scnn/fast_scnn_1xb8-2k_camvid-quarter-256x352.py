# The CPU regime with a quarter of the labels: the same training on 92 of
# CamVid train's 367 images (every fourth in file-name order, so each of the
# three training sequences keeps its share; the list is
# ../_base_/datasets/splits/camvid_train_quarter.txt), at the same
# iterations. Where labels are few, synthetic data should matter most.
_base_ = './fast_scnn_1xb8-2k_camvid-256x352.py'
quarter = ('{{ fileDirname }}/../_base_/datasets/splits/'
           'camvid_train_quarter.txt')
train_dataloader = dict(dataset=dict(ann_file=quarter))
