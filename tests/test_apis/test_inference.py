"""The inference layer: segmentors and generators from config + checkpoint,
loaded strictly, run on arrays."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import save_checkpoint
from PIL import Image

from helpers import REPO_ROOT
from helpers.tiny_generator import trained_tiny_generator
from mmseg_synaug.apis import (LabelToImageGenerator, as_label_to_image,
                               image_only_pipeline, inference_generator,
                               inference_segmentor, init_generator,
                               init_segmentor, strip_annotation_loaders)
from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.utils import DataError
from mmseg_synaug.utils.checkpoint import CheckpointMismatchError

CONFIG = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'
UNET_CONFIG = REPO_ROOT / 'configs/unet/' \
    'unet-s5-d16_fcn_1xb8-1k_camvid-256x256.py'


def test_image_only_pipeline_drops_every_label_loader():
    pipeline = [
        dict(type='LoadCheckedImage'),
        dict(type='Resize', scale=(480, 360), keep_ratio=True),
        dict(type='LoadCheckedAnnotations'),
        dict(type='mmseg.LoadAnnotations', reduce_zero_label=True),
        dict(type='LoadFASSEGAnnotations', with_coarse=True),
        dict(type='PackSegInputs')
    ]
    assert image_only_pipeline(pipeline) == [
        dict(type='LoadImageFromNDArray'),
        dict(type='Resize', scale=(480, 360), keep_ratio=True),
        dict(type='PackSegInputs')
    ]
    assert strip_annotation_loaders(pipeline)[0] == pipeline[0]
    assert pipeline[0] == dict(type='LoadCheckedImage')  # not changed
    with pytest.raises(ValueError, match='must start with an image loading'):
        image_only_pipeline([dict(type='PackSegInputs')])


def test_init_segmentor_predicts_at_the_image_size(segmentor_checkpoint):
    model = init_segmentor(str(CONFIG), segmentor_checkpoint)
    assert model.dataset_meta['classes'] == CamVidDataset.METAINFO['classes']
    assert model.dataset_meta['void_label'] == 11
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


@pytest.fixture(scope='module')
def unet_checkpoint(tmp_path_factory) -> str:
    """An untrained U-Net for CamVid, saved as a Runner would save it."""
    from mmseg.apis import init_model
    model = init_model(str(UNET_CONFIG), None, device='cpu')
    path = tmp_path_factory.mktemp('unet') / 'unet_camvid_init.pth'
    save_checkpoint(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=dict(CamVidDataset.METAINFO))), str(path))
    return str(path)


def test_checkpoint_of_another_model_is_refused(unet_checkpoint):
    with pytest.raises(CheckpointMismatchError) as error:
        init_segmentor(str(CONFIG), unet_checkpoint)
    message = str(error.value)
    assert 'unet_camvid_init.pth` does not match the model EncoderDecoder' \
        in message
    assert ' keys are missing (backbone.' in message
    assert ' keys of the checkpoint are unexpected (backbone.' in message
    assert 'and ' in message and ' more)' in message  # a short list
    assert 'Fix: ' in message and '--non-strict' in message
    assert error.value.missing and error.value.unexpected
    # Asked for, the matching weights are loaded (here: none of the
    # backbone, so the prediction is the random model's) and it runs.
    model = init_segmentor(str(CONFIG), unet_checkpoint, strict=False)
    image = np.zeros((32, 32, 3), np.uint8)
    assert inference_segmentor(model, image).shape == (32, 32)


def test_checkpoint_with_other_shapes_is_refused(segmentor_checkpoint,
                                                 tmp_path):
    state = torch.load(segmentor_checkpoint)['state_dict']
    key = 'decode_head.conv_seg.weight'
    state[key] = torch.zeros(12, *state[key].shape[1:])
    reshaped = tmp_path / 'twelve.pth'
    save_checkpoint(dict(state_dict=state), str(reshaped))
    with pytest.raises(
            CheckpointMismatchError,
            match=r'1 keys have another shape \(decode_head.conv_seg.weight: '
            r'checkpoint \(12, (\d+), 1, 1\), model \(11, \1, 1, 1\)\)'):
        init_segmentor(str(CONFIG), str(reshaped))


@pytest.fixture(scope='module')
def tiny_generator(tmp_path_factory, camvid_root):
    return trained_tiny_generator(tmp_path_factory)


def test_trained_generator_turns_a_camvid_label_map_into_an_image(
        tiny_generator, camvid_root):
    config, checkpoint = tiny_generator
    generator = init_generator(config, checkpoint)
    assert isinstance(generator, LabelToImageGenerator)
    assert generator.num_classes == 11 and generator.void_label == 11
    assert not generator.model.training
    # Building it left the segmentors' default scope as it was.
    assert DefaultScope.get_current_instance().scope_name == 'mmseg'
    path = sorted(Path(camvid_root, 'valannot').glob('*.png'))[0]
    own = np.array(Image.open(path))
    assert (own == 11).any()  # CamVid's void, taken as unlabelled
    image = generator(own)
    assert image.shape == (360, 480, 3) and image.dtype == np.uint8
    assert image.std() > 0
    # What Pix2PixHD.synthesize makes of the map with void as 255.
    label = np.where(own == 11, 255, own)
    with torch.no_grad():
        fake = generator.model.synthesize(torch.from_numpy(label)[None].long())
    expected = (fake[0].permute(1, 2, 0) * 255).round().byte().numpy()
    np.testing.assert_array_equal(image, expected)
    np.testing.assert_array_equal(
        inference_generator(generator.model, label), expected)
    # A size the generator's strides do not divide is padded and cropped.
    assert generator(label[:37, :50]).shape == (37, 50, 3)
    with pytest.raises(
            ValueError,
            match=r'values \[12\], outside the '
            'generator\'s 11 classes'):
        generator(np.full((8, 8), 12, np.uint8))
    with pytest.raises(ValueError, match='integer array of shape'):
        generator(np.zeros((8, 8, 3), np.uint8))


def test_generator_checkpoint_of_another_model_is_refused(
        tiny_generator, segmentor_checkpoint, tmp_path):
    config, checkpoint = tiny_generator
    with pytest.raises(
            CheckpointMismatchError, match='does not match the '
            'model Pix2PixHD'):
        init_generator(config, segmentor_checkpoint)
    wider = Config.fromfile(config)
    wider.model.generator.base_channels = 8
    # The architecture recorded in the checkpoint names what differs.
    with pytest.raises(DataError, match="'base_channels': 4"):
        init_generator(wider, checkpoint)


def test_as_label_to_image_needs_synthesize():
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
    assert DefaultScope.get_current_instance().scope_name == 'mmseg'
    with pytest.raises(FileNotFoundError, match='generator checkpoint'):
        init_generator(str(config), str(tmp_path / 'none.pth'))
