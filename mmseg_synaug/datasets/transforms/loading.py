"""Loading transforms that fail with one clear error on bad files.

A missing file, one that does not decode, and one cut short (a JPEG or PNG
truncated by an interrupted copy or download, which OpenCV decodes with
grey fill and only a libjpeg warning on stderr) are each a
:class:`~mmseg_synaug.utils.DataError` naming the file.
"""
from typing import Optional, Sequence

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform, LoadImageFromFile
from mmengine import fileio
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS

from ...utils import DataError

_FIX_FILE = ('Check that the file exists and is a readable PNG/JPEG, or '
             'remove the sample from the dataset folder.')

_JPEG_MAGIC = b'\xff\xd8\xff'
_PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def truncation(data: bytes) -> Optional[str]:
    """Why a JPEG or PNG file is cut short; None when it is complete.

    A JPEG ends its image data with the end-of-image marker ``FF D9``;
    markers cannot occur inside the entropy-coded data, so the last
    start-of-scan ``FF DA`` must be followed by one (an EXIF thumbnail's
    own markers come before the image's). A PNG ends with its ``IEND``
    chunk after the last ``IDAT`` chunk. Two searches from the end of the
    bytes already read: no second decode. Other formats are not checked.

    Args:
        data (bytes): The file's content.

    Returns:
        str | None: What is missing, for the message.
    """
    if data.startswith(_JPEG_MAGIC):
        if data.rfind(b'\xff\xd9') < data.rfind(b'\xff\xda'):
            return 'the JPEG has no end-of-image marker after its image data'
    elif data.startswith(_PNG_MAGIC):
        if data.rfind(b'IEND') < data.rfind(b'IDAT'):
            return 'the PNG has no IEND chunk after its image data'
    return None


def read_image_file(path: str,
                    what: str,
                    flag: str = 'color',
                    channel_order: str = 'bgr',
                    backend: str = 'cv2',
                    backend_args: Optional[dict] = None) -> np.ndarray:
    """Read and decode an image file, with a clear error on failure.

    Args:
        path (str): File to read.
        what (str): What the file is, for the message (``'image'``).
        flag (str): Colour flag of :func:`mmcv.imfrombytes`.
            Defaults to ``'color'``.
        channel_order (str): ``'bgr'`` or ``'rgb'``. Defaults to ``'bgr'``.
        backend (str): Decoding backend. Defaults to ``'cv2'``.
        backend_args (dict, optional): File backend arguments.
            Defaults to None.

    Returns:
        np.ndarray: The decoded array.
    """
    try:
        data = fileio.get(path, backend_args=backend_args)
    except FileNotFoundError:
        raise DataError(
            f'The {what} file `{path}` does not exist.',
            fix=_FIX_FILE) from None
    except OSError as error:
        raise DataError(
            f'The {what} file `{path}` cannot be read: {error}.',
            fix=_FIX_FILE) from None
    cut = truncation(data)
    if cut is not None:
        raise DataError(
            f'The {what} file `{path}` is cut short ({len(data)} bytes; '
            f'{cut}); it would decode with grey fill.',
            fix='Copy the complete file again (an interrupted copy or '
            'download leaves such files), or remove the sample.')
    array = mmcv.imfrombytes(
        data, flag=flag, channel_order=channel_order, backend=backend)
    if array is None:
        raise DataError(
            f'The {what} file `{path}` is not a decodable image '
            f'({len(data)} bytes).',
            fix=_FIX_FILE)
    return array


def check_label_map(label: np.ndarray,
                    path: str,
                    image_shape: Optional[Sequence[int]],
                    num_classes: Optional[int],
                    ignore_index: int = 255) -> None:
    """Check a label map's size against its image and its values.

    Args:
        label (np.ndarray): Index map of shape (H, W).
        path (str): Its file, for the message.
        image_shape (Sequence[int], optional): (H, W) of the original image;
            None skips the size check.
        num_classes (int, optional): Valid labels are ``0..num_classes-1``
            and ``ignore_index``; None skips the value check.
        ignore_index (int): The ignore value. Defaults to 255.
    """
    if image_shape is not None and tuple(label.shape[:2]) != tuple(
            image_shape[:2]):
        raise DataError(
            f'The label map `{path}` is {label.shape[1]}x{label.shape[0]} '
            f'(WxH) but its image is {image_shape[1]}x{image_shape[0]}.',
            fix='Resize the label map with nearest-neighbour interpolation '
            'to the image size, or pair it with the right image.')
    if num_classes is None:
        return
    values = np.unique(label)
    bad = values[(values >= num_classes) & (values != ignore_index)]
    if bad.size:
        raise DataError(
            f'The label map `{path}` contains the values {bad.tolist()}, '
            f'outside the {num_classes} classes (0-{num_classes - 1}) and '
            f'the ignore value {ignore_index}.',
            fix='Map these values to a class or to the ignore value '
            f'{ignore_index}, or set the right dataset/num_classes.')


@TRANSFORMS.register_module()
class LoadCheckedImage(LoadImageFromFile):
    """Load an image; a missing or undecodable file is a clear error.

    Same arguments, Required Keys and Added Keys as
    :class:`mmcv.transforms.LoadImageFromFile`.
    """

    def transform(self, results: dict) -> dict:
        img = read_image_file(
            results['img_path'],
            'image',
            flag=self.color_type,
            backend=self.imdecode_backend,
            backend_args=self.backend_args)
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results


@TRANSFORMS.register_module()
class LoadCheckedAnnotations(LoadAnnotations):
    """Load an index label map, map void to ignore, and check it.

    Like :class:`mmseg.datasets.transforms.LoadAnnotations`, plus: the
    dataset's ``void_label`` becomes ``ignore_index``; a missing or
    undecodable file, a map whose size differs from its image's, and a value
    outside ``0..num_classes-1`` (other than the ignore value) each raise a
    :class:`DataError` that names the file.

    Required Keys:

    - seg_map_path
    - ori_shape (optional): original image size, for the size check
    - num_classes (optional): for the value check
    - void_label (optional)
    - label_map, reduce_zero_label (optional)

    Added Keys:

    - gt_seg_map (np.uint8)
    - seg_fields

    Args:
        num_classes (int, optional): Number of classes; overrides the
            dataset's ``num_classes``. Defaults to None.
        ignore_index (int): The ignore value. Defaults to 255.
        **kwargs: Passed to :class:`LoadAnnotations`.
    """

    def __init__(self,
                 num_classes: Optional[int] = None,
                 ignore_index: int = 255,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def _load_seg_map(self, results: dict) -> None:
        path = results['seg_map_path']
        label = read_image_file(
            path,
            'label map',
            flag='unchanged',
            backend=self.imdecode_backend,
            backend_args=self.backend_args)
        if label.ndim != 2:
            raise DataError(
                f'The label map `{path}` has {label.shape[2]} channels; an '
                'index map (one channel, a class index per pixel) is '
                'expected.',
                fix='Convert colour-coded labels to index maps '
                '(see tools/dataset_converters/).')
        if results.get('void_label') is not None:
            label[label == results['void_label']] = self.ignore_index
        if self.reduce_zero_label or results.get('reduce_zero_label'):
            label[label == 0] = 255
            label = label - 1
            label[label == 254] = 255
        if results.get('label_map') is not None:
            original = label.copy()
            for old_id, new_id in results['label_map'].items():
                label[original == old_id] = new_id
        check_label_map(label, path, results.get('ori_shape'), self.num_classes
                        or results.get('num_classes'), self.ignore_index)
        results['gt_seg_map'] = label.astype(np.uint8)
        results.setdefault('seg_fields', []).append('gt_seg_map')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_classes={self.num_classes}, '
                f'ignore_index={self.ignore_index}, '
                f'reduce_zero_label={self.reduce_zero_label}, '
                f"imdecode_backend='{self.imdecode_backend}', "
                f'backend_args={self.backend_args})')


@TRANSFORMS.register_module()
class LoadFASSEGAnnotations(BaseTransform):
    """Load FASSEG colour-coded label maps as class-index maps.

    Each pixel is snapped to the nearest of the dataset's class colours
    (FASSEG's maps have anti-aliased boundaries of other colours).

    Required Keys:

    - seg_map_path
    - coarse_seg_map_path (with ``with_coarse``)
    - ori_shape (optional): original image size, for the size check

    Added Keys:

    - gt_seg_map (np.uint8)
    - gt_coarse_seg_map (np.uint8, with ``with_coarse``)
    - seg_fields

    Args:
        palette (Sequence[Sequence[int]]): RGB colour of each class, in class
            order. Defaults to FASSEG's.
        with_coarse (bool): Also load the coarse map of the same image as
            ``gt_coarse_seg_map``. Defaults to False.
    """

    def __init__(self,
                 palette: Sequence[Sequence[int]] = ((255, 0, 0), (127, 0, 0),
                                                     (255, 255, 0), (0, 0,
                                                                     255),
                                                     (0, 255, 255), (0, 255,
                                                                     0)),
                 with_coarse: bool = False) -> None:
        self.palette = np.asarray(palette, dtype=np.int32)
        self.with_coarse = with_coarse

    def snap_to_palette(self, rgb: np.ndarray) -> np.ndarray:
        """Map each RGB pixel to the index of the nearest palette colour.

        Args:
            rgb (np.ndarray): Colour map of shape (H, W, 3), RGB.

        Returns:
            np.ndarray: Index map of shape (H, W), uint8.
        """
        # one int per colour makes np.unique 1-D: ~10x faster than axis=0
        packed = rgb.reshape(-1, 3).astype(np.int32)
        packed = (packed[:, 0] << 16) | (packed[:, 1] << 8) | packed[:, 2]
        codes, inverse = np.unique(packed, return_inverse=True)
        colours = np.stack([codes >> 16, (codes >> 8) & 255, codes & 255], 1)
        distance = ((colours[:, None, :] - self.palette[None])**2).sum(-1)
        return distance.argmin(1).astype(np.uint8)[inverse].reshape(
            rgb.shape[:2])

    def _load(self, results: dict, path_key: str, out_key: str) -> None:
        path = results[path_key]
        rgb = read_image_file(
            path, 'label map', flag='color', channel_order='rgb')
        label = self.snap_to_palette(rgb)
        check_label_map(label, path, results.get('ori_shape'), None)
        results[out_key] = label
        results.setdefault('seg_fields', []).append(out_key)

    def transform(self, results: dict) -> dict:
        self._load(results, 'seg_map_path', 'gt_seg_map')
        if self.with_coarse:
            self._load(results, 'coarse_seg_map_path', 'gt_coarse_seg_map')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(palette={self.palette.tolist()}, '
                f'with_coarse={self.with_coarse})')
