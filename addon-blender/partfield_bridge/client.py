"""HTTP client for the PartField bridge daemon, without bpy.

Speaks the daemon's /v1 API with the standard library only: MessagePack bodies through the
vendored codec, errors turned into ``DaemonError`` messages that tell a Blender user what to do.
"""

import http.client
import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from . import msgpack_codec
from .messages import TOKEN_ADVICE, shorten, with_daemon_message

__all__ = ['ClientSettings', 'DaemonClient', 'DaemonError', 'is_loopback_url']

log = logging.getLogger(__name__)

MSGPACK_TYPE = 'application/msgpack'
JSON_TYPE = 'application/json'
API_PREFIX = '/v1'
USER_AGENT = 'partfield-bridge-blender'


@dataclass(frozen=True)
class ClientSettings:
    """Daemon URL, token, and how long to wait for each response."""

    url: str
    token: str = ''
    #: Seconds to wait for the daemon to accept a connection and send each response.
    timeout: float = 30.0


class DaemonError(Exception):
    """A failed exchange with the daemon; ``str()`` is a message fit for a Blender report.

    ``code`` and ``reason`` are the daemon's error code and reason (see protocol/PROTOCOL.md), and
    ``daemon_message`` its own message, so callers can rewrite the report with what they know.
    """

    def __init__(self, message, status=None, code=None, retry_after=None, reason=None, daemon_message=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.reason = reason
        self.daemon_message = daemon_message


def is_loopback_url(url):
    """True when the URL's host is this computer (localhost, 127.0.0.0/8 or ::1)."""
    host = urllib.parse.urlsplit(url).hostname or ''
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DaemonClient:
    """One daemon at ``settings.url``. Every method raises ``DaemonError`` on failure."""

    def __init__(self, settings):
        self.settings = settings
        self.base_url = _check_base_url(settings.url)
        # A proxy from http_proxy would also receive loopback traffic unless no_proxy lists it.
        # Requests to this computer therefore bypass proxies, and other hosts use the system's settings.
        handlers = [urllib.request.ProxyHandler({})] if is_loopback_url(self.base_url) else []
        self._opener = urllib.request.build_opener(*handlers)

    def health(self):
        return self._request('GET', '/health')

    def submit(self, request):
        """POST /v1/segment with a MessagePack body; return the queued job's status map."""
        return self._request('POST', '/segment', body=msgpack_codec.encode(request), body_type=MSGPACK_TYPE)

    def job_status(self, job_id):
        return self._request('GET', f'/jobs/{_quote(job_id)}')

    def job_result(self, job_id):
        return self._request('GET', f'/jobs/{_quote(job_id)}/result')

    def recut(self, job_id, part_count, method=None):
        body = {'n_clusters': int(part_count)}
        if method:
            body['method'] = method
        path = f'/jobs/{_quote(job_id)}/recut'
        return self._request('POST', path, body=msgpack_codec.encode(body), body_type=MSGPACK_TYPE)

    def delete_job(self, job_id):
        return self._request('DELETE', f'/jobs/{_quote(job_id)}')

    # -----------------------------------------------------------------------------------------

    def _request(self, method, path, body=None, body_type=None):
        url = self.base_url + API_PREFIX + path
        headers = {'Accept': MSGPACK_TYPE, 'User-Agent': USER_AGENT}
        if body_type:
            headers['Content-Type'] = body_type
        if self.settings.token:
            headers['Authorization'] = f'Bearer {self.settings.token}'
        request = urllib.request.Request(url, data=body, headers=headers, method=method)

        try:
            with self._opener.open(request, timeout=self.settings.timeout) as response:
                payload = response.read()
                content_type = response.headers.get('Content-Type', '')
        except urllib.error.HTTPError as error:
            raise self._http_error(error, method, path) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise self._connection_error(error) from None
        return _decode_body(payload, content_type, f'{method} {path}')

    def _http_error(self, error, method, path):
        try:
            payload = error.read()
        except (OSError, http.client.HTTPException):
            payload = b''
        detail = _error_detail(payload, error.headers.get('Content-Type', ''))
        message = detail.get('message') or error.reason or 'no message'
        retry_after = _retry_after(error.headers.get('Retry-After'))
        log.info('daemon returned %d for %s %s: %s', error.code, method, path, message)
        text = _describe_status(error.code, message, detail, self.base_url)
        return DaemonError(
            text, status=error.code, code=detail.get('code'), retry_after=retry_after,
            reason=detail.get('reason'), daemon_message=message,
        )

    def _connection_error(self, error):
        reason = getattr(error, 'reason', error)
        timeout = self.settings.timeout
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return DaemonError(
                f'The PartField daemon at {self.base_url} did not respond within {timeout:g} s. '
                'Check that it is running and not overloaded, or raise Timeout in the add-on preferences.',
                code='timeout',
            )
        if isinstance(reason, ConnectionRefusedError):
            return DaemonError(
                f'No PartField daemon is running at {self.base_url} (connection refused). '
                'Start it with "npm start" in the partfield-bridge folder, or fix Daemon URL in the add-on preferences.',
                code='unreachable',
            )
        return DaemonError(
            f'Could not reach the PartField daemon at {self.base_url}: {reason}. '
            'Check Daemon URL in the add-on preferences and that the daemon is running.',
            code='unreachable',
        )


def _check_base_url(url):
    url = (url or '').strip().rstrip('/')
    parts = urllib.parse.urlsplit(url)
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
        valid = parts.scheme in ('http', 'https') and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise DaemonError(
            f'Invalid Daemon URL {url!r}: expected http://HOST:PORT, for example http://127.0.0.1:7860. '
            'Fix it in the add-on preferences.',
            code='invalid-url',
        )
    # The API lives under /v1 of the base URL; a pasted ".../v1" would double it.
    if parts.path.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    return url


def _quote(job_id):
    return urllib.parse.quote(str(job_id), safe='')


def _decode_body(payload, content_type, what):
    if not payload:
        return {}
    try:
        if 'msgpack' in content_type.lower():
            return msgpack_codec.decode(payload)
        return json.loads(payload.decode('utf-8'))
    except (msgpack_codec.MsgpackError, ValueError) as error:
        raise DaemonError(
            f'The daemon sent an unreadable response to {what} ({len(payload)} bytes of {content_type or "unknown type"}): '
            f'{error}. Check that Daemon URL points at a PartField bridge daemon.',
            code='bad-response',
        ) from None


def _error_detail(payload, content_type):
    """Return the ``error`` map of an error body, or an empty dict when it has none."""
    try:
        body = _decode_body(payload, content_type, 'an error')
    except DaemonError:
        return {}
    error = body.get('error') if isinstance(body, dict) else None
    if isinstance(error, dict):
        return error
    if isinstance(error, str):
        return {'message': error}
    return {}


def _retry_after(value):
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None


def _describe_status(status, message, detail, base_url):
    """Build the report text for an HTTP error status: what to do first, the daemon's message after."""
    if status == 401:
        missing = str(message).lower().startswith('missing')
        problem = 'needs a token' if missing else 'rejected the token'
        return with_daemon_message(f'The PartField daemon at {base_url} {problem}. {TOKEN_ADVICE}', status, message)
    if status == 403 and detail.get('code') == 'forbidden-host':
        return with_daemon_message(
            f'The PartField daemon at {base_url} has no token, so it only accepts requests addressed to '
            'localhost or 127.0.0.1. Use such an address in Daemon URL, or start the daemon with PARTFIELD_TOKEN '
            'and set that token in the add-on preferences.', status, message,
        )
    if status == 403:
        return with_daemon_message(
            f'The PartField daemon at {base_url} rejected the request. {TOKEN_ADVICE}', status, message,
        )
    if status == 413:
        if detail.get('code') == 'too-large':
            text = (
                f'The mesh is larger than the upload limit of the PartField daemon at {base_url}. Turn off Use '
                "Modifiers, decimate the mesh, or ask the daemon's administrator to raise --max-upload-mb."
            )
        else:
            text = (
                f'The mesh is over the face limit of the PartField daemon at {base_url}. Turn off Use Modifiers, '
                "decimate the mesh, or ask the daemon's administrator to raise --max-faces."
            )
        return with_daemon_message(text, status, message)
    if status == 429:
        return with_daemon_message(
            'The PartField daemon queue is full. Wait for running jobs to finish and try again.', status, message,
        )
    if status == 404:
        return with_daemon_message(
            f'The daemon at {base_url} no longer has this job. Results expire after a while or when the '
            "daemon's data folder is deleted; run Segment Selected again.", status, message,
        )
    if status in (400, 422):
        field = detail.get('field')
        where = f' (field {field})' if field else ''
        # The daemon's message is the whole point here (which value, which face), so it stays whole.
        return f'The PartField daemon rejected the request{where}: {message}'
    if status >= 500:
        return f"The PartField daemon failed ({status}): {shorten(message, 300)}. See the daemon's log for details."
    return f'The PartField daemon answered {status}: {shorten(message, 300)}'
