"""Checkpoint loading: strict success on a Lightning-style file, and the error for each bad input."""

import os
import pickle
import sys
import tempfile
import types
import unittest

import torch

from partfield_onnx.checkpoint import CheckpointError, check_state_dict, load_checkpoint, read_checkpoint
from partfield_onnx.golden import fill_by_rule
from partfield_onnx.network import FULL, REDUCED, PartFieldEncoder


def _fake_yacs_module():
    """A module that exists only while the checkpoint is written, as yacs is absent on a pod."""
    module = types.ModuleType('fake_yacs_config')

    class CfgNode(dict):
        pass

    CfgNode.__module__ = 'fake_yacs_config'
    CfgNode.__qualname__ = 'CfgNode'
    module.CfgNode = CfgNode
    return module


class ReadCheckpointTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_missing_file(self):
        with self.assertRaisesRegex(CheckpointError, 'checkpoint not found: .*absent.ckpt'):
            read_checkpoint(self.path('absent.ckpt'))

    def test_folder(self):
        with self.assertRaisesRegex(CheckpointError, 'is a folder'):
            read_checkpoint(self.dir.name)

    def test_not_a_checkpoint(self):
        with open(self.path('notes.ckpt'), 'w') as file:
            file.write('not a checkpoint')
        with self.assertRaisesRegex(CheckpointError, 'is not a PyTorch checkpoint'):
            read_checkpoint(self.path('notes.ckpt'))

    def test_no_state_dict(self):
        torch.save({'epoch': 3, 'optimizer_states': []}, self.path('trainer.ckpt'))
        with self.assertRaisesRegex(CheckpointError, 'contains no state_dict.*epoch, optimizer_states'):
            read_checkpoint(self.path('trainer.ckpt'))

    def test_unknown_classes_become_stand_ins(self):
        module = _fake_yacs_module()
        sys.modules[module.__name__] = module
        try:
            config = module.CfgNode(triplane_resolution=128)
            torch.save({'state_dict': {'a': torch.zeros(2)}, 'hyper_parameters': {'cfg': config}},
                       self.path('lightning.ckpt'), pickle_protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            del sys.modules[module.__name__]
        state = read_checkpoint(self.path('lightning.ckpt'))
        self.assertEqual(list(state), ['a'])


class CheckStateDictTest(unittest.TestCase):
    def setUp(self):
        self.model = PartFieldEncoder(REDUCED)
        self.state = dict(self.model.state_dict())
        self.state['sdf_decoder.layers.0.weight'] = torch.zeros(64, 64)
        self.state['logit_scale'] = torch.ones(1)

    def test_accepts_unused_sdf_decoder(self):
        used = check_state_dict(self.model, self.state, 'model.ckpt')
        self.assertNotIn('logit_scale', used)
        self.assertEqual(len(used), len(self.model.state_dict()))

    def test_lists_missing_keys(self):
        del self.state['triplane_transformer.pos_embed']
        with self.assertRaisesRegex(CheckpointError, '1 missing: triplane_transformer.pos_embed'):
            check_state_dict(self.model, self.state, 'model.ckpt')

    def test_lists_unexpected_keys(self):
        self.state['pvcnn.extra.weight'] = torch.zeros(1)
        with self.assertRaisesRegex(CheckpointError, '1 unexpected: pvcnn.extra.weight'):
            check_state_dict(self.model, self.state, 'model.ckpt')

    def test_lists_misshaped_keys(self):
        self.state['triplane_transformer.upsampler.bias'] = torch.zeros(7)
        with self.assertRaisesRegex(
                CheckpointError, r'1 with the wrong shape: triplane_transformer.upsampler.bias \(7,\)'):
            check_state_dict(self.model, self.state, 'model.ckpt')

    def test_shortens_long_lists(self):
        state = {k: v for k, v in self.state.items() if not k.startswith('pvcnn.')}
        with self.assertRaisesRegex(CheckpointError, r'missing: .* and \d+ more'):
            check_state_dict(self.model, state, 'model.ckpt')


class FullCheckpointTest(unittest.TestCase):
    def test_loads_full_width_strictly(self):
        source = PartFieldEncoder(FULL)
        fill_by_rule(source)
        state = dict(source.state_dict())
        state['logit_scale'] = torch.ones(1)
        for i in (0, 2, 4, 6, 8, 10):
            state[f'sdf_decoder.layers.{i}.weight'] = torch.zeros(64, 64)
        state['sdf_decoder.layers.12.weight'] = torch.zeros(1, 64)

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, 'model_objaverse.ckpt')
            torch.save({'state_dict': state, 'epoch': 50}, path)
            target = PartFieldEncoder(FULL)
            load_checkpoint(target, path)

        key = 'triplane_transformer.upsampler.weight'
        self.assertTrue(torch.equal(target.state_dict()[key], source.state_dict()[key]))


if __name__ == '__main__':
    unittest.main()
