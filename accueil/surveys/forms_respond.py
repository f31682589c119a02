"""The one-question form of the respondent's pages.

The form only checks what came in; the template writes the markup itself (large radio rows,
the question as the legend). Its messages come from ``interface.yaml``, not gettext: the page
may be in Farsi, Dari or Tigrinya, which have no catalogue.
"""

from __future__ import annotations

from django import forms

from . import interface
from .definitions import Item, Scale
from .models import NUMBER_MAX, NUMBER_MIN

TEXT_MAX = 2000  # answer_record keeps this much; the textarea stops there too

# Answer.value is a SmallIntegerField.


def _message(key: str, language: str) -> str:
    return interface.text(key, language)


class AnswerForm(forms.Form):
    """``answer`` (a choice), ``text`` or ``number``, as the item's kind asks."""

    def __init__(self, *args, item: Item, scale: Scale | None, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        if item.kind == "choice":
            key = "choose_answer_required" if item.required else "choose_answer"
            message = _message(key, language)
            self.fields["answer"] = forms.TypedChoiceField(
                choices=[(str(choice.value), str(choice.value)) for choice in scale.choices],
                coerce=int,
                error_messages={"required": message, "invalid_choice": message},
            )
        elif item.kind == "integer":
            key = "number_answer_required" if item.required else "number_answer"
            message = _message(key, language)
            self.fields["number"] = forms.IntegerField(
                min_value=NUMBER_MIN,
                max_value=NUMBER_MAX,
                error_messages={
                    "required": message,
                    "invalid": message,
                    "min_value": message,
                    "max_value": message,
                },
            )
        else:
            # Longer text can only come from a forged request (the textarea stops at TEXT_MAX);
            # answer_record cuts it there.
            self.fields["text"] = forms.CharField(required=False)

    def answer(self) -> tuple[int | None, str]:
        """``(value, text)`` for ``answer_record``."""
        data = self.cleaned_data
        if self.item.kind == "choice":
            return data["answer"], ""
        if self.item.kind == "integer":
            return data["number"], ""
        return None, data["text"]

    @property
    def error(self) -> str:
        """The one message to show (a single field, so never more than one)."""
        for messages in self.errors.values():
            return messages[0]
        return ""
