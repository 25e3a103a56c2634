"""Unit tests of the vendored MessagePack codec against byte sequences from the format spec."""

import math
import unittest

import numpy as np

from partfield_bridge import msgpack_codec as codec


class EncodeTest(unittest.TestCase):
    def test_scalars_use_smallest_form(self):
        cases = [
            (None, b'\xc0'), (False, b'\xc2'), (True, b'\xc3'),
            (0, b'\x00'), (127, b'\x7f'), (128, b'\xcc\x80'), (255, b'\xcc\xff'),
            (256, b'\xcd\x01\x00'), (65536, b'\xce\x00\x01\x00\x00'),
            (2 ** 32, b'\xcf\x00\x00\x00\x01\x00\x00\x00\x00'),
            (-1, b'\xff'), (-32, b'\xe0'), (-33, b'\xd0\xdf'), (-129, b'\xd1\xff\x7f'),
            (-32769, b'\xd2\xff\xff\x7f\xff'), (-(2 ** 31) - 1, b'\xd3\xff\xff\xff\xff\x7f\xff\xff\xff'),
            (1.5, b'\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00'),
            ('', b'\xa0'), ('a', b'\xa1a'),
        ]
        for value, expected in cases:
            with self.subTest(value=value):
                self.assertEqual(codec.encode(value), expected)

    def test_string_headers_by_length(self):
        self.assertEqual(codec.encode('x' * 31)[:1], b'\xbf')
        self.assertEqual(codec.encode('x' * 32)[:2], b'\xd9\x20')
        self.assertEqual(codec.encode('x' * 256)[:3], b'\xda\x01\x00')
        self.assertEqual(codec.encode('x' * 65536)[:5], b'\xdb\x00\x01\x00\x00')

    def test_containers_by_size(self):
        self.assertEqual(codec.encode([1, 2]), b'\x92\x01\x02')
        self.assertEqual(codec.encode(list(range(16)))[:3], b'\xdc\x00\x10')
        self.assertEqual(codec.encode({'a': 1}), b'\x81\xa1a\x01')
        self.assertEqual(codec.encode({str(i): i for i in range(16)})[:3], b'\xde\x00\x10')

    def test_numpy_array_becomes_little_endian_bin(self):
        array = np.array([1.0, -2.5], dtype='>f4')
        encoded = codec.encode(array)
        self.assertEqual(encoded[:2], b'\xc4\x08')
        self.assertEqual(encoded[2:], np.array([1.0, -2.5], dtype='<f4').tobytes())

    def test_numpy_scalar_is_a_number(self):
        self.assertEqual(codec.encode(np.int32(300)), b'\xcd\x01\x2c')

    def test_rejects_unsupported_type(self):
        with self.assertRaises(codec.MsgpackError):
            codec.encode(object())

    def test_rejects_integer_over_64_bits(self):
        for value in (2 ** 64, -(2 ** 63) - 1):
            with self.subTest(value=value), self.assertRaises(codec.MsgpackError):
                codec.encode(value)


class DecodeTest(unittest.TestCase):
    def test_round_trip(self):
        value = {
            'name': 'mesh', 'n': -7, 'big': 2 ** 40, 'f': 0.25, 'ok': True, 'none': None,
            'list': [1, 'two', [3.5]], 'bytes': bytes(range(256)) * 300, 'empty': {},
        }
        self.assertEqual(codec.decode(codec.encode(value)), value)

    def test_float32(self):
        self.assertEqual(codec.decode(b'\xca\x3f\xc0\x00\x00'), 1.5)
        self.assertTrue(math.isnan(codec.decode(b'\xca\x7f\xc0\x00\x00')))

    def test_ext_types_are_kept(self):
        self.assertEqual(codec.decode(b'\xd4\x05\x01'), codec.ExtType(5, b'\x01'))
        self.assertEqual(codec.decode(b'\xc7\x02\xff\x01\x02'), codec.ExtType(-1, b'\x01\x02'))

    def test_truncated_input_names_offset(self):
        with self.assertRaisesRegex(codec.MsgpackError, 'truncated.*offset 1'):
            codec.decode(b'\xcd\x01')

    def test_trailing_bytes_rejected(self):
        with self.assertRaisesRegex(codec.MsgpackError, '1 unexpected bytes'):
            codec.decode(b'\x01\x02')

    def test_invalid_type_byte(self):
        with self.assertRaisesRegex(codec.MsgpackError, '0xc1'):
            codec.decode(b'\xc1')

    def test_invalid_utf8(self):
        with self.assertRaisesRegex(codec.MsgpackError, 'UTF-8'):
            codec.decode(b'\xa1\xff')

    def test_unhashable_key(self):
        with self.assertRaisesRegex(codec.MsgpackError, 'unhashable'):
            codec.decode(b'\x81\x90\x01')

    def test_huge_declared_length_fails_fast(self):
        with self.assertRaisesRegex(codec.MsgpackError, 'truncated'):
            codec.decode(b'\xdd\xff\xff\xff\xff\x01')

    def test_deep_nesting_rejected(self):
        with self.assertRaisesRegex(codec.MsgpackError, 'nested deeper'):
            codec.decode(b'\x91' * 100 + b'\x01')


if __name__ == '__main__':
    unittest.main()
