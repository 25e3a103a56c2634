"""A minimal MessagePack decoder (standard library only) for the daemon's responses.

It reads exactly the formats the daemon writes: nil, booleans, integers, floats, strings, bin,
arrays and maps. Extension types never occur on the wire, so they raise an error here.
Typed-array fields arrive as bin; unpack them with the field's dtype, for example
array.array("i", data) for int32 labels (then byteswap() on a big-endian machine).
"""
import struct

_FIXED = {0xC0: None, 0xC2: False, 0xC3: True}
_NUMBERS = {0xCA: ">f", 0xCB: ">d", 0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q",
            0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q"}
_LENGTHS = {0xC4: ">B", 0xC5: ">H", 0xC6: ">I", 0xD9: ">B", 0xDA: ">H", 0xDB: ">I",
            0xDC: ">H", 0xDD: ">I", 0xDE: ">H", 0xDF: ">I"}


def unpackb(data):
    value, end = _read(memoryview(data), 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes left after the message")
    return value


def _read(data, at):
    kind = data[at]
    at += 1
    if kind <= 0x7F or kind >= 0xE0:
        return (kind if kind <= 0x7F else kind - 0x100), at
    if 0x80 <= kind <= 0x8F:
        return _map(data, at, kind & 0x0F)
    if 0x90 <= kind <= 0x9F:
        return _array(data, at, kind & 0x0F)
    if 0xA0 <= kind <= 0xBF:
        return _text(data, at, kind & 0x1F)
    if kind in _FIXED:
        return _FIXED[kind], at
    if kind in _NUMBERS:
        form = _NUMBERS[kind]
        return struct.unpack_from(form, data, at)[0], at + struct.calcsize(form)
    if kind in _LENGTHS:
        form = _LENGTHS[kind]
        length = struct.unpack_from(form, data, at)[0]
        at += struct.calcsize(form)
        if kind <= 0xC6:
            return bytes(data[at:at + length]), at + length
        if kind <= 0xDB:
            return _text(data, at, length)
        return _array(data, at, length) if kind <= 0xDD else _map(data, at, length)
    raise ValueError(f"unsupported MessagePack type byte 0x{kind:02x} at offset {at - 1}")


def _text(data, at, length):
    return bytes(data[at:at + length]).decode("utf-8"), at + length


def _array(data, at, count):
    items = []
    for _ in range(count):
        item, at = _read(data, at)
        items.append(item)
    return items, at


def _map(data, at, count):
    result = {}
    for _ in range(count):
        key, at = _read(data, at)
        result[key], at = _read(data, at)
    return result, at
