"""Who may do what with volunteers, screening, training and Welcome Groups.

Object visibility is QuerySet.visible_to (Volunteer, WelcomeGroup); these rules decide actions.
"""

import rules

from accueil.core.permissions import is_manager_or_admin, is_staff_member


@rules.predicate
def is_volunteer_or_interpreter(user) -> bool:
    return user.is_authenticated and user.role in ("volunteer", "interpreter")


@rules.predicate
def coordinates_program(user, obj) -> bool:
    """Staff in charge of the object's program (admins and managers: every program)."""
    if not user.is_authenticated or obj is None:
        return False
    if user.role in ("admin", "program_manager"):
        return True
    program_id = getattr(obj, "program_id", None)
    return user.role == "coordinator" and user.programs.filter(pk=program_id).exists()


@rules.predicate
def is_own_volunteer_record(user, volunteer) -> bool:
    return volunteer is not None and volunteer.user_id == user.pk


rules.add_perm("volunteers.view_pipeline", is_staff_member)
rules.add_perm("volunteers.screen", coordinates_program)
rules.add_perm("volunteers.approve", coordinates_program)
rules.add_perm("volunteers.export", is_staff_member)
rules.add_perm("volunteers.manage_training", is_manager_or_admin)
rules.add_perm("volunteers.take_training", is_volunteer_or_interpreter | is_staff_member)
rules.add_perm("volunteers.manage_groups", is_staff_member)
rules.add_perm("volunteers.manage_group", coordinates_program)
rules.add_perm("volunteers.view_own_application", is_own_volunteer_record)
