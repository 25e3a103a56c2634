"""Add-on preferences: where the daemon is, its token and how long to wait for it."""

import bpy
from bpy.props import FloatProperty, StringProperty

from .client import ClientSettings, is_loopback_url

__all__ = ['Preferences', 'client_settings', 'online_access_error']

DEFAULT_URL = 'http://127.0.0.1:7860'
DEFAULT_TIMEOUT = 30.0


class Preferences(bpy.types.AddonPreferences):
    # The package name: "partfield_bridge" as a legacy add-on, "bl_ext.<repo>.partfield_bridge"
    # as an extension, so preferences are found under either install.
    bl_idname = __package__

    daemon_url: StringProperty(
        name='Daemon URL', default=DEFAULT_URL,
        description='Base URL of the PartField bridge daemon (started with "npm start"), without /v1',
    )
    token: StringProperty(
        name='Token', subtype='PASSWORD', default='',
        description='Bearer token the daemon printed at start (PARTFIELD_TOKEN); not needed for a daemon on this computer',
    )
    timeout: FloatProperty(
        name='Timeout', default=DEFAULT_TIMEOUT, min=1.0, max=3600.0, soft_max=300.0, precision=0,
        description='Seconds to wait for each response of the daemon; jobs themselves may run longer',
    )

    def draw(self, context):
        layout = self.layout
        layout.prop(self, 'daemon_url')
        layout.prop(self, 'token')
        layout.prop(self, 'timeout')
        layout.operator('partfield.check_connection', icon='URL')


def client_settings(context):
    """Return the ``ClientSettings`` from the preferences (defaults when the add-on has none)."""
    addon = context.preferences.addons.get(__package__)
    if addon is None:
        return ClientSettings(DEFAULT_URL, '', DEFAULT_TIMEOUT)
    prefs = addon.preferences
    return ClientSettings(prefs.daemon_url.strip(), prefs.token.strip(), float(prefs.timeout))


def online_access_error(url):
    """Return a message when Blender forbids online access for a daemon on another computer."""
    if is_loopback_url(url):
        return None
    # bpy.app.online_access exists from Blender 4.2; older versions have no such switch.
    if getattr(bpy.app, 'online_access', True):
        return None
    return (
        f'Blender is set to work offline, and the daemon at {url} is on another computer. '
        'Allow Online Access in Preferences > System > Network, or run the daemon on this computer.'
    )


CLASSES = (Preferences,)
