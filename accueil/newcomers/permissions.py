"""Who may do what with households. Visibility is Household.objects.visible_to()."""

import rules

from accueil.core.permissions import has_role, is_staff_member

is_partner = has_role("partner_referrer")

rules.add_perm("newcomers.refer", is_partner | is_staff_member)
rules.add_perm("newcomers.view_own_referrals", is_partner)
rules.add_perm("newcomers.manage_households", is_staff_member)
rules.add_perm("newcomers.override_eligibility", is_staff_member)
rules.add_perm("newcomers.merge", is_staff_member)
