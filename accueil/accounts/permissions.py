"""Who may do what with people, invitations and configuration.

Each rule is a ``rules`` predicate so templates can ask ``{% has_perm %}`` and views can ask
``user.has_perm("accounts.invite")``; object visibility itself lives in QuerySet.visible_to().
"""

import rules

from accueil.core.permissions import is_manager_or_admin, is_staff_member

from .models import Role


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and user.pk == person.pk


rules.add_perm("accounts.list_people", is_staff_member)
rules.add_perm("accounts.view_person", is_staff_member | is_self)
rules.add_perm("accounts.invite", is_staff_member)
rules.add_perm("accounts.manage_invitation", is_staff_member)
rules.add_perm("accounts.view_organisations", is_staff_member)


def can_invite(user, role: str) -> bool:
    return user.has_perm("accounts.invite") and role in user.invitable_roles()


@rules.predicate
def can_manage_person_predicate(user, person) -> bool:
    """Admins manage everyone but themselves; managers manage everyone below them."""
    if person is None or not user.is_authenticated or user.pk == person.pk:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.PROGRAM_MANAGER and person.role not in (
        Role.ADMIN,
        Role.PROGRAM_MANAGER,
    )


rules.add_perm("accounts.manage_configuration", is_manager_or_admin)
rules.add_perm("accounts.manage_person", can_manage_person_predicate)
