from .class_iou import class_pixel_frequency, plot_frequency_vs_iou
from .palette import colorize
from .prediction_grid import draw_image_grid, draw_prediction_grid
from .training_curves import (load_scalars, plot_comparison_curves,
                              plot_training_curves)

__all__ = [
    'class_pixel_frequency', 'plot_frequency_vs_iou', 'colorize',
    'draw_image_grid', 'draw_prediction_grid', 'load_scalars',
    'plot_comparison_curves', 'plot_training_curves'
]
