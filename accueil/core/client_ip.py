"""The client's address, trusting X-Forwarded-For only as far as our own proxies.

With PROXY_COUNT=0 (no proxy) the header is ignored: a client could write anything in it.
Behind N proxies the address is the N-th entry from the right, the one our outermost proxy saw.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    count = settings.PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def axes_client_ip(request) -> str | None:
    return client_ip(request)
