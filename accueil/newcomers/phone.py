"""Phone numbers: validated and stored in E.164 (+14165550123), the form SMS and WhatsApp
providers expect and the one the keyed hash is computed on, so "416-555-0123" and
"+1 (416) 555 0123" are the same household.

Numbers without a country code are read as Canadian.
"""

import phonenumbers

DEFAULT_REGION = "CA"


class InvalidPhoneNumber(ValueError):
    pass


def normalise(raw: str, region: str = DEFAULT_REGION) -> str:
    """The number in E.164, or InvalidPhoneNumber when it cannot be a real number."""
    try:
        number = phonenumbers.parse(raw or "", region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(str(exc)) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(e164: str) -> str:
    """For people to read: national format for Canadian numbers, international otherwise."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
