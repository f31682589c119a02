"""Role predicates shared by every app's permissions.py. They read ``user.role`` only, so core
needs no import of the accounts app."""

import rules

ADMIN = "admin"
PROGRAM_MANAGER = "program_manager"
COORDINATOR = "coordinator"


def has_role(*roles: str):
    @rules.predicate(name=f"has_role({','.join(roles)})")
    def predicate(user) -> bool:
        return bool(user.is_authenticated and getattr(user, "role", None) in roles)

    return predicate


is_admin = has_role(ADMIN)
is_manager_or_admin = has_role(ADMIN, PROGRAM_MANAGER)
is_staff_member = has_role(ADMIN, PROGRAM_MANAGER, COORDINATOR)

rules.add_perm("core.view_audit", is_manager_or_admin)
