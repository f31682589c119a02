from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Question


class QuizForm(forms.Form):
    """One field per question: radios for one answer, checkboxes for several. Every question
    needs an answer before the quiz is scored, so a slip of the finger is not a failed try."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for number, question in enumerate(self.questions, start=1):
            choices = [(str(choice.pk), choice.label) for choice in question.choices.all()]
            if question.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Select all that apply."),
                    error_messages={
                        "required": _("Choose at least one answer to question %(number)d.")
                        % {"number": number}
                    },
                )
            else:
                field = forms.ChoiceField(
                    choices=choices,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": _("Choose an answer to question %(number)d.")
                        % {"number": number}
                    },
                )
            field.label = question.label
            field.number = number
            field.question = question
            self.fields[self.field_name(question)] = field

    @staticmethod
    def field_name(question) -> str:
        return f"question_{question.pk}"

    def answers(self) -> dict[int, list[int]]:
        """Question id -> chosen choice ids, from cleaned data."""
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.field_name(question)) or []
            if isinstance(value, str):
                value = [value]
            result[question.pk] = [int(v) for v in value]
        return result

    def question_rows(self, to_review=()):
        """(number, bound field, needs review) for the template, in quiz order."""
        to_review = set(to_review)
        return [
            (number, self[self.field_name(q)], q.pk in to_review)
            for number, q in enumerate(self.questions, start=1)
        ]
