"""Run the add-on's bpy-free unit tests; works in Blender (blender -b --python) and in plain Python.

Usage: blender -b --factory-startup --python-exit-code 1 --python run_unit_tests.py
"""

import os
import sys
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON_ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    sys.path.insert(0, ADDON_ROOT)
    sys.path.insert(0, HERE)
    try:
        import bpy  # noqa: F401
    except ImportError:
        # The package's __init__ registers Blender classes; outside Blender, load only its modules.
        package = types.ModuleType('partfield_bridge')
        package.__path__ = [os.path.join(ADDON_ROOT, 'partfield_bridge')]
        sys.modules['partfield_bridge'] = package
    suite = unittest.defaultTestLoader.discover(HERE, pattern='test_*.py', top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        sys.exit(1)


main()
