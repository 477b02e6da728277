"""`override` for the type checkers, free at run time.

A leaf module (it imports nothing of byot), so that `errors`, `_config` and the rest can mark
their overrides without an import cycle through the modules that define byot's signatures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import override as override
else:
    # typing_extensions (and `inspect`, which it imports) would add about a tenth to
    # `import byot`; only type checkers read the decorator.
    def override(method: Any) -> Any:
        return method
