"""Files of a synthetic set: atomic writes and the per-sample manifest.

Each sample's files are written to a temporary name then renamed, and its
manifest line (one JSON object per line of ``manifest.jsonl``) is written
last, with a single ``write`` so that shards can append to one manifest:
an interrupted run leaves no half-written sample.
"""
import json
import os
import os.path as osp
from typing import Dict, List

import cv2
import numpy as np

#: Name of the manifest file in a synthetic set's folder.
MANIFEST = 'manifest.jsonl'


def class_pixels(label: np.ndarray, num_classes: int) -> List[int]:
    """Pixels of each class in an index map (the ignore value not counted).

    Args:
        label (np.ndarray): Index map.
        num_classes (int): Number of classes.

    Returns:
        list[int]: ``num_classes`` counts.
    """
    valid = label[label < num_classes]
    return np.bincount(valid.ravel(), minlength=num_classes).tolist()


def write_atomic(path: str, image: np.ndarray) -> None:
    """Write an image to a temporary name, then rename it into place.

    Args:
        path (str): Destination; its suffix picks the format (``.png``,
            ``.jpg``).
        image (np.ndarray): BGR image or index map.
    """
    suffix = osp.splitext(path)[1]
    tmp = osp.join(osp.dirname(path), f'.{osp.basename(path)}.tmp{suffix}')
    if not cv2.imwrite(tmp, image):
        raise OSError(f'cannot write {tmp}')
    os.replace(tmp, path)


def append_line(path: str, record: dict) -> None:
    """Append one JSON line with a single write (safe across shards).

    Args:
        path (str): The manifest.
        record (dict): One sample's record.
    """
    data = (json.dumps(record) + '\n').encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_manifest(path: str) -> Dict[int, dict]:
    """Manifest records by sample index; a later line replaces an earlier.

    Args:
        path (str): The manifest, or a synthetic set's folder.

    Returns:
        dict[int, dict]: Records by ``index``; empty when there is none.
    """
    if osp.isdir(path):
        path = osp.join(path, MANIFEST)
    records = {}
    if osp.isfile(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    record = json.loads(line)
                    records[record['index']] = record
    return records


def sample_seed(seed: int, index: int) -> int:
    """A 32-bit seed for sample ``index`` of a run with ``seed``."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])
