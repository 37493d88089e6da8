"""Forms check input only: every write, permission check and photo check happens in
`workflows.services`."""

from .actions import (
    MAX_PHOTOS,
    AssignForm,
    CaseActionForm,
    CaseFilterForm,
    CommentForm,
    DepartmentRatingForm,
    DepartmentResolveForm,
    DispatchForm,
    DuplicateForm,
    EmptyForm,
    MultiplePhotoField,
    RateForm,
    ReasonForm,
    ResolveForm,
    ReworkForm,
    VerifyForm,
    WhistleForm,
    text_field,
)
from .report import CaseReportForm, PublicReportForm, TrackForm

__all__ = [
    "AssignForm",
    "CaseActionForm",
    "CaseFilterForm",
    "CommentForm",
    "CaseReportForm",
    "DepartmentRatingForm",
    "DepartmentResolveForm",
    "DispatchForm",
    "DuplicateForm",
    "EmptyForm",
    "MAX_PHOTOS",
    "MultiplePhotoField",
    "PublicReportForm",
    "RateForm",
    "ReasonForm",
    "ResolveForm",
    "ReworkForm",
    "TrackForm",
    "VerifyForm",
    "WhistleForm",
    "text_field",
]
