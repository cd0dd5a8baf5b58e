"""Time the training pipeline's image loading on image folders, as ratios
to the first.

Every image of each folder is read by ``LoadCheckedImage`` (the first
transform of every training pipeline), ``--repeats`` passes in one process;
the table gives ms per image, the folder's size and the ratio to the first
folder. It decides how a copy of a dataset is best read, e.g. the GPU kit's
JPEG copy of CamVid against the PNG original (same pixels once decoded)::

    python tools/analysis_tools/benchmark_image_reading.py \
        ../shared/data/camvid/train ../shared/gpu/camvid_jpg/train \
        --repeats 5 --write BENCHMARKS.md --section image-reading
"""
import argparse
from typing import List, Optional

from mmseg_synaug.benchmark import (measure_image_reading, reading_table,
                                    shown_path)
from mmseg_synaug.utils import run_tool
from mmseg_synaug.utils.report import write_section


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Time image loading on image folders')
    parser.add_argument('folders', nargs='+', help='image folders')
    parser.add_argument(
        '--repeats', type=int, default=3, help='passes over each folder')
    parser.add_argument(
        '--write', help='markdown file to put the table into (BENCHMARKS.md)')
    parser.add_argument(
        '--section', default='image-reading', help='marker name in that file')
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f'--repeats must be >= 1, got {args.repeats}.')
    return args


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    rows = []
    for folder in args.folders:
        rows.append(measure_image_reading(folder, args.repeats))
        print(
            f"{rows[-1]['folder']}: {rows[-1]['ms_per_image']:.2f} "
            f"ms/image over {rows[-1]['images']} images",
            flush=True)
    command = ('python tools/analysis_tools/benchmark_image_reading.py ' +
               ' '.join(shown_path(f)
                        for f in args.folders) + f' --repeats {args.repeats}' +
               (f' --write {args.write} --section {args.section}'
                if args.write else ''))
    marker = f'<!-- {args.section} -->'
    section = reading_table(rows, command, marker)
    print(section)
    if args.write:
        write_section(args.write, section, marker)


if __name__ == '__main__':
    run_tool(main)
