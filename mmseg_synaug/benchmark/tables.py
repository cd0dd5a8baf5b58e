"""Markdown tables of a comparison (:mod:`.compare`): mean ± std over
seeds, rare classes, per-class IoU, logged losses and the training curve."""
from typing import Dict, List, Sequence

import numpy as np

__all__ = [
    'comparison_table', 'curve_series', 'curve_table', 'extra_test_table',
    'machine'
]


def machine(record: Dict) -> str:
    """The device, CPU cores, torch version and parallel runs of a run."""
    if 'cpu_cores' not in record:
        return 'not recorded'
    return (f"{record['device']}, {record['cpu_cores']} CPU cores, torch "
            f"{record['torch']}, {record['parallel']} run(s) at a time")


def _stat(records: Sequence[Dict], key: str) -> str:
    values = np.array([r[key] for r in records], dtype=float)
    return f'{values.mean():.2f} ± {values.std():.2f}'


def comparison_table(results: Dict[str, List[Dict]], classes: List[str],
                     rare: List[str]) -> str:
    """Scores, rare classes, per-class IoU and losses, one row a config.

    Args:
        results (dict): Config name -> its runs' summaries
            (:func:`~.compare.run_comparison`).
        classes (list[str]): Every class, for the per-class table.
        rare (list[str]): Classes of the rare-class column and table.

    Returns:
        str: Markdown; time ratios are to the first config.
    """
    base_time = np.mean(
        [r['s_per_iter'] for r in next(iter(results.values()))])
    header = ['config', 'mIoU', 'mAcc', 'aAcc', 'fwIoU']
    if rare:
        header.append('rare mIoU')
    header += [
        'mIoU per seed', 'final train loss', 's/iter', 'time ratio',
        'trained on'
    ]
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    for name, records in results.items():
        for r in records:
            r['rare'] = np.mean([r[f'IoU.{c}'] for c in rare]) if rare else 0
        row = [f'`{name}`'] + [
            _stat(records, k) for k in ('mIoU', 'mAcc', 'aAcc', 'fwIoU')
        ]
        if rare:
            row.append(_stat(records, 'rare'))
        ratio = np.mean([r['s_per_iter'] for r in records]) / base_time
        row += [
            ' / '.join(f"{r['mIoU']:.2f}" for r in records),
            _stat(records, 'final_loss'),
            _stat(records, 's_per_iter'), f'{ratio:.2f}',
            '; '.join(sorted({machine(r)
                              for r in records}))
        ]
        lines.append('| ' + ' | '.join(row) + ' |')
    if rare:
        lines += [
            '', 'IoU of the rare classes (mean ± std over seeds):', '',
            '| config | ' + ' | '.join(rare) + ' |',
            '|' + '---|' * (len(rare) + 1)
        ]
        for name, records in results.items():
            lines.append(f'| `{name}` | ' +
                         ' | '.join(_stat(records, f'IoU.{c}')
                                    for c in rare) + ' |')
    lines += [
        '', 'Per-class IoU (mean over seeds):', '',
        '| config | ' + ' | '.join(classes) + ' |',
        '|' + '---|' * (len(classes) + 1)
    ]
    for name, records in results.items():
        lines.append(f'| `{name}` | ' + ' | '.join(
            f"{np.mean([r[f'IoU.{c}'] for r in records]):.1f}"
            for c in classes) + ' |')
    loss_keys = sorted({
        k
        for records in results.values()
        for r in records
        for k in r['losses']
    })
    lines += [
        '', 'Logged losses and training accuracies, mean of the last '
        'quarter of training '
        '(mean over seeds; - where a config does not log it):', '',
        '| config | ' + ' | '.join(loss_keys) + ' |',
        '|' + '---|' * (len(loss_keys) + 1)
    ]
    for name, records in results.items():
        cells = []
        for key in loss_keys:
            values = [r['losses'][key] for r in records if key in r['losses']]
            cells.append(f'{np.mean(values):.3f}' if values else '-')
        lines.append(f'| `{name}` | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def curve_series(records: List[Dict], rare: Sequence[str]) -> List[Dict]:
    """A config's validations during training, gathered over its seeds.

    Args:
        records (list[dict]): The config's finished runs (their ``curve``).
        rare (Sequence[str]): Classes whose mean IoU is ``rare mIoU``.

    Returns:
        list[dict]: One entry per validated iteration (``step``), sorted,
        with the values of the seeds that reached it for ``minutes``,
        ``mIoU``, ``IoU.<class>`` of each rare class and, where ``rare``
        is given, ``rare mIoU``.
    """
    steps = sorted({
        point['step']
        for record in records
        for point in record.get('curve', [])
    })
    series = []
    for step in steps:
        points = [
            point for record in records for point in record.get('curve', [])
            if point['step'] == step
        ]
        entry = dict(step=step)
        for key in ['minutes', 'mIoU', *(f'IoU.{c}' for c in rare)]:
            entry[key] = [point[key] for point in points]
        if rare:
            entry['rare mIoU'] = [
                float(np.mean([point[f'IoU.{c}'] for c in rare]))
                for point in points
            ]
        series.append(entry)
    return series


def curve_table(results: Dict[str, List[Dict]], rare: List[str]) -> str:
    """mIoU and rare-class IoU at each validation, mean over seeds."""
    header = ['config', 'iteration', 'training minutes', 'mIoU', *rare]
    lines = [
        'Validation during training (mean over seeds; training minutes '
        'without validation):', '', '| ' + ' | '.join(header) + ' |',
        '|' + '---|' * len(header)
    ]
    for name, records in results.items():
        for entry in curve_series(records, rare):
            cells = [f'`{name}`', str(entry['step'])] + [
                f'{np.mean(entry[key]):.1f}'
                for key in ['minutes', 'mIoU', *(f'IoU.{c}' for c in rare)]
            ]
            lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def extra_test_table(results: Dict[str, List[Dict]], rare: List[str]) -> str:
    """mIoU, rare mIoU and the rare classes on every extra test split,
    beside val (mean ± std over seeds); empty where no run has one."""
    splits = sorted({
        split
        for records in results.values()
        for r in records
        for split in r.get('extra', {})
    })
    if not splits:
        return ''
    header = ['config', 'split', 'mIoU', 'aAcc']
    if rare:
        header += ['rare mIoU', *rare]
    lines = [
        'Scores on each test split beside val (mean ± std over seeds; '
        'the final checkpoints):', '', '| ' + ' | '.join(header) + ' |',
        '|' + '---|' * len(header)
    ]
    for name, records in results.items():
        for split in ['val', *splits]:
            rows = [
                r if split == 'val' else r.get('extra', {}).get(split)
                for r in records
            ]
            if any(row is None for row in rows):
                continue
            rows = [
                dict(
                    row,
                    rare=np.mean([row[f'IoU.{c}']
                                  for c in rare]) if rare else 0)
                for row in rows
            ]
            cells = [
                f'`{name}`', split,
                _stat(rows, 'mIoU'),
                _stat(rows, 'aAcc')
            ]
            if rare:
                cells += [_stat(rows, 'rare')
                          ] + [_stat(rows, f'IoU.{c}') for c in rare]
            lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)
