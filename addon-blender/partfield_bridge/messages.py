"""Report texts shared by the operators and the daemon client, without bpy.

Blender shows a report on one line: in the status bar, or in a popup as wide as the window. So
each text starts with what failed and what to do. The daemon's own message, written for curl
users, comes last and shortened.
"""

from dataclasses import dataclass

__all__ = ['MeshSize', 'plural', 'shorten', 'with_daemon_message', 'mesh_too_large', 'TOKEN_ADVICE']

#: Characters of a daemon message kept at the end of a report.
DAEMON_MESSAGE_LIMIT = 80

TOKEN_ADVICE = 'Set the token in Preferences > Add-ons > PartField Bridge; the daemon prints it at start-up.'


@dataclass(frozen=True)
class MeshSize:
    """Size of the mesh one request sends, for messages about the daemon's face limit."""

    triangles: int
    #: Faces of the object's own mesh, before modifiers.
    base_faces: int
    #: True when modifiers made more triangles than the object's own mesh has.
    modifiers_add_faces: bool = False


def plural(count, singular, plural_form=None):
    """Return ``count`` with its noun: ``plural(1, 'part')`` is ``1 part``, 2 gives ``2 parts``."""
    noun = singular if count == 1 else (plural_form or f'{singular}s')
    return f'{count:,} {noun}'


def shorten(text, limit=DAEMON_MESSAGE_LIMIT):
    """Cut ``text`` to at most ``limit`` characters at a word boundary, ending with an ellipsis."""
    text = ' '.join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(' ')
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(' ,;:.') + '…'


def with_daemon_message(text, status, message, limit=DAEMON_MESSAGE_LIMIT):
    """Append the daemon's status and message, shortened, after the add-on's own ``text``."""
    if not message:
        return f'{text} (daemon: {status})' if status else text
    prefix = f'{status} ' if status else ''
    return f'{text} (daemon: {prefix}{shorten(message, limit)})'


def mesh_too_large(name, size, base_url, limit=None, upload=False):
    """Explain that ``name`` exceeds the daemon's face or upload limit, and what to do about it."""
    if upload:
        what = f'"{name}" is larger than the upload limit of the daemon at {base_url}'
        admin = "ask the daemon's administrator to raise --max-upload-mb"
    elif limit:
        what = f'"{name}" has more triangles than the daemon at {base_url} accepts ({limit:,})'
        admin = "ask the daemon's administrator to raise --max-faces"
    else:
        what = f'"{name}" is over the face limit of the daemon at {base_url}'
        admin = "ask the daemon's administrator to raise --max-faces"

    if size is None:
        sent = ''
    elif size.modifiers_add_faces:
        sent = f' The modifiers turn its {plural(size.base_faces, "face")} into {plural(size.triangles, "triangle")}.'
    else:
        sent = f' It has {plural(size.triangles, "triangle")} ({plural(size.base_faces, "face")}).'

    if size is not None and size.modifiers_add_faces:
        todo = f'Turn off Use Modifiers (or lower the Subdivision levels), decimate the mesh, or {admin}.'
    else:
        todo = f'Decimate the mesh, or {admin}.'
    return f'{what}.{sent} {todo}'
