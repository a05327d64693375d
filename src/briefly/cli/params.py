"""Commands that take a group of options as one object, declared once for all who take it."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any


def options_as(
    name: str, added: dict[str, tuple[Any, Any]], build: Callable[..., Any]
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the options ``added`` (name: (annotation, default)) in place of its
    parameter ``name``, which gets ``build(**their values)``.

    In the command's help, the options come where ``name`` was declared.
    """

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(command, eval_str=True)
        # Keyword-only throughout, so that the added options may come anywhere.
        own = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in signature.parameters.values()
        ]
        at = [p.name for p in own].index(name)
        parameters = (
            own[:at]
            + [
                inspect.Parameter(
                    option, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default
                )
                for option, (kind, default) in added.items()
            ]
            + own[at + 1 :]
        )

        @functools.wraps(command)
        def run(**values: Any) -> None:
            given = {option: values.pop(option) for option in added}
            command(**values, **{name: build(**given)})

        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        return run

    return decorate
