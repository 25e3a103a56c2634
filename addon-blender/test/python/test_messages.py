"""Unit tests of the report texts: counted nouns, shortened daemon messages, limit advice."""

import unittest

from partfield_bridge.client import _describe_status
from partfield_bridge.messages import MeshSize, mesh_too_large, plural, shorten, with_daemon_message

URL = 'http://127.0.0.1:7860'
#: The daemon's 401 message for a wrong token (daemon/src/server/auth.ts), written for curl users.
DAEMON_401 = (
    'invalid access token; send the header Authorization: Bearer <token> (or ?access_token=<token>) with '
    'the token set in the PARTFIELD_TOKEN environment variable of the daemon'
)


class PluralTest(unittest.TestCase):
    def test_one_takes_the_singular(self):
        self.assertEqual(plural(1, 'part'), '1 part')
        self.assertEqual(plural(1, 'mesh', 'meshes'), '1 mesh')

    def test_other_counts_take_the_plural(self):
        self.assertEqual(plural(0, 'object'), '0 objects')
        self.assertEqual(plural(2, 'mesh', 'meshes'), '2 meshes')

    def test_thousands_are_grouped(self):
        self.assertEqual(plural(251904, 'triangle'), '251,904 triangles')


class ShortenTest(unittest.TestCase):
    def test_short_text_is_unchanged(self):
        self.assertEqual(shorten('queue full', 20), 'queue full')

    def test_long_text_ends_at_a_word_with_ellipsis(self):
        text = shorten(DAEMON_401, 60)
        self.assertLessEqual(len(text), 60)
        self.assertTrue(text.endswith('…'))
        self.assertTrue(DAEMON_401.startswith(text[:-1]))
        self.assertNotIn(text[-2], ' ;')

    def test_daemon_message_follows_the_advice(self):
        text = with_daemon_message('Do this.', 401, DAEMON_401, limit=50)
        self.assertTrue(text.startswith('Do this. (daemon: 401 invalid access token;'))
        self.assertTrue(text.endswith('…)'))


class StatusTextTest(unittest.TestCase):
    def test_wrong_token_starts_with_the_preferences_path(self):
        text = _describe_status(401, DAEMON_401, {'code': 'unauthorized'}, URL)
        self.assertTrue(text.startswith(f'The PartField daemon at {URL} rejected the token. Set the token in '
                                        'Preferences > Add-ons > PartField Bridge; the daemon prints it at start-up.'))
        self.assertLess(text.index('Preferences'), text.index('invalid access token'))
        self.assertLess(len(text), 260)

    def test_missing_token_says_a_token_is_needed(self):
        text = _describe_status(401, 'missing access token; send the header', {}, URL)
        self.assertTrue(text.startswith(f'The PartField daemon at {URL} needs a token.'))

    def test_forbidden_host_suggests_a_loopback_address(self):
        text = _describe_status(403, 'Host "pod.local" is not allowed', {'code': 'forbidden-host'}, URL)
        self.assertIn('only accepts requests addressed to localhost or 127.0.0.1', text)
        self.assertIn('PARTFIELD_TOKEN', text)

    def test_face_limit_names_the_flag(self):
        message = 'Table: the mesh has 672 faces; expected at most 300 (the configured limit)'
        text = _describe_status(413, message, {'code': 'invalid-mesh', 'reason': 'too-many-faces'}, URL)
        self.assertIn('--max-faces', text)
        self.assertIn('Use Modifiers', text)
        self.assertTrue(text.endswith(f'(daemon: 413 {message})'))

    def test_upload_limit_names_the_flag(self):
        text = _describe_status(413, 'request body over 1 MB', {'code': 'too-large'}, URL)
        self.assertIn('--max-upload-mb', text)
        self.assertNotIn('--max-faces', text)

    def test_invalid_mesh_keeps_the_whole_message(self):
        message = 'mesh.triangles triangle 3: vertex index 99 is out of range; expected 0 to 41. ' * 3
        text = _describe_status(422, message, {'field': 'mesh'}, URL)
        self.assertIn(message, text)


class MeshTooLargeTest(unittest.TestCase):
    def test_modifier_triangles_suggest_turning_modifiers_off(self):
        size = MeshSize(triangles=251904, base_faces=500, modifiers_add_faces=True)
        text = mesh_too_large('Suzanne', size, URL, limit=60000)
        self.assertTrue(text.startswith(f'"Suzanne" has more triangles than the daemon at {URL} accepts (60,000).'))
        self.assertIn('The modifiers turn its 500 faces into 251,904 triangles.', text)
        self.assertIn('Turn off Use Modifiers', text)
        self.assertIn('raise --max-faces', text)

    def test_plain_mesh_suggests_decimating(self):
        text = mesh_too_large('Table', MeshSize(triangles=1344, base_faces=672), URL, limit=300)
        self.assertIn('It has 1,344 triangles (672 faces).', text)
        self.assertNotIn('Use Modifiers', text)
        self.assertIn('Decimate the mesh', text)

    def test_upload_limit_names_its_flag(self):
        text = mesh_too_large('Scan', MeshSize(triangles=9, base_faces=9), URL, upload=True)
        self.assertIn('upload limit', text)
        self.assertIn('--max-upload-mb', text)


if __name__ == '__main__':
    unittest.main()
