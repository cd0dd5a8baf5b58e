"""GAN models, one folder per algorithm (as MMagic's ``editors``)."""
from .feature_gan import *  # noqa: F401,F403
from .pix2pixhd import *  # noqa: F401,F403
