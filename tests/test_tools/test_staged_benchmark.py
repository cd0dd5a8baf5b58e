"""The staged GPU benchmark, every stage end to end on the CPU (--tiny).

A CamVid copy of 6 training and 2 val images with JPEG images (as the GPU
kit's) goes through the four stages at 1-2 iterations and small crops, one
seed, two trainings at a time; each stage reads the stage folders of the
earlier ones, as it would on another machine.
"""
import json
import os
import subprocess
import sys
import tarfile

import cv2
import pytest
import torch

from helpers import REPO_ROOT, run_tool
from mmseg_synaug.benchmark import bundle

RUNNER = 'tools/analysis_tools/gpu_benchmark/staged_benchmark.py'
SCORE_TOOL = REPO_ROOT / 'tools/analysis_tools/synthesis_score.py'
BASELINE = 'pspnet_r18-d8_1xb16-2k_camvid-352x480'
# The GPU configs of feature synthesis come from another branch (featsyn);
# where they are missing, stage d runs the CPU configs of the same models.
GPU_AND_CPU_CONFIGS = dict(
    featgan=('featgan-s3_pspnet-r18-d8_1xb16-2k_camvid-256x256.py',
             'featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128.py'),
    finetune=('pspnet-finetune_r18-d8_1xb16-1k_camvid-352x480.py',
              'pspnet-finetune_r18_1xb8-1k_camvid-256x256.py'),
    featsyn=('pspnet-featsyn_r18-d8_1xb16-1k_camvid-352x480.py',
             'pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py'))
CONFIG_OPTIONS = [
    option for name, (gpu, cpu) in GPU_AND_CPU_CONFIGS.items()
    if not (REPO_ROOT / 'configs/feature_synthesis' / gpu).is_file()
    for option in ('--config', f'{name}=configs/feature_synthesis/{cpu}')
]


def tiny_jpeg_camvid(camvid_root: str, out) -> str:
    """6 train and 2 val images of CamVid as JPEG (quality 90), labels PNG."""
    for split, count in (('train', 6), ('val', 2)):
        names = sorted(os.listdir(os.path.join(camvid_root, split)))[:count]
        for sub in (split, split + 'annot'):
            (out / sub).mkdir(parents=True)
        for name in names:
            image = cv2.imread(os.path.join(camvid_root, split, name))
            cv2.imwrite(
                str(out / split / name.replace('.png', '.jpg')), image,
                [cv2.IMWRITE_JPEG_QUALITY, 90])
            label = cv2.imread(
                os.path.join(camvid_root, split + 'annot', name),
                cv2.IMREAD_UNCHANGED)
            cv2.imwrite(str(out / (split + 'annot') / name), label)
    return str(out)


class Bench:
    """Runs stages in one root; remembers each stage's result."""

    def __init__(self, root, data_root: str, bench_md) -> None:
        self.root = root
        self.data_root = data_root
        self.bench_md = bench_md
        self.results = {}

    def command(self, *args: str, root=None) -> list:
        return [
            RUNNER, *args, '--root',
            str(root or self.root), '--data-root', self.data_root, '--tiny',
            '--seeds', '0', '--write',
            str(self.bench_md), *CONFIG_OPTIONS
        ]

    def stage(self, name: str) -> subprocess.CompletedProcess:
        """Run a stage once (its exit code may be non-zero)."""
        if name not in self.results:
            env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='2')
            self.results[name] = subprocess.run(
                [sys.executable] + self.command(name),
                cwd=REPO_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=900)
        return self.results[name]

    def ok(self, name: str) -> str:
        result = self.stage(name)
        if result.returncode != 0:
            pytest.fail(f'stage {name} failed:\n{result.stdout[-6000:]}')
        return result.stdout


@pytest.fixture(scope='module')
def bench(camvid_root, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('staged')
    data = tiny_jpeg_camvid(camvid_root, tmp / 'camvid_jpg')
    return Bench(tmp / 'root', data, tmp / 'BENCH.md')


def section(bench: Bench, stage: str) -> str:
    return (bench.root / f'stage_{stage}' / 'results' /
            'section.md').read_text()


def exported(root, name: str, to) -> list:
    """Export a stage or preset folder; the parts it printed (the output
    also holds the warnings of third-party imports)."""
    out = run_tool(
        [RUNNER, 'export', name, '--to',
         str(to), '--root',
         str(root)]).stdout
    return [line for line in out.splitlines() if line.startswith(str(to))]


def test_stage_a(bench):
    bench.ok('a')
    root = bench.root
    # The kit's JPEG copy is linked as it is: every tool reads its JPEGs.
    linked = root / 'work/data/camvid'
    assert linked.is_symlink()
    assert os.path.realpath(linked) == os.path.realpath(bench.data_root)
    assert sorted(os.listdir(linked / 'train'))[0].endswith('.jpg')
    text = section(bench, 'a')
    assert f'| `{BASELINE}` |' in text
    assert '| `pspnet-copypaste-multi_r18-d8_1xb16-2k_camvid-352x480` |' \
        in text
    assert 'IoU of the rare classes' in text and 'Bicyclist' in text
    assert 'trained on' in text and 'CPU' in text
    assert 'torch ' + torch.__version__ in text
    assert text.strip() in bench.bench_md.read_text()
    # The best baseline in float16, equal to its float32 checkpoint rounded.
    half = torch.load(root / 'stage_a/artifacts/pspnet_baseline.pth')
    full = torch.load(
        root / f'work/segmentors/{BASELINE}/seed0/iter_2.pth',
        weights_only=False)
    assert 'optimizer' in full and set(half) == {'state_dict', 'meta'}
    key = 'decode_head.conv_seg.weight'
    assert half['state_dict'][key].dtype == torch.float16
    assert torch.equal(half['state_dict'][key], full['state_dict'][key].half())
    assert half['meta']['dataset_meta']['classes'][-1] == 'Bicyclist'
    # The copy-paste runs read their own synthetic set.
    dumped = next((root / 'work/segmentors/'
                   'pspnet-copypaste-multi_r18-d8_1xb16-2k_camvid-352x480/'
                   'seed0').glob('*.py')).read_text()
    assert 'camvid_multi_copypaste' in dumped
    # Finished runs travel in the stage folder.
    assert (root /
            f'stage_a/results/runs/{BASELINE}/seed0/summary.json').is_file()


def test_stage_b(bench):
    bench.ok('a')
    result = bench.stage('b')
    root = bench.root
    assert (root / 'work/pix2pixhd/done.json').is_file()
    for mode in ('multi', 'reconstruct'):
        folder = root / 'stage_b/synthetic' / mode
        assert len(list((folder / 'images').glob('*.jpg'))) == 3
        assert len(list((folder / 'labels').glob('*.png'))) == 3
    if not SCORE_TOOL.is_file():
        assert result.returncode != 0
        assert 'tools/analysis_tools/synthesis_score.py' in result.stdout
        pytest.xfail('synthesis_score.py comes from the pix2pixhd branch')
    assert result.returncode == 0, result.stdout[-6000:]
    assert 'Synthesis score' in section(bench, 'b')


def test_stage_c(bench):
    bench.ok('a')
    bench.stage('b')  # its synthetic sets are written before the score
    bench.ok('c')
    log = (bench.root / 'work/logs/stage_c.log').read_text()
    assert f'{BASELINE} seed 0: done before' in log  # stage a's run
    text = section(bench, 'c')
    for name in (BASELINE,
                 'pspnet-synaug-multi-r05_r18-d8_1xb16-2k_camvid-352x480',
                 'pspnet-synaug-reconstruct-r05_r18-d8_1xb16-2k_camvid-'
                 '352x480'):
        assert f'| `{name}` |' in text
    dumped = next((bench.root / 'work/segmentors/'
                   'pspnet-synaug-reconstruct-r05_r18-d8_1xb16-2k_camvid-'
                   '352x480/seed0').glob('*.py')).read_text()
    assert str(bench.root / 'work/synthetic/camvid_reconstruct') in dumped
    decoded = bench.root / 'work/synthetic/camvid_reconstruct/images'
    assert len(list(decoded.glob('*.png'))) == 3


def test_stage_d(bench):
    bench.ok('a')
    bench.ok('d')
    scores = json.loads(
        (bench.root / 'stage_d/results/feature_score.json').read_text())
    assert set(scores) == {'real', 'synthetic'}
    text = section(bench, 'd')
    gpu, cpu = GPU_AND_CPU_CONFIGS['featsyn']
    featsyn = gpu if (REPO_ROOT / 'configs/feature_synthesis' /
                      gpu).is_file() else cpu
    assert f'| `{featsyn[:-3]}` |' in text
    assert 'loss_synthetic' in text  # feature synthesis ran
    assert 'PSPNet-score' in text


def test_export_import_resume(bench, tmp_path):
    bench.ok('a')
    parts = exported(bench.root, 'a', tmp_path / 'parts')
    assert parts and all(os.path.getsize(p) <= 15 * 2**20 for p in parts)
    # Another machine: a new root with only the stage folder copied back.
    fresh = tmp_path / 'fresh'
    bench_md = tmp_path / 'BENCH.md'
    out = run_tool([
        RUNNER, 'import',
        str(tmp_path / 'parts'), '--root',
        str(fresh), '--write',
        str(bench_md)
    ]).stdout
    assert 'imported stage_a' in out
    assert section(bench, 'a').strip() in bench_md.read_text()
    run_tool(Bench(fresh, bench.data_root, bench_md).command('a'))
    log = (fresh / 'work/logs/stage_a.log').read_text()
    assert log.count('done before') == 2
    assert 'seed 0: training' not in log
    assert not (fresh / 'work/synthetic').exists()  # nothing redone


@pytest.mark.parametrize('data_filter', [True, False])
def test_import_refuses_a_member_outside_the_root(tmp_path, monkeypatch,
                                                  data_filter):
    """Checked with and without Python's tar ``filter='data'`` (Debian's
    3.11.2 has none): a plain stage unpacks, a member that climbs out of
    the root is refused and nothing of its bundle is written."""
    if not data_filter:
        monkeypatch.delattr(tarfile, 'data_filter', raising=False)
    parts, root = tmp_path / 'parts', tmp_path / 'root'
    parts.mkdir()
    (tmp_path / 'summary.json').write_text('{}')
    for stage, arcname in (('stage_a', 'stage_a/summary.json'),
                           ('stage_b', '../outside.json')):
        with tarfile.open(parts / f'{stage}.tar.000', 'w') as tar:
            tar.add(tmp_path / 'summary.json', arcname=arcname)
    with pytest.raises(SystemExit, match='outside.json`, which is not'):
        bundle.import_bundles(str(parts), str(root))
    assert (root / 'stage_a/summary.json').read_text() == '{}'
    assert not (tmp_path / 'outside.json').exists()
    assert sorted(os.listdir(root)) == ['stage_a']  # no joined tar left


@pytest.fixture(scope='module')
def presets(bench, tmp_path_factory):
    """The quick presets in a root of their own: each is self-contained."""
    tmp = tmp_path_factory.mktemp('presets')
    return Bench(tmp / 'root', bench.data_root, tmp / 'BENCH.md')


def check_sent_back(root, artifact: str, config: str, iters: int) -> None:
    """A segmentor sent back: float16, no auxiliary head, each weight its
    run's final weight rounded to float16."""
    half = torch.load(root / 'artifacts' / f'{artifact}.pth')
    state = half['state_dict']
    assert not any(key.startswith('auxiliary_head.') for key in state)
    full = torch.load(
        root.parent / f'work/segmentors/{config}/seed0/iter_{iters}.pth',
        weights_only=False)
    assert any(key.startswith('auxiliary_head.') for key in full['state_dict'])
    key = 'decode_head.conv_seg.weight'
    assert state[key].dtype == torch.float16
    assert torch.equal(state[key], full['state_dict'][key].half())


def test_image_preset(presets, tmp_path):
    presets.ok('image')
    root = presets.root / 'preset_image'
    text = (root / 'results/section.md').read_text()
    multi = 'pspnet-synaug-multi-r05_r18-d8_1xb16-2k_camvid-352x480'
    for name in (BASELINE, multi,
                 'pspnet-copypaste-multi_r18-d8_1xb16-2k_camvid-352x480'):
        assert f'| `{name}` |' in text
    assert 'Synthesis score' in text and '| synthetic |' in text
    assert text.strip() in presets.bench_md.read_text()
    # The mix trained on the set its generator rendered, at the end only.
    work = presets.root / 'work'
    dumped = next(
        (work / 'segmentors' / multi / 'seed0').glob('*.py')).read_text()
    assert str(work / 'synthetic/camvid_multi') in dumped
    # The generator's optimizer state was not saved.
    done = json.loads((work / 'pix2pixhd/done.json').read_text())
    generator = torch.load(done['checkpoint'], weights_only=False)
    assert 'optimizer' not in generator and 'state_dict' in generator
    check_sent_back(root, 'pspnet_baseline', BASELINE, 2)
    check_sent_back(root, 'pspnet_synaug_multi', multi, 2)
    # FreeMask's filter by the best baseline, then the filtered mix on the
    # filtered maps: its row beside the three others.
    filtered = ('pspnet-synaug-multi-filtered-r05_r18-d8_1xb16-2k_camvid-'
                '352x480')
    assert f'| `{filtered}` |' in text
    report = json.loads(
        (work /
         'synthetic/camvid_multi/labels_filtered_m1.25.json').read_text())
    assert report['num_images'] == 3 and report['num_real_images'] == 2
    best = json.loads((root / 'results/compare.json').read_text())
    seed = max(best['results'][BASELINE], key=lambda r: r['mIoU'])['seed']
    assert report['segmentor_checkpoint'] == str(
        work / f'segmentors/{BASELINE}/seed{seed}/iter_2.pth')
    assert f'ignored {report["ignored_share_all"]:.1f}% of' in text
    dumped = next(
        (work / 'segmentors' / filtered / 'seed0').glob('*.py')).read_text()
    assert "seg_map_path='labels_filtered_m1.25'" in dumped
    assert str(work / 'synthetic/camvid_multi') in dumped
    # What travels back: at most 6 parts of at most 15 MiB.
    parts = exported(presets.root, 'image', tmp_path / 'parts')
    assert 0 < len(parts) <= 6
    assert all(os.path.getsize(p) <= 15 * 2**20 for p in parts)


def test_feature_preset(presets):
    presets.ok('feature')
    root = presets.root / 'preset_feature'
    text = (root / 'results/section.md').read_text()
    assert 'PSPNet-score' in text and 'loss_synthetic' in text
    assert f'| `{BASELINE}` |' in text
    scores = json.loads((root / 'results/feature_score.json').read_text())
    assert set(scores) == {'real', 'synthetic'}
    # The generator was timed first, then sized (at --tiny: at most 2).
    sizing = json.loads((root / 'results/featgan_sizing.json').read_text())
    assert sizing['probe_iters'] == 2 and sizing['iters'] == 2
    assert 'sized by its first 2 iterations' in text
    done = json.loads((presets.root / 'work/featgan/done.json').read_text())
    assert done['checkpoint'].endswith('iter_2.pth')
    gpu, cpu = GPU_AND_CPU_CONFIGS['featsyn']
    featsyn = gpu if (REPO_ROOT / 'configs/feature_synthesis' /
                      gpu).is_file() else cpu
    check_sent_back(root, 'pspnet_featsyn', featsyn[:-3], 1)


@pytest.mark.parametrize(
    's_per_iter,seconds,most,iters',
    [
        (0.1, 150, 1000, 1000),  # 1500 fit: the most
        (0.2, 150, 1000, 750),
        (0.23, 150, 1000, 650),  # 652 fit: down to a multiple of 50
        (4.0, 150, 1000, 37),  # under 50: every one
        (500.0, 150, 1000, 1),  # not even one: still one
    ])
def test_feature_generator_is_sized_to_its_seconds(s_per_iter, seconds, most,
                                                   iters):
    from mmseg_synaug.benchmark.presets import sized_iterations
    assert sized_iterations(s_per_iter, seconds, most) == iters


def test_full_benchmark_stops_at_its_budget_and_continues(bench, tmp_path):
    """`full --budget`: stopped inside stage a (exit 0, a progress table,
    no tool left running), then the same command without a budget runs
    every stage to the end, and once more finds everything done."""
    root, report = tmp_path / 'full', tmp_path / 'FULL.md'

    def full(*extra: str) -> str:
        command = bench.command('full', *extra, root=root)
        command[command.index('--write') + 1] = str(report)
        return run_tool(command, timeout=1800).stdout

    stopped = full('--budget', '10')
    assert 'stopped by --budget 10 s during stage a' in stopped
    progress = (root / 'full' / 'progress.md').read_text()
    assert 'Stages finished: none; stopped by --budget during stage a' \
        in progress
    # the stopped step's process group is gone with it
    left = subprocess.run(['pgrep', '-f', str(root)],
                          stdout=subprocess.PIPE,
                          text=True)
    assert left.stdout == ''
    assert report.read_text().count('<!-- gpu-full -->') == 2

    done = full()
    assert 'stopped' not in done.split('#### Full benchmark: progress')[1]
    text = report.read_text()
    for stage in 'abcd':
        assert text.count(f'<!-- gpu-stage-{stage} -->') == 2
    progress = (root / 'full' / 'progress.md').read_text()
    assert 'Stages finished: a, b, c, d; complete' in progress
    assert f'| `{BASELINE}` | 0 | 2 |' in progress

    again = full('--budget', '1')
    assert 'Stages finished: a, b, c, d; complete' in again
    for stage in 'abcd':
        assert f'[stage {stage}]' not in again  # nothing ran again


def test_budget_is_an_option_of_full_only():
    result = subprocess.run([sys.executable, RUNNER, 'a', '--budget', '5'],
                            cwd=REPO_ROOT,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                            text=True)
    assert result.returncode == 2
    assert '--budget SECONDS (> 0) is an option of `full`' in result.stdout


def test_run_stage_timeout_still_exports(bench, tmp_path):
    """run_stage.sh's budget (`timeout`) stops stage a inside a step: the
    step's trainings go with it (they run in their own process groups),
    the exit status says so (124), and the stage folder is still exported
    in parts for the next call."""
    root, out = tmp_path / 'root', tmp_path / 'out'
    command = bench.command('a', root=root)[2:]  # the options after 'a'
    command[command.index('--write') + 1] = ''
    # Four seeds: eight trainings, two at a time, outlast the 45 s budget,
    # which the imports and the stage folder's creation fit in.
    command[command.index('--seeds') + 1:command.index('--seeds') +
            2] = ['0', '1', '2', '3']
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        BUDGET='45',
        OUT=str(out),
        KIT=str(tmp_path / 'no_kit'))
    result = subprocess.run([
        'bash', 'tools/analysis_tools/gpu_benchmark/run_stage.sh', 'a',
        *command
    ],
                            cwd=REPO_ROOT,
                            env=env,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                            text=True,
                            timeout=600)
    assert result.returncode == 124, result.stdout[-3000:]
    assert 'a: stopped after 45 s; run it again to resume' in result.stdout
    parts = [
        line for line in result.stdout.splitlines()
        if line.startswith(str(out))
    ]
    assert parts and all(os.path.exists(p) for p in parts)
    left = subprocess.run(['pgrep', '-f', str(root)],
                          stdout=subprocess.PIPE,
                          text=True)
    assert left.stdout == ''


def test_export_of_a_stage_not_started_says_so(tmp_path):
    out = run_tool([
        RUNNER, 'export', 'b', '--to',
        str(tmp_path / 'parts'), '--root',
        str(tmp_path / 'empty')
    ]).stdout
    assert 'nothing to export:' in out and 'stage_b' in out
    assert not (tmp_path / 'parts').exists()
