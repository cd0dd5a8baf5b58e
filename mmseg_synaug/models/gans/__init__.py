"""GAN models, one folder per algorithm (as mmagic lays them out)."""
from .feature_gan import *  # noqa: F401,F403
