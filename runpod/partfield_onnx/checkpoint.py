"""Loading the published PartField Lightning checkpoint into our network, with clear errors."""

import importlib.abc
import importlib.util
import os
import sys
import types

import torch

from .network import UNUSED_PREFIXES

# Keys of each kind an error lists before it ends with "and N more".
LISTED_KEYS = 20


class CheckpointError(Exception):
    """A checkpoint that is missing, unreadable or does not fit the network."""


class _StandIn(dict):
    """Replaces classes a checkpoint pickled but this machine lacks (yacs, Lightning)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def __setstate__(self, state):
        self['_state'] = state

    # List-like pickles call these instead of __setitem__.
    def append(self, item):
        self.setdefault('_items', []).append(item)

    def extend(self, items):
        self.setdefault('_items', []).extend(items)


class _StandInModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        stand_in = type(name, (_StandIn,), {'__module__': self.__name__, '__qualname__': name})
        setattr(self, name, stand_in)
        return stand_in


class _StandInModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """
    While active, imports that no other finder resolves get an empty module whose classes are
    stand-ins. Lightning pickles its hyper-parameters (PartField's yacs CfgNode) beside the weights,
    and the export needs none of them. A custom pickle module cannot do this: PyTorch 1.13's
    torch.load replaces any `pickle_module` by `pickle` unless weights_only is set.
    """

    def __enter__(self):
        self.created = []
        sys.meta_path.append(self)
        return self

    def __exit__(self, *exc):
        sys.meta_path.remove(self)
        for name in self.created:
            sys.modules.pop(name, None)

    def find_spec(self, fullname, path, target=None):
        self.created.append(fullname)
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec):
        return _StandInModule(spec.name)

    def exec_module(self, module):
        module.__path__ = []


def read_checkpoint(path: str) -> dict:
    """Read `path` and return its state dict (the `state_dict` entry of a Lightning checkpoint)."""
    if not os.path.exists(path):
        raise CheckpointError(
            f'checkpoint not found: {path}; download model_objaverse.ckpt and pass its path '
            'with --checkpoint')
    if os.path.isdir(path):
        raise CheckpointError(f'{path} is a folder; expected the checkpoint file model_objaverse.ckpt')

    try:
        with _StandInModules():
            content = torch.load(path, map_location='cpu', weights_only=False)
    except Exception as error:  # torch.load raises many types for a file that is not a checkpoint
        raise CheckpointError(
            f'{path} is not a PyTorch checkpoint ({type(error).__name__}: {error}); expected a '
            'file saved by torch.save, such as model_objaverse.ckpt') from error

    if isinstance(content, dict) and isinstance(content.get('state_dict'), dict):
        return content['state_dict']
    if isinstance(content, dict) and content and all(
            isinstance(value, torch.Tensor) for value in content.values()):
        return content
    found = ', '.join(sorted(map(str, content))[:LISTED_KEYS]) if isinstance(content, dict) else \
        type(content).__name__
    raise CheckpointError(
        f'{path} contains no state_dict; expected a Lightning checkpoint with its tensors under '
        f'"state_dict" (found: {found})')


def _listing(keys: list) -> str:
    shown = ', '.join(keys[:LISTED_KEYS])
    more = len(keys) - LISTED_KEYS
    return shown + (f' and {more} more' if more > 0 else '')


def check_state_dict(model: torch.nn.Module, state: dict, source: str) -> dict:
    """
    Return the tensors of `state` that `model` uses, after checking that every parameter is there
    with its shape and nothing else is (besides the known unused SDF decoder and logit scale).
    """
    expected = model.state_dict()
    used = {k: v for k, v in state.items() if not k.startswith(UNUSED_PREFIXES)}
    missing = [k for k in expected if k not in used]
    unexpected = [k for k in used if k not in expected]
    misshaped = [
        f'{k} {tuple(used[k].shape)} (expected {tuple(expected[k].shape)})'
        for k in expected if k in used and tuple(used[k].shape) != tuple(expected[k].shape)]

    problems = []
    if missing:
        problems.append(f'{len(missing)} missing: {_listing(missing)}')
    if unexpected:
        problems.append(f'{len(unexpected)} unexpected: {_listing(unexpected)}')
    if misshaped:
        problems.append(f'{len(misshaped)} with the wrong shape: {_listing(misshaped)}')
    if problems:
        raise CheckpointError(
            f'{source} does not match the PartField network; keys ' + '; '.join(problems) +
            '. Expected the published model_objaverse.ckpt')
    return {k: v.float() for k, v in used.items()}


def load_checkpoint(model: torch.nn.Module, path: str) -> None:
    """Fill `model` from the checkpoint at `path` (strict: every key and shape must match)."""
    state = check_state_dict(model, read_checkpoint(path), path)
    model.load_state_dict(state, strict=True)
