"""Models of the API's answers for the OpenAPI document, derived from the use cases' results.

An answer is the `--json` document of a result dataclass (`workflow.core.results.to_json`):
its fields' names less a trailing underscore, dates as ISO strings. `model_of` builds the
pydantic model describing exactly that from the dataclass's fields and type hints, so the
document follows the results as they change instead of restating them by hand.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

_MODELS: dict[type, type[BaseModel]] = {}


class Problem(BaseModel):
    """Every refusal and error: one paragraph for a person."""

    detail: str


def _annotation(hint: Any) -> Any:
    """The model-side type of a result field's type hint."""
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return model_of(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        mapped = tuple(_annotation(a) for a in args)
        return typing.Union[mapped]  # noqa: UP007 (built from a tuple)
    if origin in (list, tuple):
        return list[_annotation(args[0])] if args else list[Any]  # type: ignore[misc]
    if origin is dict:
        return dict[args[0], _annotation(args[1])]  # type: ignore[misc,valid-type]
    return hint


def model_of(result: type) -> type[BaseModel]:
    """The model of the JSON document of the result dataclass `result`."""
    known = _MODELS.get(result)
    if known is not None:
        return known
    hints = typing.get_type_hints(result)
    definitions: dict[str, Any] = {}
    for field in dataclasses.fields(result):
        key = field.name.rstrip("_")
        info = Field(alias=key) if key != field.name else Field()
        definitions[field.name] = (_annotation(hints[field.name]), info)
    model = create_model(
        result.__name__,
        __config__=ConfigDict(populate_by_name=True),
        __doc__=(result.__doc__ or result.__name__).strip().splitlines()[0],
        **definitions,
    )
    _MODELS[result] = model
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


def list_of(result: type) -> Any:
    """The model of a JSON list of `result` documents."""
    return list[model_of(result)]  # type: ignore[misc]
