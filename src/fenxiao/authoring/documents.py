"""Lint of a rule file as a person wrote it: its kind found by itself, every finding at once, each with its line.

:func:`lint_file` reads a JSON or TOML file, tells its kind (:func:`~fenxiao.authoring.kinds.detect_kind`), loads
it through the one converter and runs the kind's lint. A file that does not load gets one ``invalid`` finding per
problem (every broken row, not only the first), a file that does gets the kind's findings (gaps, shadowed rules,
overlaps with their witness ...); either way each finding carries its path and its line in the text.

>>> text = '''
... [[rules]]
... name = "low"
... tier = "L1"
... when = { input = "composite", op = "<", value = "40" }
...
... [[rules]]
... name = "high"
... tier = "L3"
... when = { input = "compsite", op = ">=", value = "60" }
... '''
>>> report = lint_text(text, format="toml")
>>> report.kind, report.loaded
('tier-policy', False)
>>> print(report)
<text>:10: error [invalid] rules[1].when.input: is not a known input (did you mean 'composite'?), got 'compsite'

.. versionadded:: 0.2
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from fenxiao._internal.convert import MAX_DOCUMENT_BYTES, from_dict
from fenxiao._internal.hooks import MAX_ITEMS
from fenxiao._internal.reading import TooLarge, read_capped
from fenxiao._internal.strict import JsonObjects, may_hold_surrogates, problems_of
from fenxiao.authoring.kinds import RuleFileKind, detect_kind, kind_named
from fenxiao.authoring.lines import build_line_index
from fenxiao.errors import NOTHING, FenxiaoError, InvalidValueError, ValidationError
from fenxiao.rules.language import check, condition_from_data
from fenxiao.rules.table import Finding, Severity

__all__ = ["FileLint", "lint_file", "lint_text", "parse_document"]

_TOML_AT: Final = re.compile(r"at line (\d+)")
# Rows of a list without a stated limit that are still read one by one to report each broken row (as many as a
# file of rule cases may hold).
_MAX_ROWS_READ: Final = 10_000


@attrs.frozen
class FileLint:
    """The findings of one rule file.

    Attributes:
        source: The file's name (``<text>`` for text).
        kind: The kind of the file (``None``: it could not be told).
        loaded: Whether the file loads; when it does not, the findings say why.
        findings: Every finding, errors first, each with its path and line.
        value: The loaded value, or ``None``.
    """

    source: str
    kind: str | None
    loaded: bool
    findings: tuple[Finding, ...]
    value: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def failed(self) -> bool:
        """Whether any finding is an error (``lint`` exits non-zero)."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    def __str__(self) -> str:
        return "\n".join(_line(self.source, f) for f in self.findings) or f"{self.source}: no findings"


def _line(source: str, finding: Finding) -> str:
    where = f"{source}:{finding.line}" if finding.line is not None else source
    return f"{where}: {finding.severity.value} [{finding.code}] {finding.path}: {finding.message}"


def parse_document(text: str | bytes, format: str) -> Any:
    """The plain data of a JSON or TOML text, floats refused (as :func:`fenxiao.serialization.loads` refuses them).

    Raises:
        ValidationError: The text is not valid JSON or TOML, has a float, or is too large; the problem's path is
            ``(document)`` and its value the line, where the parser said.
    """
    return _parse(text, format, JsonObjects())


def _parse(text: str | bytes, format: str, objects: JsonObjects) -> Any:
    """:func:`parse_document`, with the JSON objects read through *objects* (which counts keys written twice)."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError([InvalidValueError("(document)", size, f"is larger than {MAX_DOCUMENT_BYTES} bytes")])
    try:
        source = text.decode("utf-8") if isinstance(text, bytes) else text
    except UnicodeDecodeError:
        raise ValidationError([InvalidValueError("(document)", NOTHING, "is not UTF-8 text")]) from None
    try:
        if format == "json":
            return json.loads(
                source, parse_float=_refuse_float, parse_constant=_refuse_float, object_pairs_hook=objects
            )
        if format == "toml":
            return tomllib.loads(source, parse_float=_refuse_float)
    except _Float as exc:
        raise ValidationError(
            [InvalidValueError("(document)", exc.text, "has a float; write numbers as strings")]
        ) from None
    except json.JSONDecodeError as exc:
        raise ValidationError([InvalidValueError("(document)", exc.lineno, f"is not valid json: {exc.msg}")]) from None
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError, UnicodeDecodeError, huge integers
        match = _TOML_AT.search(str(exc))
        line: object = int(match.group(1)) if match else NOTHING
        if "end of document" in str(exc):
            line = source.count("\n") + 1
        raise ValidationError([InvalidValueError("(document)", line, f"is not valid {format}: {exc}")]) from None
    raise InvalidValueError("format", format, "must be 'json' or 'toml'")


class _Float(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _refuse_float(text: str) -> Any:
    raise _Float(text)


def lint_file(path: str | Path, *, kind: str | None = None) -> FileLint:
    """Lint the rule file at *path* (``.json`` or ``.toml``); *kind* forces a kind instead of telling it.

    Raises:
        InvalidValueError: The suffix is neither ``.json`` nor ``.toml``, the file cannot be read, or *kind* is not
            a kind's name.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in {".json", ".toml"}:
        raise InvalidValueError("lint.path", str(path), "must end in .json or .toml")
    try:
        data = read_capped(file, MAX_DOCUMENT_BYTES)  # the cap is on the stream: stat() lies about /dev/zero
    except TooLarge:
        finding = Finding("(document)", Severity.ERROR, "too-large", f"is larger than {MAX_DOCUMENT_BYTES} bytes")
        return FileLint(str(path), kind, False, (finding,))
    except OSError as exc:
        raise InvalidValueError("lint.path", str(path), f"cannot be read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        finding = Finding("(document)", Severity.ERROR, "syntax", "is not UTF-8 text")
        return FileLint(str(path), kind, False, (finding,))
    return lint_text(text, format=suffix[1:], source=str(path), kind=kind)


def lint_text(text: str, *, format: str, source: str = "<text>", kind: str | None = None) -> FileLint:
    """Lint a rule file's *text* (``format``: ``"json"`` or ``"toml"``); see :func:`lint_file`.

    Findings of a file that does not load: ``syntax`` (not JSON/TOML, or a float), ``unknown-kind`` (no kind
    could be told: name one with *kind*, or give the file a ``$schema``) and ``invalid`` (one per problem the
    loader found, each broken row on its own). A file that loads gets its kind's lint findings.
    """
    forced = kind_named(kind) if kind is not None else None
    objects = JsonObjects()
    try:
        data = _parse(text, format, objects)
    except ValidationError as exc:
        problem = exc.errors[0]
        line = problem.value if isinstance(problem.value, int) else None
        message = (
            problem.problem if problem.value is NOTHING or line is not None else str(problem)[len("(document): ") :]
        )
        finding = Finding("(document)", Severity.ERROR, "syntax", message, line=line)
        if line is None and isinstance(problem.value, str):
            line = _line_of_text(text, problem.value)
            finding = attrs.evolve(finding, line=line)
        return FileLint(source, forced.name if forced else None, False, (finding,))
    # A key written twice (JSON keeps the last, TOML refuses it) or text UTF-8 cannot hold: refused by path.
    surrogates = may_hold_surrogates(text)
    strict = [
        Finding(e.path, Severity.ERROR, "invalid", f"{e.problem}, got {e.value!r}")
        for e in (problems_of(data, texts=surrogates) if objects.marked or surrogates else ())
    ]
    if strict:
        lines = build_line_index(text, format, [f.path for f in strict])
        refused = tuple(attrs.evolve(f, line=lines.line_of(f.path)) for f in strict)
        return FileLint(source, forced.name if forced else None, False, refused)
    found = forced or detect_kind(data)
    if found is None:
        message = "cannot tell the kind of this file: give it a '$schema' or name the kind (--kind)"
        return FileLint(source, None, False, (Finding("(document)", Severity.ERROR, "unknown-kind", message, line=1),))
    body = {k: v for k, v in data.items() if k != "$schema"} if isinstance(data, Mapping) else data
    value, findings = _load(body, found)
    if value is not None:
        try:
            findings = list(found.lint(value))
        except FenxiaoError as exc:  # a lint that cannot finish says so, as a finding
            findings = [Finding("(document)", Severity.WARNING, "not-checked", str(exc))]
    # Placed in the text (read only as far as the last finding's place: a huge file refused for its size is not read).
    lines = build_line_index(text, format, [f.path for f in findings if f.line is None and f.path != "(document)"])
    placed = [f if f.line is not None else attrs.evolve(f, line=lines.line_of(f.path)) for f in findings]
    # Errors first, then in the order of the file.
    ordered = sorted(placed, key=lambda f: (f.severity.order, f.line or 0, f.path, f.code, f.message))
    return FileLint(source, found.name, value is not None, tuple(ordered), value)


def _line_of_text(text: str, needle: str) -> int | None:
    at = text.find(needle)
    return None if at < 0 else text.count("\n", 0, at) + 1


def _load(data: object, kind: RuleFileKind) -> tuple[Any, list[Finding]]:
    """The value of *data* as *kind*, or ``None`` and one ``invalid`` finding per problem (every row checked)."""
    try:
        return from_dict(data, kind.cls), []
    except ValidationError as exc:
        problems = list(exc.errors)
    if isinstance(data, Mapping):
        for rows in kind.rows:
            listed = data.get(rows.key)
            if isinstance(listed, list) and len(listed) <= _row_limit(kind.cls, rows.key):
                problems.extend(_row_problems(listed, rows.key, rows.row, rows.inputs))
    findings: dict[tuple[str, str], Finding] = {}
    for problem in problems:
        message = problem.problem if problem.value is NOTHING else f"{problem.problem}, got {problem.value!r}"
        findings.setdefault((problem.path, message), Finding(problem.path, Severity.ERROR, "invalid", message))
    return None, list(findings.values())


def _row_limit(cls: type[Any], key: str) -> int:
    """The most rows the field *key* of *cls* may hold (rows past it are not read one by one: the count is refused)."""
    field = attrs.fields_dict(cls).get(key) if attrs.has(cls) else None
    bound = field.metadata.get(MAX_ITEMS) if field is not None else None
    return int(bound[0]) if bound is not None else _MAX_ROWS_READ


def _row_problems(rows: list[Any], key: str, row_type: type[Any], inputs: Any) -> list[InvalidValueError]:
    """The problems of each row alone: a table validator stops at the first bad row, this sees them all."""
    found: list[InvalidValueError] = []
    names: dict[object, int] = {}
    for i, raw in enumerate(rows):
        where = f"{key}[{i}]"
        if isinstance(raw, Mapping) and "name" in raw:
            name = raw["name"]
            if isinstance(name, str) and name in names:
                found.append(
                    InvalidValueError(f"{where}.name", name, f"is used by an earlier row ({key}[{names[name]}])")
                )
            elif isinstance(name, str):
                names[name] = i
        try:
            from_dict(raw, row_type)
        except ValidationError as exc:
            found.extend(InvalidValueError(_under(where, e.path), e.value, e.problem) for e in exc.errors)
        raw_when = raw.get("when") if isinstance(raw, Mapping) else None
        if inputs is not None and raw_when is not None:
            try:  # the condition alone, whatever else is wrong with the row
                check(condition_from_data(raw_when, f"{where}.when"), inputs, f"{where}.when")
            except InvalidValueError as exc:
                found.append(exc)
    return found


def _under(where: str, path: str) -> str:
    if path == "(document)":
        return where
    return f"{where}{path}" if path.startswith("[") else f"{where}.{path}"
