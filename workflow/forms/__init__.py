"""The six official forms (附件1–6): layouts, the .xlsx writer and the survey-form reader."""

from workflow.forms.layout import FormLayout, form_title, results_layout, survey_layout
from workflow.forms.reader import FormError, ParsedForm, ParsedRow, read_survey_form
from workflow.forms.writer import (
    HouseholdRow,
    ResultRow,
    ResultsContext,
    ResultsTotals,
    SurveyContext,
    VillageRow,
    results_totals,
    write_results_form,
    write_survey_form,
)

__all__ = [
    "FormError",
    "FormLayout",
    "HouseholdRow",
    "ParsedForm",
    "ParsedRow",
    "ResultRow",
    "ResultsContext",
    "ResultsTotals",
    "SurveyContext",
    "VillageRow",
    "form_title",
    "read_survey_form",
    "results_layout",
    "results_totals",
    "survey_layout",
    "write_results_form",
    "write_survey_form",
]
