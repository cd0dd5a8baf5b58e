"""GAN models, one folder per algorithm (as MMagic's ``editors``)."""
from .pix2pixhd import *  # noqa: F401,F403
