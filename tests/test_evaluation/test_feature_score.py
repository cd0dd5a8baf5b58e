"""PSPNet-score: real features through the rest = the model's own score."""
import numpy as np
import torch
from mmseg.apis import init_model

from helpers.feature_synthesis import PSPNET, camvid_patches
from mmseg_synaug.evaluation import FeatureScore, segmentation_scores
from mmseg_synaug.models import SegFeatureDataPreProcessor


def counts(pred, label, num_classes, ignore=255):
    """Pixel counts written out independently of mmseg's IoUMetric."""
    valid = label != ignore
    pred, label = pred[valid], label[valid]
    hist = torch.bincount(
        label * num_classes + pred,
        minlength=num_classes**2).reshape(num_classes, num_classes).double()
    inter = hist.diag()
    return (inter.numpy(), (hist.sum(0) + hist.sum(1) - inter).numpy(),
            hist.sum(0).numpy(), hist.sum(1).numpy())


def test_real_features_score_equals_the_models_own_prediction(
        camvid_root, segmentor_checkpoint):
    preprocessor = SegFeatureDataPreProcessor(
        PSPNET, stage_index=2, checkpoint=segmentor_checkpoint, size=(96, 96))
    data = camvid_patches(camvid_root, split='val', n=3, crop=96)
    batch = preprocessor(data, True)
    masks, features = batch['inputs']['masks'], batch['inputs']['features']
    score = FeatureScore(preprocessor.segmentor, stage_index=2)
    preds = score.update(features, masks)

    # The same weights, loaded by mmseg itself, predicting the whole way.
    model = init_model(
        PSPNET,
        segmentor_checkpoint,
        device='cpu',
        cfg_options={'model.data_preprocessor.size': (96, 96)})
    normalized = model.data_preprocessor(data, True)['inputs']
    with torch.no_grad():
        logits = model.encode_decode(normalized,
                                     [dict(img_shape=(96, 96))] * 3)
    own = logits.argmax(1)
    assert torch.equal(preds, own)
    reference = segmentation_scores(*counts(own, masks, 11))
    ours = score.compute()
    np.testing.assert_allclose(ours['mIoU'], reference['mIoU'])
    np.testing.assert_allclose(ours['aAcc'], reference['aAcc'])
    assert 0 <= ours['mIoU'] <= 1
