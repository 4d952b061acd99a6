"""SageMaker's job names: which strings can be one (training and tuning jobs alike).

The server marks the names a listing returns, the sidebar never inserts an invalid one into a
notebook, and the magics refuse one with a clear line before calling AWS; all with this one
pattern (see docs/sagemaker.md).
"""

from __future__ import annotations

import re

__all__ = ["JOB_NAME", "invalid_name_reason"]

#: SageMaker's pattern for training and tuning job names (see docs/sagemaker.md).
JOB_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


def invalid_name_reason(name: object) -> str | None:
    """Why ``name`` is not a SageMaker job name, or None when it is one."""
    if not isinstance(name, str) or not name:
        return "the name is empty"
    if len(name) > 63:
        return f"the name has {len(name)} characters (SageMaker allows 63)"
    if JOB_NAME.fullmatch(name):
        return None
    if any(ch in name for ch in "\n\r\x0b\x0c\x85\u2028\u2029") or any(
            ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "the name contains a line break or a control character"
    return ("the name is not a SageMaker job name (only letters, digits and hyphens, "
            "starting and ending with a letter or digit)")
