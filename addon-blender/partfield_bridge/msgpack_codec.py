"""MessagePack encoder and decoder in pure Python.

Blender bundles no msgpack package, and an add-on may not install one, so the daemon protocol is
read and written with this module. It implements the format specification
(https://github.com/msgpack/msgpack/blob/master/spec.md) for every type the protocol uses: nil,
bool, int up to 64 bits, float32/float64, str, bin, array and map. Extension values decode to
``ExtType`` so an unexpected one is reported, not misread.

Typed arrays travel as ``bin`` holding the array's little-endian bytes. ``encode`` writes any
object with a ``tobytes`` method and a ``dtype`` (a numpy array) that way, converting it to
little-endian first.
"""

import struct
from collections import namedtuple

__all__ = ['ExtType', 'MsgpackError', 'encode', 'decode']

ExtType = namedtuple('ExtType', ('code', 'data'))


class MsgpackError(ValueError):
    """Raised for bytes that are not valid MessagePack and for values that cannot be encoded."""


# Nesting deeper than this is certainly not a protocol message; stopping early keeps a hostile
# or corrupt body from exhausting Python's recursion limit.
MAX_DEPTH = 64

_UINT8 = struct.Struct('>B')
_UINT16 = struct.Struct('>H')
_UINT32 = struct.Struct('>I')
_UINT64 = struct.Struct('>Q')
_INT8 = struct.Struct('>b')
_INT16 = struct.Struct('>h')
_INT32 = struct.Struct('>i')
_INT64 = struct.Struct('>q')
_FLOAT32 = struct.Struct('>f')
_FLOAT64 = struct.Struct('>d')


# ---------------------------------------------------------------------------------------------
# Encoder


def encode(value):
    """Encode a Python value: None, bool, int, float, str, bytes, list, tuple, dict or numpy array."""
    out = bytearray()
    _encode_into(out, value, 0)
    return bytes(out)


def _encode_into(out, value, depth):
    if depth > MAX_DEPTH:
        raise MsgpackError(f'value nested deeper than {MAX_DEPTH} levels')

    if value is None:
        out.append(0xC0)
    elif value is True:
        out.append(0xC3)
    elif value is False:
        out.append(0xC2)
    elif isinstance(value, int):
        _encode_int(out, value)
    elif isinstance(value, float):
        out.append(0xCB)
        out += _FLOAT64.pack(value)
    elif isinstance(value, str):
        _encode_str(out, value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        _encode_bin(out, bytes(value))
    elif hasattr(value, 'dtype') and getattr(value, 'ndim', 0) == 0:
        # a numpy scalar (numpy.int32(3)) is a number, not a one-element array
        _encode_into(out, value.item(), depth)
    elif hasattr(value, 'dtype') and hasattr(value, 'tobytes'):
        _encode_array_bytes(out, value)
    elif isinstance(value, (list, tuple)):
        _encode_header(out, len(value), 0x90, 0xDC, 0xDD, 15)
        for item in value:
            _encode_into(out, item, depth + 1)
    elif isinstance(value, dict):
        _encode_header(out, len(value), 0x80, 0xDE, 0xDF, 15)
        for key, item in value.items():
            _encode_into(out, key, depth + 1)
            _encode_into(out, item, depth + 1)
    else:
        raise MsgpackError(f'cannot encode {type(value).__name__} as MessagePack')


def _encode_int(out, value):
    if 0 <= value <= 0x7F:
        out.append(value)
    elif -32 <= value < 0:
        out.append(value & 0xFF)
    elif value > 0:
        _encode_unsigned(out, value)
    else:
        _encode_negative(out, value)


def _encode_unsigned(out, value):
    if value <= 0xFF:
        out.append(0xCC)
        out += _UINT8.pack(value)
    elif value <= 0xFFFF:
        out.append(0xCD)
        out += _UINT16.pack(value)
    elif value <= 0xFFFF_FFFF:
        out.append(0xCE)
        out += _UINT32.pack(value)
    elif value <= 0xFFFF_FFFF_FFFF_FFFF:
        out.append(0xCF)
        out += _UINT64.pack(value)
    else:
        raise MsgpackError(f'integer {value} does not fit in 64 bits')


def _encode_negative(out, value):
    if value >= -0x80:
        out.append(0xD0)
        out += _INT8.pack(value)
    elif value >= -0x8000:
        out.append(0xD1)
        out += _INT16.pack(value)
    elif value >= -0x8000_0000:
        out.append(0xD2)
        out += _INT32.pack(value)
    elif value >= -0x8000_0000_0000_0000:
        out.append(0xD3)
        out += _INT64.pack(value)
    else:
        raise MsgpackError(f'integer {value} does not fit in 64 bits')


def _encode_str(out, value):
    data = value.encode('utf-8')
    size = len(data)
    if size <= 31:
        out.append(0xA0 | size)
    elif size <= 0xFF:
        out.append(0xD9)
        out += _UINT8.pack(size)
    else:
        _encode_sized(out, size, 0xDA, 0xDB)
    out += data


def _encode_bin(out, data):
    size = len(data)
    if size <= 0xFF:
        out.append(0xC4)
        out += _UINT8.pack(size)
    else:
        _encode_sized(out, size, 0xC5, 0xC6)
    out += data


def _encode_array_bytes(out, array):
    # numpy spells byte order in the dtype: '<' little-endian, '|' not applicable (one byte),
    # '=' native. astype with an explicit '<' type swaps bytes only on a big-endian host.
    dtype = array.dtype
    if dtype.byteorder not in ('<', '|') and dtype.itemsize > 1:
        array = array.astype(dtype.newbyteorder('<'))
    _encode_bin(out, array.tobytes(order='C'))


def _encode_header(out, size, fix_base, code16, code32, fix_max):
    if size <= fix_max:
        out.append(fix_base | size)
    else:
        _encode_sized(out, size, code16, code32)


def _encode_sized(out, size, code16, code32):
    if size <= 0xFFFF:
        out.append(code16)
        out += _UINT16.pack(size)
    elif size <= 0xFFFF_FFFF:
        out.append(code32)
        out += _UINT32.pack(size)
    else:
        raise MsgpackError(f'{size} items or bytes exceed the MessagePack limit of 2**32 - 1')


# ---------------------------------------------------------------------------------------------
# Decoder


def decode(data):
    """Decode exactly one MessagePack value from ``data``; ``bin`` comes back as ``bytes``."""
    view = memoryview(data)
    reader = _Reader(view)
    value = reader.read_value(0)
    if reader.offset != len(view):
        extra = len(view) - reader.offset
        raise MsgpackError(f'{extra} unexpected bytes after the value ending at offset {reader.offset}')
    return value


class _Reader:
    """Cursor over the input; every read checks the remaining length first."""

    def __init__(self, view):
        self.view = view
        self.offset = 0

    def take(self, count):
        end = self.offset + count
        if end > len(self.view):
            raise MsgpackError(
                f'truncated MessagePack: needed {count} bytes at offset {self.offset}, '
                f'only {len(self.view) - self.offset} left'
            )
        chunk = self.view[self.offset:end]
        self.offset = end
        return chunk

    def unpack(self, fmt):
        return fmt.unpack(self.take(fmt.size))[0]

    def read_value(self, depth):
        if depth > MAX_DEPTH:
            raise MsgpackError(f'value nested deeper than {MAX_DEPTH} levels at offset {self.offset}')
        start = self.offset
        code = self.unpack(_UINT8)

        # fixed-size forms: the type and a small length or value share the first byte
        if code <= 0x7F:
            return code
        if code >= 0xE0:
            return code - 0x100
        if 0x80 <= code <= 0x8F:
            return self.read_map(code & 0x0F, depth)
        if 0x90 <= code <= 0x9F:
            return self.read_array(code & 0x0F, depth)
        if 0xA0 <= code <= 0xBF:
            return self.read_str(code & 0x1F, start)

        handler = _HANDLERS.get(code)
        if handler is None:
            raise MsgpackError(f'invalid MessagePack type byte 0x{code:02x} at offset {start}')
        return handler(self, depth, start)

    def read_str(self, size, start):
        try:
            return str(self.take(size), 'utf-8')
        except UnicodeDecodeError as error:
            raise MsgpackError(f'invalid UTF-8 in string at offset {start}: {error.reason}') from None

    def read_array(self, size, depth):
        return [self.read_value(depth + 1) for _ in range(size)]

    def read_map(self, size, depth):
        result = {}
        for _ in range(size):
            key_offset = self.offset
            key = self.read_value(depth + 1)
            if isinstance(key, (list, dict)):
                raise MsgpackError(f'unhashable map key ({type(key).__name__}) at offset {key_offset}')
            result[key] = self.read_value(depth + 1)
        return result

    def read_ext(self, size):
        code = self.unpack(_INT8)
        return ExtType(code, bytes(self.take(size)))


def _sized(fmt, read):
    return lambda reader, depth, start: read(reader, reader.unpack(fmt), depth, start)


_HANDLERS = {
    0xC0: lambda reader, depth, start: None,
    0xC2: lambda reader, depth, start: False,
    0xC3: lambda reader, depth, start: True,
    0xC4: _sized(_UINT8, lambda r, n, d, s: bytes(r.take(n))),
    0xC5: _sized(_UINT16, lambda r, n, d, s: bytes(r.take(n))),
    0xC6: _sized(_UINT32, lambda r, n, d, s: bytes(r.take(n))),
    0xC7: _sized(_UINT8, lambda r, n, d, s: r.read_ext(n)),
    0xC8: _sized(_UINT16, lambda r, n, d, s: r.read_ext(n)),
    0xC9: _sized(_UINT32, lambda r, n, d, s: r.read_ext(n)),
    0xCA: lambda reader, depth, start: reader.unpack(_FLOAT32),
    0xCB: lambda reader, depth, start: reader.unpack(_FLOAT64),
    0xCC: lambda reader, depth, start: reader.unpack(_UINT8),
    0xCD: lambda reader, depth, start: reader.unpack(_UINT16),
    0xCE: lambda reader, depth, start: reader.unpack(_UINT32),
    0xCF: lambda reader, depth, start: reader.unpack(_UINT64),
    0xD0: lambda reader, depth, start: reader.unpack(_INT8),
    0xD1: lambda reader, depth, start: reader.unpack(_INT16),
    0xD2: lambda reader, depth, start: reader.unpack(_INT32),
    0xD3: lambda reader, depth, start: reader.unpack(_INT64),
    0xD4: lambda reader, depth, start: reader.read_ext(1),
    0xD5: lambda reader, depth, start: reader.read_ext(2),
    0xD6: lambda reader, depth, start: reader.read_ext(4),
    0xD7: lambda reader, depth, start: reader.read_ext(8),
    0xD8: lambda reader, depth, start: reader.read_ext(16),
    0xD9: _sized(_UINT8, lambda r, n, d, s: r.read_str(n, s)),
    0xDA: _sized(_UINT16, lambda r, n, d, s: r.read_str(n, s)),
    0xDB: _sized(_UINT32, lambda r, n, d, s: r.read_str(n, s)),
    0xDC: _sized(_UINT16, lambda r, n, d, s: r.read_array(n, d)),
    0xDD: _sized(_UINT32, lambda r, n, d, s: r.read_array(n, d)),
    0xDE: _sized(_UINT16, lambda r, n, d, s: r.read_map(n, d)),
    0xDF: _sized(_UINT32, lambda r, n, d, s: r.read_map(n, d)),
}
