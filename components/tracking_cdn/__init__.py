"""tracking-cdn: Pulumi components that put an HTTPS front door before an ESP's tracking endpoint.

Importing this package loads no cloud SDK. Import the front door you use:
``tracking_cdn.aws``, ``tracking_cdn.gcp``, ``tracking_cdn.azure``, ``tracking_cdn.cloudflare`` or
``tracking_cdn.fastly``; each loads only its own provider SDK.
"""

__version__ = "0.2.0"
