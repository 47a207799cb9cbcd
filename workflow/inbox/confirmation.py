"""The signing confirmation: nothing is signed unless the signer ticked
"我已核对上述内容，确认签字提交" (checked here, whatever page or client sent the signature)."""

from __future__ import annotations

from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import _

CONFIRM_FIELD = "confirm"  # the form field of the tick box


def require_confirmed(ticked: object) -> None:
    """Refuse a signature sent without the tick, naming the box and saying nothing was signed."""
    if not ticked:
        raise ValidationFailed(
            {
                CONFIRM_FIELD: _(
                    "Tick the box to confirm you have checked the content; nothing was signed."
                )
            }
        )
