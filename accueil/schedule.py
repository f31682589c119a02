"""Periodic jobs: (name, task path, interval in seconds). Every job is an idempotent sweep,
so a late, doubled or skipped slot does no harm."""

PERIODIC_JOBS = [
    ("outbox-sweep", "accueil.messaging.tasks.sweep_outbox", 60),
    ("prune-task-results", "accueil.core.tasks.prune_task_results", 24 * 3600),
    ("volunteer-reminders", "accueil.volunteers.tasks.send_screening_reminders", 3600),
    ("checkin-reminders", "accueil.matches.tasks.send_checkin_reminders", 15 * 60),
    ("meeting-reminders", "accueil.matches.tasks_meetings.send_meeting_reminders", 15 * 60),
    ("survey-sweep", "accueil.surveys.tasks.sweep_surveys", 15 * 60),
]
