"""Quick GPU presets: the evidence of one lent GPU session, one call each.

A lent GPU machine runs one command of at most 10 minutes, and a session
gets about 15 minutes of it, start-up included. Each preset answers one
question on its own, from the checkout and the offline kit alone (no
stage folder of an earlier session), within one such call on one
H200-class GPU:

- ``image`` (Liu et al.'s image-level synthesis against copy-paste):
  pix2pixHD (Wang et al., CVPR 2018) trained ``gen_iters`` iterations (its
  learning rate decays to 0 over the second half, the optimizer state is
  not saved); the ``multi`` recomposed set it renders and the copy-paste
  set of the same label maps; the baseline, copy-paste and synthetic-mix
  PSPNets, every seed, all at once on the GPU, validated and saved at the
  end only; the synthesis-quality score of the generator with the best
  baseline; then, where the call's time allows (the section above is
  written first), FreeMask's loss filtering of the generated set by that
  baseline and the filtered mix, every seed, as one more row;
- ``feature`` (He, Schiele and Fritz's feature-level synthesis): the
  baseline (the image preset's runs where the same root has them), the
  feature generator on its frozen layers (its first iterations timed, then
  as many as fit its share of the call), the PSPNet-score, and
  fine-tuning the best baseline with and without feature synthesis, every
  seed at once.

Each writes its folder ``ROOT/preset_<name>`` (tables, json, logs of
every run, and the best baseline and best mix as float16 state dicts
without the auxiliary head, which ``tools/test.py`` evaluates) and its
section into BENCHMARKS.md; ``export`` splits the folder into parts that
travel back. Every step is skipped when done, so a preset stopped by its
time limit continues with the same command.
"""
import argparse
import json
import os.path as osp
from typing import List

import numpy as np

from .staged import (KEYS, SCALES, Stage, iteration_options, mean_speed,
                     scores_table, synthesize, train_once)

#: Sizes of the presets on a GPU and at ``--tiny`` (a CPU test).
QUICK_SCALES = dict(
    gpu=dict(
        iters=1000,
        finetune_iters=500,
        gen_iters=1500,
        # The feature generator: its first 50 iterations timed, then as
        # many as fit 150 s, at most 1000 (a multiple of 50).
        featgan_iters=1000,
        featgan_probe_iters=50,
        featgan_seconds=150,
        num_synthetic=184,
        # Six trainings at once: 1.5x the throughput of one on an H200
        # (docs/gpu_benchmark.md).
        parallel=6,
        shards=4,
        score_num=None),
    # The stages' CPU test size: the same functions at 1-2 iterations.
    tiny=dict(SCALES['tiny'], featgan_probe_iters=2, featgan_seconds=3600))
#: The segmentor configs each preset trains (its folder keeps their runs).
PRESET_CONFIGS = dict(
    image=['baseline', 'copypaste', 'multi', 'multi_filtered'],
    feature=['baseline', 'finetune', 'featsyn'])
#: What inference never runs, left out of the segmentors sent back.
UNUSED_AT_TEST = 'auxiliary_head.'
#: FreeMask's margin (Yang et al., NeurIPS 2023) and the folder of the
#: filtered maps that configs/synaug/*-filtered-* read.
MARGIN = 1.25
FILTERED_LABELS = 'labels_filtered_m1.25'


def sent_back(stage: Stage, name: str, iters: int, artifact: str,
              tag: str) -> str:
    """The best seed of a config as a float16 state dict without the
    auxiliary head; a line saying so."""
    best, source = stage.best_run(name, iters, tag)
    path = stage.half(source, artifact, UNUSED_AT_TEST)
    return (f'`{stage.kind}_{stage.name}/artifacts/{artifact}.pth`: '
            f'`{stage.args.configs[name]}` seed {best["seed"]} '
            f'({best["mIoU"]:.2f} mIoU, float16, no auxiliary head, '
            f'{osp.getsize(path) / 1e6:.1f} MB)')


def image_preset(args: argparse.Namespace) -> None:
    """pix2pixHD, its set and copy-paste, six trainings, the score."""
    stage = Stage(args, 'image', kind='preset')
    scale = args.scale
    iters = scale['iters']
    synthetic = osp.join(stage.work, 'synthetic')
    copypaste = osp.join(synthetic, 'camvid_multi_copypaste')
    synthesize(stage, 'multi', copypaste)
    gen_config = stage.config('pix2pixhd')
    gen_work = osp.join(stage.work, 'pix2pixhd')
    generator = train_once(
        stage, 'pix2pixHD', 'train_generator', 'pix2pixhd', gen_work,
        iteration_options(scale['gen_iters']) +
        ['default_hooks.checkpoint.save_optimizer=False'] +
        stage.tiny('pix2pixhd'))
    multi = osp.join(synthetic, 'camvid_multi')
    synthesize(stage, 'multi', multi, [gen_config, generator])
    root = KEYS['synthetic_root']
    roots = dict(
        copypaste=[f'{root}={copypaste}'],
        multi=[f'{root}={multi}'],
        multi_filtered=[f'{root}={multi}'])
    table = stage.compare(['baseline', 'copypaste', 'multi'],
                          iters,
                          per_config=roots,
                          checkpoint_interval=iters)
    _, baseline = stage.best_run('baseline', iters)
    score = osp.join(stage.results, 'synthesis_score.json')
    if not osp.isfile(score):
        command = [
            stage.tool('synthesis_score'), gen_config, generator,
            stage.config('baseline'), baseline, '--out', score
        ]
        if scale['score_num']:
            command += ['--num', str(scale['score_num'])]
        command += ['--device', 'cpu' if args.tiny else 'cuda']
        stage.call('synthesis score', command,
                   osp.join(stage.work, 'logs', 'synthesis_score.log'))
    artifacts = [
        sent_back(stage, 'baseline', iters, 'pspnet_baseline', 'compare'),
        sent_back(stage, 'multi', iters, 'pspnet_synaug_multi', 'compare')
    ]
    title = 'pix2pixHD, synthetic mix against copy-paste'
    intro = [
        f'`{args.configs["pix2pixhd"]}`: {mean_speed(gen_work)}; '
        f'{scale["num_synthetic"]} `multi`-recomposed label maps, rendered '
        'by it (`multi`) and with real pixels pasted (`copypaste`), half '
        f'of each epoch; {iters} iterations per run, '
        f'{scale["parallel"]} runs at once.', ''
    ]
    scored = [
        'Synthesis score: the best baseline segments images generated from '
        'the val label maps (synthetic) and the real val images (real), '
        'scored against the label maps (percent):', '',
        *scores_table(json.load(open(score))), ''
    ]
    sent = ['Sent back: ' + '; '.join(artifacts) + '.']
    # Written before the filtered row, which a call may not have time for:
    # an export after its time limit carries this section.
    stage.write(title, intro + [table, ''] + scored + sent)
    filtered = filtered_row(stage, baseline, multi, roots)
    stage.write(title, intro + filtered + scored + sent)


def filtered_row(stage, baseline: str, multi: str, roots: dict) -> List[str]:
    """FreeMask's loss filtering of the generated set by the best
    baseline, and the filtered mix trained: the table with its row, and
    the share of pixels the filter ignored."""
    report = osp.join(multi, FILTERED_LABELS + '.json')
    if not osp.isfile(report):
        command = [
            stage.tool('filter'),
            stage.config('baseline'), baseline, multi, '--margin',
            str(MARGIN), '--device', 'cpu' if stage.args.tiny else 'cuda'
        ]
        if stage.args.tiny:
            command += ['--num-real', '2']
        stage.call('FreeMask filter', command,
                   osp.join(stage.work, 'logs', 'filter.log'))
    iters = stage.args.scale['iters']
    table = stage.compare(
        PRESET_CONFIGS['image'],
        iters,
        per_config=roots,
        checkpoint_interval=iters,
        tag='filtered')
    summary = json.load(open(report))
    return [
        table, '',
        f'`multi-filtered`: the `multi` set with FreeMask\'s loss filter '
        f'(margin {MARGIN:g}) by the best baseline, which ignored '
        f'{summary["ignored_share_all"]:.1f}% of its labelled pixels '
        f'(per class: `{osp.relpath(report, stage.root)}`); the '
        'baseline\'s mIoU on the generated training images is '
        f'{summary["score_before"]["mIoU"]:.2f} on all labelled pixels and '
        f'{summary["score_after"]["mIoU"]:.2f} on the kept ones (higher by '
        'construction: it chose them).', ''
    ]


def feature_preset(args: argparse.Namespace) -> None:
    """Baseline, feature generator, PSPNet-score, the fine-tuning pair."""
    stage = Stage(args, 'feature', kind='preset')
    scale = args.scale
    iters = scale['iters']
    baseline_table = stage.compare(['baseline'],
                                   iters,
                                   checkpoint_interval=iters,
                                   tag='baseline')
    _, segmentor = stage.best_run('baseline', iters, 'baseline')
    featgan_work = osp.join(stage.work, 'featgan')
    sizing = featgan_sizing(stage, segmentor)
    featgan = train_once(stage, 'feature generator', 'train_feature_generator',
                         'featgan', featgan_work,
                         [f'{KEYS["featgan_segmentor"]}={segmentor}'] +
                         iteration_options(sizing['iters']) +
                         ['default_hooks.checkpoint.save_optimizer=False'] +
                         stage.tiny('featgan'))
    score = osp.join(stage.results, 'feature_score.json')
    if not osp.isfile(score):
        command = [
            stage.tool('feature_score'),
            stage.config('featgan'), featgan, '--out', score
        ]
        if args.tiny:
            command += ['--num-batches', '1']
        command += [
            '--cfg-options', f'{KEYS["featgan_segmentor"]}={segmentor}',
            *stage.tiny('featgan')
        ]
        stage.call('PSPNet-score', command,
                   osp.join(stage.work, 'logs', 'feature_score.log'))
    finetune_iters = scale['finetune_iters']
    table = stage.compare(
        ['finetune', 'featsyn'],
        finetune_iters,
        common=[f'load_from={segmentor}'],
        per_config=dict(featsyn=[f'{KEYS["featsyn_generator"]}={featgan}']),
        checkpoint_interval=finetune_iters,
        tag='finetune')
    artifacts = [
        sent_back(stage, 'baseline', iters, 'pspnet_baseline', 'baseline'),
        sent_back(stage, 'featsyn', finetune_iters, 'pspnet_featsyn',
                  'finetune')
    ]
    stage.write('feature-level synthetic augmentation', [
        f'The baseline, {iters} iterations:', '', baseline_table, '',
        f'`{args.configs["featgan"]}` on the best baseline\'s frozen '
        f'layers: {mean_speed(featgan_work)}; sized by its first '
        f'{sizing["probe_iters"]} iterations ({sizing["s_per_iter"]:.3f} '
        f's/iter, median after {sizing["warmup"]}) to '
        f'{sizing["seconds"]:g} s, at most {sizing["most"]} iterations. '
        'PSPNet-score: the frozen '
        'layers after the stage segment real and synthetic features of val '
        'patches (percent):', '', *scores_table(json.load(open(score))), '',
        f'Fine-tuning the best baseline {finetune_iters} iterations with '
        'and without feature synthesis (time ratio: the hook\'s cost per '
        'iteration):', '', table, '',
        'Sent back: ' + '; '.join(artifacts) + '.'
    ])


def sized_iterations(s_per_iter: float, seconds: float, most: int) -> int:
    """Iterations that fit ``seconds`` at ``s_per_iter``: a multiple of
    50 from 50 on (any number below), at least 1, at most ``most``."""
    fit = int(seconds / s_per_iter)
    return max(1, min(most, fit if fit < 50 else fit - fit % 50))


def featgan_sizing(stage, segmentor: str) -> dict:
    """Iterations of the feature generator that fit the preset's time.

    Its first ``featgan_probe_iters`` iterations are trained and timed
    (a work dir of their own, thrown away); the generator then trains as
    many iterations as fit ``featgan_seconds`` at the median s/iter after
    the first fifth, in multiples of 50 (every one below 50), at most
    ``featgan_iters``. Kept in ``results/featgan_sizing.json``, so that a
    resumed preset trains the same number.
    """
    path = osp.join(stage.results, 'featgan_sizing.json')
    if osp.isfile(path):
        return json.load(open(path))
    scale = stage.args.scale
    probe_iters = scale['featgan_probe_iters']
    warmup = probe_iters // 5
    work = osp.join(stage.work, 'featgan_probe')
    train_once(stage, 'feature generator speed', 'train_feature_generator',
               'featgan', work, [f'{KEYS["featgan_segmentor"]}={segmentor}'] +
               iteration_options(probe_iters) + [
                   'default_hooks.checkpoint.save_optimizer=False',
                   'default_hooks.logger.interval=1'
               ] + stage.tiny('featgan'))
    from mmseg_synaug.visualization import load_scalars
    train, _ = load_scalars(work)
    s_per_iter = float(
        np.median([r['time'] for r in train if r['iter'] > warmup]))
    iters = sized_iterations(s_per_iter, scale['featgan_seconds'],
                             scale['featgan_iters'])
    sizing = dict(
        probe_iters=probe_iters,
        warmup=warmup,
        s_per_iter=s_per_iter,
        seconds=scale['featgan_seconds'],
        most=scale['featgan_iters'],
        iters=iters)
    with open(path, 'w') as f:
        json.dump(sizing, f, indent=1)
    return sizing


PRESETS = dict(image=image_preset, feature=feature_preset)
