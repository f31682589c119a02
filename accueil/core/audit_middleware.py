from auditlog.middleware import AuditlogMiddleware

from .client_ip import client_ip


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware, with the client address taken the way the rest of Accueil takes it
    (auditlog trusts the first X-Forwarded-For entry, which any client can set)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None
