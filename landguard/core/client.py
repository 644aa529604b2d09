"""The one answer to "which address is this client?" (login throttle, token throttle, OGC Basic brake, public
report limit).

Behind nginx every request comes from the proxy, so the client is in X-Forwarded-For; but anyone can write
that header, so it is believed only when the connecting address is one of LANDGUARD_TRUSTED_PROXIES. Each
trusted proxy appends the address it saw, so the header is read from the right, skipping our own proxies:
the first address not among them is the client (what a client wrote into the header further left is
ignored).
"""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def _trusted(address: str) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as text ("unknown" when the server was not told one)."""
    remote = request.META.get("REMOTE_ADDR", "").strip()
    if not remote or not _trusted(remote):
        return remote or "unknown"
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ip_address(hop)
        except ValueError:
            # A proxy never writes garbage; whatever stands here and further left came from the client.
            return remote
        if not _trusted(hop):
            return hop
    # Only our own proxies in the chain (a health check from the proxy host itself).
    return hops[0] if hops else remote
