"""Who may do what with surveys. Which administrations a person sees is
``Administration.objects.visible_to()``; an interpreter reaches only the interviews they are
named on (``access.py``)."""

import rules

from accueil.core.permissions import is_manager_or_admin, is_staff_member

# Send links, run phone interviews, enter paper forms, import answer files.
rules.add_perm("surveys.administer", is_staff_member)
# The impact report and its CSV: aggregated, suppressed under the small-count thresholds.
rules.add_perm("surveys.view_report", is_staff_member)
# Item-level answers of consenting respondents, de-identified, and custom instruments.
rules.add_perm("surveys.research_export", is_manager_or_admin)
rules.add_perm("surveys.manage_instruments", is_manager_or_admin)
