"""tracking-cdn: Pulumi components that put an HTTPS front door before an ESP's tracking endpoint.

Importing this package loads no cloud SDK. Import the front door you use:
``tracking_cdn.aws``, ``tracking_cdn.gcp``, ``tracking_cdn.azure``, ``tracking_cdn.cloudflare``,
``tracking_cdn.fastly`` or ``tracking_cdn.keycdn`` (platform mode: ``tracking_cdn.platform.<cloud>``);
each loads only its own provider SDK.
"""

__version__ = "0.2.0"

SHIPPED_NAMESPACE = "tracking-cdn"
"""The project's name as shipped (``Pulumi.yaml``), hence the config namespace of tracking-cdn's own
settings and of every example stack's keys."""
