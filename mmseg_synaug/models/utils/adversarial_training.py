"""What every model trained against a discriminator shares.

One pattern, MMagic's (``mmagic.models.base_models.BaseGAN``): the model's
``train_step`` takes an :class:`~mmengine.optim.OptimWrapperDict` with one
wrapper per player (built by ``MultiOptimWrapperConstructor``), steps each
player with its own wrapper, and keeps a player out of the other's update
by freezing its parameters (:func:`set_requires_grad`, :func:`frozen`).
:class:`AdversarialEncoderDecoder`, :class:`CoarseToFineSegmentor`,
:class:`Pix2PixHD` and :class:`FeatureBicycleGAN` train this way.
"""
from contextlib import contextmanager
from typing import Dict, Iterator, List, Sequence, Set, Tuple, Union

import torch.nn as nn
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmseg.utils import SampleList, add_prefix
from torch import Tensor

from ...utils import DataError

__all__ = [
    'set_requires_grad', 'frozen', 'player_optim_wrappers',
    'check_player_optimizers', 'AdversarialSegmentorMixin'
]

Nets = Union[nn.Module, Sequence[nn.Module]]


def set_requires_grad(nets: Nets, requires_grad: bool) -> None:
    """Switch the gradients of every parameter of ``nets`` on or off.

    Args:
        nets (nn.Module or Sequence[nn.Module]): The networks.
        requires_grad (bool): Whether their parameters get gradients.
    """
    if isinstance(nets, nn.Module):
        nets = [nets]
    for net in nets:
        for param in net.parameters():
            param.requires_grad_(requires_grad)


@contextmanager
def frozen(*nets: nn.Module) -> Iterator[None]:
    """No gradient into the parameters of ``nets`` (gradients still flow
    through them), each parameter's own flag restored on exit.

    Args:
        *nets (nn.Module): The networks to freeze.

    Example:
        >>> with frozen(model.discriminator):
        ...     loss_adv = adversarial_loss(model.discriminator(fake), True)
    """
    params = [param for net in nets for param in net.parameters()]
    flags = [param.requires_grad for param in params]
    set_requires_grad(nets, False)
    try:
        yield
    finally:
        for param, flag in zip(params, flags):
            param.requires_grad_(flag)


def player_optim_wrappers(optim_wrapper: OptimWrapperDict, keys: Sequence[str],
                          model: str) -> Tuple[OptimWrapper, ...]:
    """The players' optimizer wrappers, in the order of ``keys``.

    Args:
        optim_wrapper (OptimWrapperDict): What the runner passes to
            ``train_step``.
        keys (Sequence[str]): One key per player, e.g.
            ``('segmentor', 'discriminator')``.
        model (str): The model's name, for the message.

    Returns:
        tuple[OptimWrapper, ...]: One wrapper per key.

    Raises:
        DataError: Not an ``OptimWrapperDict``, or a key is missing; the
            message shows the config that builds the right one.
    """
    example = ', '.join(f'{key}=dict(optimizer=...)' for key in keys)
    fix = ("set optim_wrapper=dict(constructor='MultiOptimWrapperConstructor'"
           f', {example}) in the config (see configs/adversarial/).')
    if not isinstance(optim_wrapper, OptimWrapperDict):
        raise DataError(
            f'{model} trains with one optimizer per player and needs an '
            f'OptimWrapperDict, got {type(optim_wrapper).__name__}.',
            fix=fix)
    missing: List[str] = [key for key in keys if key not in optim_wrapper]
    if missing:
        raise DataError(
            f'The OptimWrapperDict of {model} lacks {missing} (has '
            f'{list(optim_wrapper.keys())}).',
            fix=fix)
    return tuple(optim_wrapper[key] for key in keys)


def check_player_optimizers(model: nn.Module, segmentor_optim: OptimWrapper,
                            discriminator_optim: OptimWrapper) -> None:
    """Refuse optimizers that miss or mix a segmentor's and its
    discriminator's parameters.

    Every trainable parameter outside ``model.discriminator`` must be in
    the segmentor's optimizer (a neck left out of
    ``optim_wrapper.segmentor.modules`` would silently stay untrained), and
    the discriminator's only in its own.

    Args:
        model (nn.Module): The segmentor, with a ``discriminator``.
        segmentor_optim (OptimWrapper): The segmentor's wrapper.
        discriminator_optim (OptimWrapper): The discriminator's wrapper.

    Raises:
        DataError: A parameter is untrained or in both optimizers.
    """

    def ids(optim: OptimWrapper) -> Set[int]:
        return {
            id(p)
            for group in optim.optimizer.param_groups
            for p in group['params']
        }

    seg_ids, disc_ids = ids(segmentor_optim), ids(discriminator_optim)
    disc_params = {id(p) for p in model.discriminator.parameters()}
    untrained = sorted({
        name.split('.')[0]
        for name, p in model.named_parameters() if p.requires_grad
        and id(p) not in disc_params and id(p) not in seg_ids
    })
    if untrained:
        raise DataError(
            f'The segmentor optimizer does not hold the parameters of '
            f'{untrained}.',
            fix='add them to optim_wrapper.segmentor.modules (e.g. '
            "modules=['backbone', 'neck', 'decode_head', 'auxiliary_head']"
            ').')
    if disc_params & seg_ids or (disc_ids - disc_params):
        raise DataError(
            'The segmentor and discriminator optimizers share parameters.',
            fix='optim_wrapper.segmentor.modules must not name the '
            'discriminator, and optim_wrapper.discriminator must hold the '
            'discriminator only.')


class AdversarialSegmentorMixin:
    """``train_step`` of a segmentor trained against a discriminator.

    Mixed into an mmseg segmentor before its base class
    (``class X(AdversarialSegmentorMixin, EncoderDecoder)``). Each step,
    with an :class:`OptimWrapperDict` holding ``segmentor`` (every
    parameter outside the discriminator) and ``discriminator``:

    1. the segmentor's losses, with the adversarial term judged by the
       frozen discriminator (:meth:`adversarial_losses`), update the
       segmentor;
    2. the discriminator's losses on the same, detached, predictions
       (:meth:`discriminator_losses`), update the discriminator (logged
       under ``disc.``).

    Both players are judged by the discriminator as it was before the step.
    Without a discriminator (``self.discriminator`` None) the step is
    mmengine's, with one optimizer.
    """

    #: Given one optimizer (no discriminator), ``train_step`` is
    #: mmengine's: distributed runs wrap the model in one DDP
    #: (``mmseg_synaug.utils.dist.choose_model_wrapper``).
    single_optimizer_train_step = True
    _optimizers_checked = False

    def adversarial_losses(
            self, inputs: Tensor,
            data_samples: SampleList) -> Tuple[Dict[str, Tensor], tuple]:
        """The segmentor's losses and what :meth:`discriminator_losses`
        takes (detached predictions, targets, masks)."""
        raise NotImplementedError

    def discriminator_losses(self, *judged) -> Dict[str, Tensor]:
        """The discriminator's losses (and statistics to log, whose names
        do not hold ``loss``)."""
        raise NotImplementedError

    def train_step(
        self, data: Union[dict, tuple, list],
        optim_wrapper: Union[OptimWrapper,
                             OptimWrapperDict]) -> Dict[str, Tensor]:
        """One segmentor step, then one discriminator step.

        Args:
            data (dict or tuple or list): A batch from the dataloader.
            optim_wrapper (OptimWrapperDict): Wrappers under the keys
                ``segmentor`` and ``discriminator`` (one OptimWrapper
                without a discriminator).

        Returns:
            dict[str, Tensor]: The segmentor's losses (``loss`` is their
            total) and, under ``disc.``, the discriminator's.
        """
        if self.discriminator is None:
            return super().train_step(data, optim_wrapper)
        seg_optim, disc_optim = player_optim_wrappers(
            optim_wrapper, ('segmentor', 'discriminator'),
            type(self).__name__)
        if not self._optimizers_checked:
            check_player_optimizers(self, seg_optim, disc_optim)
            self._optimizers_checked = True
        with seg_optim.optim_context(self):
            data = self.data_preprocessor(data, True)
            losses, judged = self.adversarial_losses(data['inputs'],
                                                     data['data_samples'])
        seg_loss, log_vars = self.parse_losses(losses)
        seg_optim.update_params(seg_loss)
        with disc_optim.optim_context(self.discriminator):
            disc_losses = self.discriminator_losses(*judged)
        disc_loss, disc_log_vars = self.parse_losses(disc_losses)
        disc_optim.update_params(disc_loss)
        log_vars.update(add_prefix(disc_log_vars, 'disc'))
        return log_vars
