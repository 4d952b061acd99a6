"""Metric definitions: SageMaker's ``{"Name": ..., "Regex": ...}`` pairs.

This module reads definitions from every shape a user has them in (SageMaker's JSON,
``NAME=REGEX`` strings, a ``DescribeTrainingJob`` answer, an Estimator), writes them back
out, and validates them against SageMaker's limits with errors that name the definition
and, for a regex syntax error, point at the position in the regex.

The limits are SageMaker's (API model of ``MetricDefinition`` / ``AlgorithmSpecification``);
they live here, in one place, so a change of limit is a change of one line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from metricwidgets.errors import InputError

#: Most definitions one training job may carry (older accounts: 20).
MAX_DEFINITIONS = 40
#: Length limits of ``Name`` and ``Regex``, in characters.
NAME_MAX_LENGTH = 255
REGEX_MAX_LENGTH = 500

__all__ = [
    "MAX_DEFINITIONS",
    "NAME_MAX_LENGTH",
    "REGEX_MAX_LENGTH",
    "DefinitionError",
    "DefinitionWarning",
    "MetricDefinition",
    "definitions_from_job",
    "definitions_to_json",
    "definitions_to_sagemaker",
    "load_definitions",
    "parse_pair",
    "validate_definitions",
]


class DefinitionWarning(UserWarning):
    """A definition SageMaker accepts but that yields nothing (no group, disabled)."""


class DefinitionError(InputError):
    """A metric definition that SageMaker would refuse, or that cannot be compiled.

    Attributes
    ----------
    name : str or None
        The definition's ``Name`` (None for errors about the whole list).
    position : int or None
        For a regex syntax error, the 0-based index in the regex where it was found.
    reason : str
        The bare reason, without the definition's name.
    code : str or None
        What kind of problem: ``syntax``, ``no-group`` (SageMaker accepts such a regex; it
        never yields a point), ``duplicate-name``, ``name-length``, ``regex-length``,
        ``too-many``, ``shape`` (input that is no definition), or None.
    """

    def __init__(self, reason: str, name: str | None = None, position: int | None = None,
                 regex: str | None = None, code: str | None = None):
        self.reason = reason
        self.name = name
        self.position = position
        self.regex = regex
        self.code = code
        super().__init__(self._format())

    def _format(self) -> str:
        where = f"metric definition {self.name!r}: " if self.name is not None else ""
        text = where + self.reason
        if self.position is not None and self.regex is not None:
            # A caret under the regex shows where the syntax error is, the way Python's
            # own SyntaxError does; users fix regexes far faster with it than with an offset.
            text += f"\n    {self.regex}\n    {' ' * self.position}^ (position {self.position})"
        return text


@dataclass(frozen=True)
class MetricDefinition:
    """One metric definition: a name and a regex whose first group is the value.

    Parameters
    ----------
    name : str
        The metric's name, as SageMaker publishes it (``train:error``).
    regex : str
        A Python ``re`` pattern, searched (not full-matched) on each log line.
    """

    name: str
    regex: str

    def to_sagemaker(self) -> dict[str, str]:
        """Return SageMaker's shape, ``{"Name": name, "Regex": regex}``."""
        return {"Name": self.name, "Regex": self.regex}

    def compile(self) -> re.Pattern[str]:
        """Compile the regex with Python's ``re`` (SageMaker's documented flavour).

        Raises
        ------
        DefinitionError
            With the position of the syntax error.
        """
        try:
            return re.compile(self.regex)
        except re.error as exc:
            raise DefinitionError(f"the regex does not compile: {exc.msg}", self.name,
                                  exc.pos, self.regex, code="syntax") from None
        except RecursionError:
            # sre's parser recurses once per nested group: thousands of '(' exhaust the stack.
            raise DefinitionError("the regex does not compile: groups nested too deeply",
                                  self.name, None, self.regex, code="syntax") from None


def parse_pair(text: str) -> MetricDefinition:
    """Read ``NAME=REGEX`` (split at the first ``=``; the regex may contain ``=``).

    Raises
    ------
    DefinitionError
        When there is no ``=`` or the name is empty.
    """
    name, sep, regex = text.partition("=")
    if not sep or not name:
        raise DefinitionError(f"expected NAME=REGEX, got {text!r}")
    return MetricDefinition(name, regex)


def _from_item(item: Any) -> MetricDefinition:
    if isinstance(item, MetricDefinition):
        return item
    if isinstance(item, Mapping):
        # SageMaker's own shape; lower-case keys are accepted because hand-written JSON has them.
        name = item.get("Name", item.get("name"))
        regex = item.get("Regex", item.get("regex"))
        if not isinstance(name, str) or not isinstance(regex, str):
            raise DefinitionError(f"expected {{'Name': str, 'Regex': str}}, got {dict(item)!r}")
        return MetricDefinition(name, regex)
    if isinstance(item, str):
        return parse_pair(item)
    if isinstance(item, (tuple, list)) and len(item) == 2:
        return MetricDefinition(str(item[0]), str(item[1]))
    raise DefinitionError(f"cannot read a metric definition from {item!r}")


def load_definitions(source: Any) -> list[MetricDefinition]:
    """Read definitions from any shape a user has them in.

    Parameters
    ----------
    source : None, list, dict, str or os.PathLike
        ``None`` (no definitions); a list of ``{"Name", "Regex"}`` dicts,
        :class:`MetricDefinition` objects, ``"NAME=REGEX"`` strings or ``(name, regex)``
        pairs; a ``{name: regex}`` mapping; a JSON text of any of these; or a path to a
        JSON file holding one. A ``DescribeTrainingJob`` answer (a mapping with
        ``AlgorithmSpecification``) and an object with a ``metric_definitions`` attribute
        (a SageMaker Estimator) are read too.

    Returns
    -------
    list of MetricDefinition
        In the given order. Not validated: call :func:`validate_definitions`.

    Raises
    ------
    DefinitionError
        When the input has none of these shapes, or a file is not valid JSON.
    """
    if source is None:
        return []
    if hasattr(source, "metric_definitions") and not isinstance(source, (str, Mapping)):
        return load_definitions(source.metric_definitions)
    if isinstance(source, os.PathLike):
        return _load_file(os.fspath(source))
    if isinstance(source, str):
        stripped = source.strip()
        if stripped.startswith(("[", "{")):
            try:
                return load_definitions(json.loads(stripped))
            except json.JSONDecodeError as exc:
                raise DefinitionError(f"not valid JSON: {exc}") from None
        if os.path.exists(source) or _looks_like_path(source):
            return _load_file(source)
        return [parse_pair(source)]
    if isinstance(source, Mapping):
        if "AlgorithmSpecification" in source or "TrainingJobName" in source:
            return definitions_from_job(source)
        if "Name" in source or "name" in source:
            return [_from_item(source)]
        return [MetricDefinition(str(k), str(v)) for k, v in source.items()]
    if isinstance(source, Iterable):
        return [_from_item(item) for item in source]
    raise DefinitionError(f"cannot read metric definitions from {type(source).__name__}")


#: The largest definitions file read: 40 definitions of 255 + 500 characters, even with every
#: character JSON-escaped, take well under a megabyte.
MAX_FILE_BYTES = 4 << 20


def _looks_like_path(text: str) -> bool:
    """A string meant as a file name (no ``=``, a folder or an extension), not ``NAME=REGEX``."""
    return "=" not in text and (os.sep in text or "/" in text
                                or re.search(r"\.\w{1,5}$", text) is not None)


def _load_file(path: str) -> list[MetricDefinition]:
    """Read a definitions file; every way it can fail is one :class:`DefinitionError` line."""
    try:
        with open(path, "rb") as handle:
            # Bounded: a device or an endless pipe named as the file must not hang the door.
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise DefinitionError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MB; "
                                  f"{MAX_DEFINITIONS} definitions take far less (is it the "
                                  "definitions file?)", code="shape")
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise DefinitionError(f"{path}: no such definitions file") from None
    except UnicodeDecodeError as exc:
        raise DefinitionError(f"{path}: not UTF-8 text (byte {exc.start}); save the "
                              f"definitions as UTF-8 JSON", code="shape") from None
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"{path}: not valid JSON: {exc}", code="shape") from None
    except OSError as exc:
        raise DefinitionError(f"{path}: {exc.strerror or exc}") from None
    return load_definitions(data)


def definitions_from_job(description: Mapping[str, Any]) -> list[MetricDefinition]:
    """Read ``AlgorithmSpecification.MetricDefinitions`` of a ``DescribeTrainingJob`` answer."""
    spec = description.get("AlgorithmSpecification") or {}
    return [_from_item(item) for item in spec.get("MetricDefinitions") or []]


def definitions_to_sagemaker(definitions: Iterable[MetricDefinition]) -> list[dict[str, str]]:
    """Return SageMaker's shape: ``[{"Name": ..., "Regex": ...}, ...]``."""
    return [d.to_sagemaker() for d in definitions]


def definitions_to_json(definitions: Iterable[MetricDefinition], indent: int | None = 2) -> str:
    """Return the JSON text of :func:`definitions_to_sagemaker`."""
    return json.dumps(definitions_to_sagemaker(definitions), indent=indent)


def validate_definitions(definitions: Iterable[MetricDefinition],
                         max_definitions: int = MAX_DEFINITIONS) -> list[DefinitionError]:
    """Check definitions against SageMaker's limits; return every problem found.

    Checks: at most ``max_definitions``; ``Name`` 1..255 characters; ``Regex`` 1..500
    characters; names unique; the regex compiles; it has at least one capture group
    (SageMaker takes group 1: a regex without one yields nothing).

    Returns
    -------
    list of DefinitionError
        Empty when SageMaker would accept the list. Errors are returned, not raised, so a
        widget can show all of them at once.
    """
    definitions = list(definitions)
    problems: list[DefinitionError] = []
    if len(definitions) > max_definitions:
        problems.append(DefinitionError(
            f"{len(definitions)} definitions; a SageMaker job takes at most {max_definitions}",
            code="too-many"))
    seen: set[str] = set()
    for d in definitions:
        if not 1 <= len(d.name) <= NAME_MAX_LENGTH:
            problems.append(DefinitionError(
                f"the name has {len(d.name)} characters; SageMaker takes 1 to {NAME_MAX_LENGTH}",
                d.name, code="name-length"))
        if d.name in seen:
            problems.append(DefinitionError("the name is used by another definition", d.name,
                                            code="duplicate-name"))
        seen.add(d.name)
        if not 1 <= len(d.regex) <= REGEX_MAX_LENGTH:
            problems.append(DefinitionError(
                f"the regex has {len(d.regex)} characters; SageMaker takes 1 to "
                f"{REGEX_MAX_LENGTH}", d.name, code="regex-length"))
        try:
            pattern = d.compile()
        except DefinitionError as exc:
            problems.append(exc)
            continue
        if pattern.groups < 1:
            problems.append(DefinitionError(
                "the regex has no capture group; SageMaker takes the value from group 1, "
                "so it would never yield a point", d.name, code="no-group"))
    return problems
