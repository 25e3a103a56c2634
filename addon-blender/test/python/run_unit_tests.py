"""Run the add-on's bpy-free unit tests; works in Blender (blender -b --python) and in plain Python.

Usage: blender -b --factory-startup --python-exit-code 1 --python run_unit_tests.py
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON_ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    sys.path.insert(0, ADDON_ROOT)
    sys.path.insert(0, HERE)
    suite = unittest.defaultTestLoader.discover(HERE, pattern='test_*.py', top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        sys.exit(1)


main()
