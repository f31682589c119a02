"""Who may use matching: staff only. Coordinators work within their programs (the querysets'
``visible_to`` decide which households and groups); weights are a manager's decision."""

import rules

from accueil.core.permissions import is_manager_or_admin, is_staff_member

rules.add_perm("matching.view", is_staff_member)
rules.add_perm("matching.propose", is_staff_member)
rules.add_perm("matching.run_batch", is_staff_member)
rules.add_perm("matching.change_settings", is_manager_or_admin)
