"""Who may do what with matches. Visibility is Match.objects.visible_to()."""

import rules

from accueil.core.permissions import is_staff_member

rules.add_perm("matches.propose", is_staff_member)
