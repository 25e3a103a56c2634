"""Cross-check the add-on's bpy-free code against the TypeScript side, driven by blender.test.ts.

Usage: blender -b --factory-startup --python-exit-code 1 --python interop.py -- INPUT_JSON OUTPUT_JSON

INPUT_JSON contains MessagePack messages written by msgpackr (base64) and random merge trees. The
output holds, per message, the decoded value as JSON and the add-on's own encoding of it (base64),
the add-on's cut of every tree at every requested part count, and the add-on's palette.
"""

import base64
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from partfield_bridge import msgpack_codec, palette  # noqa: E402
from partfield_bridge.part_tree import PartTree, cut_tree  # noqa: E402


def to_json(value):
    """Make a decoded value JSON-safe: bytes become {"$bin": base64}."""
    if isinstance(value, bytes):
        return {'$bin': base64.b64encode(value).decode('ascii')}
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    return value


def main():
    args = sys.argv[sys.argv.index('--') + 1:]
    with open(args[0]) as source:
        request = json.load(source)

    messages = []
    for encoded in request['messages']:
        value = msgpack_codec.decode(base64.b64decode(encoded))
        reencoded = msgpack_codec.encode(value)
        messages.append({'value': to_json(value), 'encoded': base64.b64encode(reencoded).decode('ascii')})

    cuts = []
    for tree in request['trees']:
        part_tree = PartTree(tree['leafCount'], tree['merges'])
        cuts.append({str(k): cut_tree(part_tree, k).tolist() for k in tree['ks']})

    with open(args[1], 'w') as out:
        json.dump({'messages': messages, 'cuts': cuts, 'palette': [list(c) for c in palette.PALETTE]}, out)


main()
