"""Start-up checks and logs of feature-level synthetic augmentation."""
import os.path as osp
from typing import Optional

import torch.nn as nn
from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from ...models.feature_synthesis import FeatureSynthesisEncoderDecoder
from ...utils import DataError

__all__ = ['FeatureSynthesisHook']

DATA_BATCH = Optional[dict]


@HOOKS.register_module()
class FeatureSynthesisHook(Hook):
    """Prepare feature synthesis before training and log its hard mining.

    He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
    Semantic Segmentation" (2018). The method lives in the
    model, :class:`FeatureSynthesisEncoderDecoder` with its
    ``synthesizer`` (generator, layout sources, share, online hard
    negative mining); this hook touches no batch and no tensor of the
    training step. It only

    - refuses to fine-tune without a trained segmentor (``load_from``);
    - prepares the synthesizer before the first iteration (builds the
      generator and loads its checkpoint, loads the mask sources,
      predicts pseudo-labels), so that errors come at start-up and the
      first iteration's time is an ordinary one;
    - logs ``train/ohnm_hard_loss``, the mean synthetic loss of the mined
      layouts, at the iterations where the model mined;
    - keeps the synthesizer's sample counts in the checkpoint's ``meta``,
      so that a resumed run continues the exact share.

    Args:
        require_load_from (bool): Refuse to start without a trained
            segmentor (``load_from`` naming a file, or ``resume``).
            Defaults to True.
    """

    priority = 'NORMAL'

    def __init__(self, require_load_from: bool = True) -> None:
        self.require_load_from = require_load_from

    @staticmethod
    def _model(runner) -> nn.Module:
        model = runner.model
        return getattr(model, 'module', model)

    def before_run(self, runner) -> None:
        """Refuse to fine-tune without the trained segmentor's weights."""
        if not self.require_load_from or runner.cfg.get('resume', False):
            return
        load_from = runner.cfg.get('load_from')
        if load_from is None or not osp.isfile(load_from):
            raise DataError(
                'Feature synthesis fine-tunes a trained segmentor, but '
                f'load_from `{load_from}` is not a file.',
                fix='Train the segmentor first (tools/train.py with its '
                'baseline config) and set the checkpoint path variable of '
                'the config, or pass --cfg-options load_from=PATH.')

    def before_train(self, runner) -> None:
        """Check the model, prepare its synthesizer and, at the start,
        that its generator learned this backbone's features."""
        model = self._model(runner)
        if not isinstance(model, FeatureSynthesisEncoderDecoder):
            raise TypeError(
                'FeatureSynthesisHook needs a FeatureSynthesisEncoderDecoder '
                f'(model.type), got {type(model).__name__}.')
        if model.synthesizer is None:
            raise ValueError(
                'FeatureSynthesisHook: the model has no synthesizer; set '
                "model.synthesizer=dict(type='SyntheticFeatureSampler', ...).")
        model.synthesizer.prepare(model)
        if runner.iter == 0:  # load_from loaded, nothing fine-tuned yet
            model.synthesizer.check_trained_on(model)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        """Log the mean loss of the layouts mined at this iteration."""
        synthesizer = self._model(runner).synthesizer
        if (synthesizer.mined_at is not None
                and synthesizer.mined_at == synthesizer.iteration):
            runner.message_hub.update_scalar('train/ohnm_hard_loss',
                                             synthesizer.last_hard_loss)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Save the synthesizer's counts under ``meta.feature_synthesis``."""
        synthesizer = self._model(runner).synthesizer
        if synthesizer is not None:
            checkpoint.setdefault('meta', {})['feature_synthesis'] = (
                synthesizer.state_dict())

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Restore the counts where the checkpoint holds them (resume)."""
        state = checkpoint.get('meta', {}).get('feature_synthesis')
        synthesizer = self._model(runner).synthesizer
        if state is not None and synthesizer is not None:
            synthesizer.load_state_dict(state)
