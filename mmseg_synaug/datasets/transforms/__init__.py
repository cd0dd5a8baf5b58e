from .loading import (LoadCheckedAnnotations, LoadCheckedImage,
                      LoadFASSEGAnnotations)

__all__ = ['LoadCheckedImage', 'LoadCheckedAnnotations', 'LoadFASSEGAnnotations']
