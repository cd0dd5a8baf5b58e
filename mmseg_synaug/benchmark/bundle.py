"""Stage folders of the staged GPU benchmark: data, synthetic sets, transfer.

A stage folder ("bundle") holds what later stages need, small enough to be
copied to another machine (at most :data:`MAX_BUNDLE_BYTES`): checkpoints as
float16 state dicts, synthetic sets as JPEG, and the results (tables, the
``summary.json`` and training logs of every finished run). This module
prepares the data, packs and unpacks synthetic sets, and splits a bundle
into parts small enough to travel (:func:`export_bundle`,
:func:`import_bundles`).
"""
import glob
import os
import os.path as osp
import shutil
import tarfile
from multiprocessing import Pool
from typing import List, Tuple

import cv2

#: The most a stage folder may hold (60 MB).
MAX_BUNDLE_BYTES = 60 * 10**6
#: Largest part of an exported bundle (15 MiB, under a 16 MiB file limit).
PART_BYTES = 15 * 2**20
#: JPEG quality of packed synthetic images: that of the kit's CamVid copy,
#: so real and synthetic images carry the same compression.
JPEG_QUALITY = 90
CAMVID_DIRS = ('train', 'trainannot', 'val', 'valannot')


def folder_bytes(path: str) -> int:
    """Bytes of the files under a folder (0 where it does not exist)."""
    return sum(
        osp.getsize(osp.join(root, name)) for root, _, names in os.walk(path)
        for name in names)


def check_size(path: str, limit: int = MAX_BUNDLE_BYTES) -> int:
    """Raise where a stage folder is over ``limit`` bytes; return its size."""
    size = folder_bytes(path)
    if size > limit:
        raise SystemExit(
            f'The stage folder `{path}` holds {size / 1e6:.1f} MB, over the '
            f'{limit / 1e6:.0f} MB that can travel: write fewer synthetic '
            'samples (--num-synthetic) or leave a checkpoint out.')
    return size


def _convert(job: Tuple[str, str, int]) -> None:
    """Re-encode one image (JPEG <-> PNG) to a temporary name, then rename."""
    src, dst, quality = job
    image = cv2.imread(src, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise OSError(f'cannot read the image `{src}`')
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if dst.endswith('.jpg') \
        else []
    tmp = osp.join(osp.dirname(dst), '.tmp.' + osp.basename(dst))
    if not cv2.imwrite(tmp, image, params):
        raise OSError(f'cannot write `{tmp}`')
    os.replace(tmp, dst)


def convert_images(src_dir: str, dst_dir: str, src_ext: str, dst_ext: str,
                   processes: int) -> int:
    """Re-encode every ``*src_ext`` image of a folder; skip those done.

    Returns:
        int: Images converted now (those already there are skipped, so an
        interrupted conversion resumes).
    """
    os.makedirs(dst_dir, exist_ok=True)
    jobs = []
    for src in sorted(glob.glob(osp.join(src_dir, '*' + src_ext))):
        stem = osp.splitext(osp.basename(src))[0]
        dst = osp.join(dst_dir, stem + dst_ext)
        if not osp.isfile(dst):
            jobs.append((src, dst, JPEG_QUALITY))
    if processes > 1 and len(jobs) > 1:
        with Pool(processes) as pool:
            pool.map(_convert, jobs, chunksize=8)
    else:
        for job in jobs:
            _convert(job)
    return len(jobs)


def copy_files(src_dir: str, dst_dir: str, pattern: str = '*') -> None:
    """Copy the files of a folder that are not there yet."""
    os.makedirs(dst_dir, exist_ok=True)
    for src in glob.glob(osp.join(src_dir, pattern)):
        dst = osp.join(dst_dir, osp.basename(src))
        if osp.isfile(src) and not osp.isfile(dst):
            shutil.copy2(src, dst)


def prepare_camvid(data_root: str, out_root: str) -> str:
    """A CamVid root that every tool reads, from a PNG or JPEG copy.

    The copy is linked as it is under ``out_root/camvid``: the kit's copy
    (``camvid_jpg``, JPEG images and PNG label maps) is read as JPEG, since
    :class:`~mmseg_synaug.datasets.CamVidDataset` takes the suffix the image
    folder holds. Reading a JPEG costs about a fifth of reading the PNG
    of the same pixels (BENCHMARKS.md, "Reading the kit's JPEG copy"), and
    no decoding pass runs before the first training.

    Args:
        data_root (str): Folder with ``train``, ``trainannot``, ``val`` and
            ``valannot``.
        out_root (str): Where ``camvid`` is linked; the value to give
            ``$SYNAUG_DATA_ROOT``.

    Returns:
        str: ``out_root``.
    """
    lacking = [d for d in CAMVID_DIRS if not osp.isdir(osp.join(data_root, d))]
    if lacking:
        raise SystemExit(f'--data-root `{data_root}` lacks the CamVid '
                         f'folders {lacking}: give the kit\'s camvid_jpg or '
                         'a CamVid root (tools/dataset_converters/camvid.py).')
    target = osp.join(out_root, 'camvid')
    if osp.islink(target) and osp.realpath(target) != osp.realpath(data_root):
        os.remove(target)  # another copy than the last run's
    if not osp.exists(target):
        os.makedirs(out_root, exist_ok=True)
        os.symlink(osp.abspath(data_root), target)
    return out_root


def pack_synthetic(src: str, dst: str, processes: int) -> None:
    """Copy a synthetic set of tools/synthesize.py with JPEG images.

    Args:
        src (str): Folder with ``images/*.png``, ``labels/*.png`` and
            ``manifest.jsonl``.
        dst (str): The folder in the stage folder.
        processes (int): Processes encoding images.
    """
    convert_images(
        osp.join(src, 'images'), osp.join(dst, 'images'), '.png', '.jpg',
        processes)
    copy_files(osp.join(src, 'labels'), osp.join(dst, 'labels'), '*.png')
    shutil.copy2(osp.join(src, 'manifest.jsonl'), dst)


def unpack_synthetic(src: str, dst: str, processes: int) -> int:
    """Decode a packed synthetic set into the layout its configs read.

    Returns:
        int: Number of samples (label maps) in the set.
    """
    labels = glob.glob(osp.join(src, 'labels', '*.png'))
    if not labels:
        raise SystemExit(
            f'No synthetic set in `{src}`: run stage b first, or copy its '
            'stage folder here (staged_benchmark.py import).')
    convert_images(
        osp.join(src, 'images'), osp.join(dst, 'images'), '.jpg', '.png',
        processes)
    copy_files(osp.join(src, 'labels'), osp.join(dst, 'labels'), '*.png')
    return len(labels)


def export_bundle(bundle: str, out_dir: str) -> List[str]:
    """Write a stage folder as a tar split into parts of :data:`PART_BYTES`.

    Args:
        bundle (str): The stage folder, e.g. ``ROOT/stage_a``.
        out_dir (str): Where ``stage_a.tar.000``, ``.001``, ... go.

    Returns:
        list[str]: The parts written.
    """
    check_size(bundle)
    name = osp.basename(osp.normpath(bundle))
    os.makedirs(out_dir, exist_ok=True)
    for old in glob.glob(osp.join(out_dir, f'{name}.tar.*')):
        os.remove(old)
    tar_path = osp.join(out_dir, f'.{name}.tar')
    with tarfile.open(tar_path, 'w') as tar:
        tar.add(bundle, arcname=name)
    parts = []
    with open(tar_path, 'rb') as f:
        while True:
            chunk = f.read(PART_BYTES)
            if not chunk:
                break
            part = osp.join(out_dir, f'{name}.tar.{len(parts):03d}')
            with open(part, 'wb') as out:
                out.write(chunk)
            parts.append(part)
    os.remove(tar_path)
    return parts


def import_bundles(parts_dir: str, root: str) -> List[str]:
    """Join and unpack every ``stage_*.tar.NNN`` of a folder into ``root``.

    Returns:
        list[str]: The stage names unpacked (``stage_a``, ...).
    """
    parts = sorted(glob.glob(osp.join(parts_dir, 'stage_*.tar.[0-9]*')))
    if not parts:
        raise SystemExit(f'No stage_*.tar.NNN parts in `{parts_dir}`.')
    names = sorted({osp.basename(p).split('.tar.')[0] for p in parts})
    os.makedirs(root, exist_ok=True)
    for name in names:
        tar_path = osp.join(root, f'.{name}.tar')
        with open(tar_path, 'wb') as out:
            for part in sorted(
                    glob.glob(osp.join(parts_dir, f'{name}.tar.[0-9]*'))):
                with open(part, 'rb') as f:
                    shutil.copyfileobj(f, out)
        try:
            with tarfile.open(tar_path) as tar:
                _extract_safely(tar, root, f'{name}.tar')
        finally:
            os.remove(tar_path)
    return names


def _extract_safely(tar: tarfile.TarFile, root: str, name: str) -> None:
    """Unpack only plain files and folders inside ``root``.

    Checked here for every Python: ``filter='data'`` (which also drops
    unsafe modes) exists only from 3.11.4 and 3.12, not in Debian's 3.11.2.
    """
    top = osp.realpath(root)
    for member in tar.getmembers():
        path = osp.realpath(osp.join(top, member.name))
        inside = osp.commonpath([top, path]) == top
        if not inside or not (member.isfile() or member.isdir()):
            raise SystemExit(
                f'`{name}` holds `{member.name}`, which is not a plain file '
                f'or folder inside `{root}`: nothing unpacked. The bundles '
                'come from `staged_benchmark.py export`; export them again.')
    if hasattr(tarfile, 'data_filter'):
        tar.extractall(root, filter='data')
    else:
        tar.extractall(root)
