"""Demo inference helpers: classes from checkpoint or config, generators."""
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import save_checkpoint

from mmseg_synaug.apis import (as_label_to_image, image_only_pipeline,
                               inference_segmentor, init_generator,
                               init_segmentor)
from mmseg_synaug.datasets import CamVidDataset

from conftest import REPO_ROOT

CONFIG = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'


def test_image_only_pipeline_drops_every_label_loader():
    pipeline = [
        dict(type='LoadCheckedImage'),
        dict(type='Resize', scale=(480, 360), keep_ratio=True),
        dict(type='LoadCheckedAnnotations'),
        dict(type='LoadAnnotations', reduce_zero_label=True),
        dict(type='PackSegInputs')
    ]
    assert image_only_pipeline(pipeline) == [
        dict(type='LoadImageFromNDArray'),
        dict(type='Resize', scale=(480, 360), keep_ratio=True),
        dict(type='PackSegInputs')
    ]
    assert pipeline[0] == dict(type='LoadCheckedImage')  # not changed
    with pytest.raises(ValueError, match='must start with an image loading'):
        image_only_pipeline([dict(type='PackSegInputs')])


def test_init_segmentor_predicts_at_the_image_size(segmentor_checkpoint):
    model = init_segmentor(str(CONFIG), segmentor_checkpoint)
    assert model.dataset_meta['classes'] == CamVidDataset.METAINFO['classes']
    assert not model.training
    image = np.random.RandomState(0).randint(0, 256, (37, 50, 3), np.uint8)
    label = inference_segmentor(model, image)
    assert label.shape == (37, 50) and label.dtype == np.int64
    assert 0 <= label.min() and label.max() < 11
    with pytest.raises(ValueError, match=r'RGB uint8 image of shape'):
        inference_segmentor(model, image[..., 0])


def test_classes_come_from_the_config_when_the_checkpoint_has_none(
        segmentor_checkpoint, tmp_path):
    state = torch.load(segmentor_checkpoint)['state_dict']
    bare = tmp_path / 'bare.pth'
    save_checkpoint(dict(state_dict=state), str(bare))
    model = init_segmentor(str(CONFIG), str(bare))
    # mmseg alone would guess a dataset with 11 classes; the config says
    # CamVid.
    assert model.dataset_meta['classes'] == CamVidDataset.METAINFO['classes']
    assert model.dataset_meta['palette'] == CamVidDataset.METAINFO['palette']


def test_missing_files_are_named(segmentor_checkpoint, tmp_path):
    with pytest.raises(FileNotFoundError, match='checkpoint file .*nope.pth'):
        init_segmentor(str(CONFIG), str(tmp_path / 'nope.pth'))
    with pytest.raises(FileNotFoundError, match='config file .*nope.py'):
        init_segmentor(str(tmp_path / 'nope.py'), segmentor_checkpoint)


def test_as_label_to_image_needs_synthesize():

    class Painter:

        def synthesize(self, label_map):
            assert not torch.is_grad_enabled()
            return np.repeat(label_map[..., None], 3, axis=2)

    generate = as_label_to_image(Painter())
    label = np.array([[0, 3]], dtype=np.uint8)
    assert generate(label).shape == (1, 2, 3)
    with pytest.raises(TypeError, match='no `synthesize'):
        as_label_to_image(torch.nn.Conv2d(1, 3, 1))


def test_init_generator_builds_from_mmagic_and_checks_the_interface(tmp_path):
    """A real mmagic module without ``synthesize`` is refused clearly."""
    config = tmp_path / 'unet_generator.py'
    config.write_text("model = dict(type='mmagic.UnetGenerator', "
                      'in_channels=3, out_channels=3, num_down=5, '
                      'base_channels=8)\n')
    from mmagic.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmagic'):
        module = MODELS.build(
            dict(
                type='UnetGenerator',
                in_channels=3,
                out_channels=3,
                num_down=5,
                base_channels=8))
    checkpoint = tmp_path / 'generator.pth'
    save_checkpoint(dict(state_dict=module.state_dict()), str(checkpoint))
    with pytest.raises(
            TypeError,
            match='UnetGenerator cannot serve as a '
            'label-to-image generator'):
        init_generator(str(config), str(checkpoint))
    # Building it left the segmentors' default scope as it was.
    assert DefaultScope.get_current_instance().scope_name == 'mmseg'
    with pytest.raises(FileNotFoundError, match='generator checkpoint'):
        init_generator(str(config), str(tmp_path / 'none.pth'))
