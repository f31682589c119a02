"""Screening a volunteer: steps, references, documents, the code of conduct and approval.

Every function here is one transaction that writes its audit entry and queues its mail
(rendered in the recipient's language) in that same transaction. Views, commands and tasks all
call these; none of them changes a volunteer's screening any other way.

The package splits the work by topic; import from here."""

from .common import (  # noqa: F401
    CODE_OF_CONDUCT_VERSION,
    POLICE_CHECK_VALID_YEARS,
    REFERENCE_QUESTIONS,
    REFERENCE_RESEND_MIN_INTERVAL,
    REFERENCES_ACCEPTED,
    REFERENCES_CONCERN,
    REQUIRED_REFERENCES,
    STATUS_CODES,
    InterviewOutcome,
    _append_note,
    _check_step,
    _complete,
    _create_steps,
    _date,
    _email_volunteer,
    _language,
    _lock,
    _require,
    _set_status,
    _site_link,
    _step,
    _steps_for,
    host_name,
    send_email,
)
from .decisions import (  # noqa: F401
    SETTABLE_STATUSES,
    eligible_coordinators,
    screening_start,
    volunteer_approve,
    volunteer_assign_coordinator,
    volunteer_send_reminders,
    volunteer_set_status,
    volunteer_todo,
)
from .references import (  # noqa: F401
    _clean_answers,
    _refresh_references_step,
    _request_reference,
    _save_answer,
    _tell_coordinator_about_concern,
    reference_add,
    reference_answer,
    reference_record_by_phone,
    reference_reminder_key,
    reference_request,
    references_accept,
)
from .steps import (  # noqa: F401
    _refresh_code_of_conduct_step,
    _store_document,
    _sync_training,
    add_years,
    code_of_conduct_sign,
    document_upload_by_volunteer,
    document_viewed,
    interview_record,
    interview_schedule,
    orientation_record,
    police_check_record,
    screening_sync_training,
    training_mark_done,
)
