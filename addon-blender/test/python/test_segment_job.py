"""Unit tests of the face-limit check before a job is sent, against a loopback HTTP server.

The server responds as the daemon does (protocol/PROTOCOL.md: /v1/health limits, JSON errors) and
records the requests, so the tests see whether a mesh over the limit was uploaded at all.
"""

import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from partfield_bridge.client import ClientSettings, DaemonClient, DaemonError
from partfield_bridge.messages import MeshSize
from partfield_bridge.segment_job import build_request, run_segment

FACE_LIMIT = 100
DAEMON_413 = 'Cube: the mesh has 768 triangles; expected at most 100 (the configured limit)'


class FakeDaemon(BaseHTTPRequestHandler):
    """/v1/health with limits (404 when ``health`` is off) and a 413 for every POST /v1/segment."""

    def do_GET(self):
        self.server.requests.append(('GET', self.path))
        if self.path == '/v1/health' and self.server.health:
            self._send(200, {'status': 'ok', 'limits': {'maxUploadBytes': 1 << 20, 'maxFaces': FACE_LIMIT}})
        else:
            self._send(404, {'error': {'code': 'not-found', 'message': f'no route {self.path}'}})

    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.server.requests.append(('POST', self.path))
        self._send(413, {'error': {'code': 'invalid-mesh', 'reason': 'too-many-faces', 'message': DAEMON_413}})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class FaceLimitTest(unittest.TestCase):
    def setUp(self):
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), FakeDaemon)
        self.server.requests = []
        self.server.health = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.client = DaemonClient(ClientSettings(f'http://127.0.0.1:{self.server.server_address[1]}', '', 5.0))

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def segment(self, triangle_count, size):
        positions = np.zeros((3, 3), dtype=np.float32)
        triangles = np.zeros((triangle_count, 3), dtype=np.uint32)
        polygons = np.arange(triangle_count, dtype=np.uint32) // 128
        request = build_request('Cube', positions, triangles, polygons, {'n_clusters': 2})
        with self.assertRaises(DaemonError) as caught:
            run_segment(self.client, request, int(polygons[-1]) + 1, threading.Event(), size=size)
        return caught.exception

    def test_over_limit_is_not_uploaded(self):
        error = self.segment(768, MeshSize(triangles=768, base_faces=6, modifiers_add_faces=True))
        self.assertEqual(error.status, 413)
        self.assertNotIn(('POST', '/v1/segment'), self.server.requests)
        self.assertIn('has more triangles than the daemon', str(error))
        self.assertIn('accepts (100)', str(error))
        self.assertIn('turn its 6 faces into 768 triangles', str(error))
        self.assertIn('Turn off Use Modifiers', str(error))

    def test_daemon_413_gets_advice_first(self):
        # A daemon without /v1/health is not checked first, so its own 413 is what the user sees.
        self.server.health = False
        error = self.segment(768, MeshSize(triangles=768, base_faces=6, modifiers_add_faces=True))
        self.assertIn(('POST', '/v1/segment'), self.server.requests)
        self.assertTrue(str(error).startswith(f'"Cube" is over the face limit of the daemon at {self.client.base_url}.'))
        self.assertIn('--max-faces', str(error))
        self.assertTrue(str(error).endswith(f'(daemon: 413 {DAEMON_413})'))

    def test_under_limit_is_sent(self):
        error = self.segment(64, MeshSize(triangles=64, base_faces=64))
        self.assertIn(('POST', '/v1/segment'), self.server.requests)
        self.assertIn('--max-faces', str(error))


if __name__ == '__main__':
    unittest.main()
