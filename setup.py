"""Packaging of mmseg_synaug, an MMSegmentation 1.x plugin.

``install_requires`` and ``extras_require`` declare the ranges the project
was tested in, so that ``pip install mmseg_synaug`` drops into an existing
MMSegmentation environment without downgrading it. The exact versions the
tests run on are pinned in ``requirements/*.txt``, which ``make setup``
installs. Tested: Python 3.11 with torch 2.14 and numpy 1.26 (every part),
Python 3.12 with torch 2.11 and numpy 2.5 (everything but the ``synthesis``
extra: MMagic 1.2.0 needs numpy < 2).
"""
from setuptools import find_packages, setup

INSTALL_REQUIRES = [
    'torch>=2.11,<3',
    'mmcv>=2.0.0,<2.2.0',
    'mmengine>=0.10.0,<1.0',
    'mmsegmentation>=1.2.0,<1.3',
    'numpy>=1.26,<3',
    # The opencv that mmengine and mmcv require (one wheel installs cv2).
    'opencv-python>=4.10,<5',
    'matplotlib>=3.9,<4',
    'prettytable>=3.11,<4',
    'tqdm>=4.64,<5',
    # mmseg imports its CLIP tokenizer at start-up without declaring these.
    'ftfy>=6,<7',
    'regex',
]

EXTRAS_REQUIRE = {
    # Image synthesis: Pix2PixHD, the VGG perceptual loss, tools/synthesize.py.
    'synthesis': [
        'mmagic>=1.2.0,<1.3',
        'torchvision>=0.26,<1',
        # The versions MMagic 1.2.0 imports with.
        'numpy>=1.26,<2',
        'diffusers>=0.24.0,<0.25',
        'transformers>=4.36.2,<4.37',
        'huggingface_hub>=0.20.3,<0.21',
    ],
    # AlbuSeg (Albumentations 2 API: fill_mask).
    'albu': ['albumentations>=2.0.8,<3'],
    # The web demo (demo/web_demo.py).
    'demo': ['pillow>=10'],
    # The test suite, with the web demo's browser test.
    'tests': ['pytest>=8.3', 'playwright>=1.49,<2', 'pillow>=10'],
}
EXTRAS_REQUIRE['all'] = sorted(
    {req
     for reqs in EXTRAS_REQUIRE.values()
     for req in reqs})


def read_version() -> str:
    """Read ``__version__`` from mmseg_synaug/version.py without importing.

    Returns:
        str: The package version.
    """
    version: dict = {}
    with open('mmseg_synaug/version.py') as f:
        exec(f.read(), version)
    return version['__version__']


with open('README.md', encoding='utf-8') as f:
    long_description = f.read()

setup(
    name='mmseg_synaug',
    version=read_version(),
    description='GAN-based data augmentation for semantic segmentation, '
    'as an MMSegmentation 1.x plugin',
    long_description=long_description,
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmseg_synaug', 'mmseg_synaug.*']),
    python_requires='>=3.11',
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    license='Apache License 2.0',
    classifiers=[
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
)
