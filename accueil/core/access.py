"""The one way a request fetches objects: scoped querysets, and 404 for anything out of scope.

"Not found" and "not allowed" look the same, so a URL never confirms that a record exists.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404


def get_visible_or_404(model, user, **lookup):
    """Fetch one object through ``model.objects.visible_to(user)`` or raise Http404."""
    return get_object_or_404(model.objects.visible_to(user), **lookup)


def require_perm(perm: str):
    """Sign-in required; without ``perm`` the page does not exist (404)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def paginate(request, queryset, per_page: int | None = None):
    from django.conf import settings
    from django.core.paginator import Paginator

    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
