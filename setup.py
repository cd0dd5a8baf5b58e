from setuptools import find_packages, setup


def read_requirements(path: str) -> list:
    with open(path) as f:
        return [line.strip() for line in f
                if line.strip() and not line.startswith('#')]


version: dict = {}
with open('mmseg_synaug/version.py') as f:
    exec(f.read(), version)

setup(
    name='mmseg_synaug',
    version=version['__version__'],
    description='GAN-based data augmentation for semantic segmentation, '
    'as an MMSegmentation 1.x plugin',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmseg_synaug', 'mmseg_synaug.*']),
    python_requires='>=3.8',
    install_requires=read_requirements('requirements/runtime.txt'),
    license='Apache License 2.0',
)
