import rules

from accueil.core.permissions import is_manager_or_admin

rules.add_perm("messaging.view_outbox", is_manager_or_admin)
rules.add_perm("messaging.retry_message", is_manager_or_admin)
