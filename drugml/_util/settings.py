"""Settings sections (pydantic, strict) and the messages for what is wrong in them.

Keyword options of a function that takes a settings dataclass go through
:func:`with_options`. Every configuration drugml reads (a campaign, a ranking on
its own) is a tree of :class:`Section` models: strict types ("100" is not a number, 1 is not
True) and unknown keys refused. :func:`describe_error` turns one pydantic error
into one line that names the key as the user wrote it (``models[potency].data``,
not ``models.0.data.table``) and, for an unknown key, suggests the closest
allowed one.

Example
-------
>>> from pydantic import ValidationError
>>> class Library(Section):
...     chunk_size: int = 500
>>> try:
...     Library.model_validate({"chunksize": 10})
... except ValidationError as exc:
...     print(describe_error(exc.errors()[0], {"chunksize": 10}, Library))
`chunksize` is not a setting; did you mean `chunk_size`?
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar, Union

from pydantic import BaseModel, ConfigDict

from drugml._util.suggest import suggest

Settings = TypeVar("Settings")


def with_options(
    kind: type[Settings],
    settings: Settings | None,
    options: Mapping[str, Any],
    function: str,
    error: type[Exception],
) -> Settings:
    """The settings ``function`` runs with: ``settings`` (default: ``kind()``, a dataclass)
    with each keyword of ``options`` replacing one field.

    A keyword that is not a field, or ``settings`` of another class, raises ``error`` (a
    ``TypeError``, as Python's own for a misspelt keyword), naming the closest field.

    >>> @dataclasses.dataclass(frozen=True)
    ... class Options:
    ...     chunk_size: int = 500
    >>> with_options(Options, None, {"chunk_size": 10}, "screen", TypeError).chunk_size
    10
    >>> with_options(Options, None, {"chunksize": 10}, "screen", TypeError)
    Traceback (most recent call last):
    ...
    TypeError: screen() got an unexpected keyword argument 'chunksize'; did you mean `chunk_size`?
    """
    names = [field.name for field in dataclasses.fields(kind)]
    for name in options:
        if name not in names:
            raise error(
                f"{function}() got an unexpected keyword argument {name!r}" + suggest(name, names)
            )
    if settings is None:
        return kind(**options)
    if not isinstance(settings, kind):
        raise error(
            f"{function}() takes settings= as a {kind.__name__}, not {type(settings).__name__}"
        )
    return dataclasses.replace(settings, **options) if options else settings


class Section(BaseModel):
    """A configuration section: strict types, unknown keys refused, defaults checked too."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True)


def format_problems(lines: list[str]) -> str:
    """One message for every problem found (each line names its key)."""
    lines = list(dict.fromkeys(lines))
    if len(lines) == 1:
        return f"The configuration has a problem: {lines[0]}"
    return f"The configuration has {len(lines)} problems:\n" + "\n".join(f"  - {x}" for x in lines)


def where(loc: tuple, given: Any, tags: Mapping[str, type] | None = None) -> str:
    """``models[potency].data.table`` from pydantic's location (list indices -> item names;
    the tags of a tagged union, ``tags``, are pydantic's, not keys of the file)."""
    tags = tags or {}
    parts: list[str] = []
    node = given
    previous: Any = None
    for part in loc:
        if previous == "data" and part in tags:
            previous = None
            continue
        previous = part
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            name = item.get("name") if isinstance(item, Mapping) else None
            label = f"[{name}]" if isinstance(name, str) else f"[{part}]"
            parts[-1:] = [(parts[-1] if parts else "") + label]
            node = item
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, Mapping) else None
    return ".".join(parts)


def strip_optional(annotation: Any) -> Any:
    """``X | None`` -> ``X``; ``Annotated[X, ...]`` -> ``X`` (unions of models kept)."""
    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if typing.get_origin(annotation) is Union or isinstance(annotation, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def fields_at(
    loc: tuple, root: type[BaseModel], tags: Mapping[str, type] | None = None
) -> list[str]:
    """The setting names allowed at ``loc`` below ``root`` (a dict's or a section's)."""
    tags = tags or {}
    annotation: Any = root
    for part in loc:
        annotation = strip_optional(annotation)
        if part in tags and typing.get_origin(annotation) in (Union, types.UnionType):
            annotation = tags[part]  # pydantic's tag of a tagged union
            continue
        if _is_model(annotation):
            if part in annotation.model_fields:
                annotation = annotation.model_fields[part].annotation
                continue
            return []
        if typing.get_origin(annotation) in (list, dict):
            annotation = typing.get_args(annotation)[-1]
            continue
        return []
    annotation = strip_optional(annotation)
    if _is_model(annotation):
        return [f for f, info in annotation.model_fields.items() if not info.exclude]
    if typing.get_origin(annotation) is Union or isinstance(annotation, types.UnionType):
        return [
            f
            for arg in typing.get_args(annotation)
            if _is_model(strip_optional(arg))
            for f in strip_optional(arg).model_fields
        ]
    return []


def unknown_key(
    loc: tuple, given: Any, root: type[BaseModel], prefix: tuple = (), tags: Mapping | None = None
) -> str:
    """The line for a key that is not a setting, with the closest allowed one."""
    allowed = fields_at(loc[len(prefix) : -1], root, tags)
    hint = suggest(loc[-1], allowed)
    if not hint and allowed:
        hint = f"; the settings there are {', '.join(f'`{a}`' for a in allowed)}"
    return f"`{where(loc, given, tags)}` is not a setting{hint}"


def short(value: Any) -> str:
    """A value as a message shows it: cut at 80 characters, with its type for a scalar."""
    text = repr(value)
    kind = type(value).__name__
    text = text if len(text) <= 80 else text[:77] + "..."
    return f"{text} ({kind})" if not isinstance(value, (dict, list)) else text


def describe_error(
    error: Mapping[str, Any],
    given: Any,
    root: type[BaseModel],
    prefix: tuple = (),
    tags: Mapping[str, type] | None = None,
) -> str:
    """One line per pydantic error: the key, what is wrong, the value given.

    ``given`` is what the user wrote (``prefix`` deep: a ranking on its own is
    described as ``ranking.<key>``); ``root`` the section class it was checked as.
    """
    loc = tuple(prefix) + tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return unknown_key(loc, given, root, prefix, tags)
    place = where(loc, given, tags) or "the configuration"
    value = error.get("input")
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        return f"`{place}` is required but not given"
    if kind == "too_short" and isinstance(value, list):
        return f"`{place}`: give at least one {'model' if place == 'models' else 'item'}; got []"
    if kind == "literal_error":
        return f"`{place}`: {message[0].lower()}{message[1:]}; got {value!r}"
    if kind == "value_error":
        return f"`{place}`: {message}"
    message = message[0].lower() + message[1:] if message else message
    if isinstance(value, Mapping) and kind not in ("dict_type", "model_type"):
        return f"`{place}`: {message}"
    return f"`{place}`: {message}; got {short(value)}"
