from .seg_feature_data_preprocessor import (SegFeatureDataPreProcessor,
                                            build_frozen_segmentor)

__all__ = ['SegFeatureDataPreProcessor', 'build_frozen_segmentor']
