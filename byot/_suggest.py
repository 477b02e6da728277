"""Did you mean: the known names closest to a mistyped one, the likeliest first."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

# The words of a name in any style: `CreateChatRequest`, `chat.completions.create`, `max_tokens`.
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def words(name: str) -> list[str]:
    """A name's words, lowercased."""
    return [word.lower() for word in _WORD.findall(name)]


def closest(name: str, known: Iterable[str], *, n: int = 3) -> list[str]:
    """Up to `n` known names a user may have meant by `name`.

    The same name in another case comes first; then names that hold each of its words in
    order, each word a word or the start of one (`CreateChatRequest` finds
    `CreateChatCompletionRequest`, `chat.completion.create` finds `chat.completions.create`),
    shortest first; then what `difflib` finds close.
    """
    known = list(known)
    folded = name.lower()
    same_case = [candidate for candidate in known if candidate.lower() == folded]
    wanted = words(name)
    within = sorted(
        (c for c in known if wanted and _holds(words(c), wanted)), key=lambda c: (len(c), c)
    )
    close = difflib.get_close_matches(name, known, n=n)
    return list(dict.fromkeys([*same_case, *within, *close]))[:n]


def _holds(have: list[str], wanted: list[str]) -> bool:
    """Whether each wanted word starts one of `have`'s words, in order."""
    rest = iter(have)
    return all(any(word.startswith(want) for word in rest) for want in wanted)


def did_you_mean(name: str, known: Iterable[str], *, n: int = 3) -> str:
    """`"; did you mean 'a' or 'b'?"`, or `""` when nothing is close."""
    found = closest(name, known, n=n)
    if not found:
        return ""
    quoted = [repr(candidate) for candidate in found]
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"; did you mean {listed}?"
