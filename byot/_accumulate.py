"""Stream accumulators, sans-I/O: chunks or events in, the merged completion or response out.

`ChatAccumulator` folds `chat.completion.chunk` dicts into the `chat.completion` dict that the
same request without `stream` would have returned; `ResponseAccumulator` folds Responses stream
events into the final response. Both take what providers actually send (research/anchor-peers.md
§3.3), where the official SDK's helpers give up (anchor-openai-python.md §8.3):

* tool-call deltas are merged by `index`, then by `id`, then onto the call still open: Gemini
  leaves `index` out (openai-python #2806), vLLM, SGLang and Ollama give parallel calls the same
  index 0 with different ids (openai-python #3201, ollama #15457), and vLLM repeats `id` and
  `type` on every fragment, which must not be concatenated;
* Azure's first chunk has `choices: []`, an empty `id` and `model` and `created: 0`, so those
  take the first non-empty value seen; its content-filter annotation chunks carry a choice
  without `delta`, whose `content_filter_results` are merged into the choice;
* fields byot does not know are kept, never dropped: strings in a delta are concatenated
  (`reasoning_content` of DeepSeek, `reasoning` of vLLM), lists are extended (Azure's
  `prompt_filter_results`, OpenRouter's `reasoning_details`), objects are merged key by key
  (`x_groq`, Gemini's `extra_content` on a tool call), anything else takes the last non-null
  value.

Text is gathered as fragments and joined once in `result()`, so a long stream costs time linear
in its length. `result()` returns a fresh copy and may be called at any point, also mid-stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from byot._codec import json_array, json_object

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["ChatAccumulator", "ResponseAccumulator", "accumulate_chat", "accumulate_response"]


class _Text:
    """A string still being streamed: its fragments, joined once when the result is built."""

    __slots__ = ("parts",)

    def __init__(self, *parts: str) -> None:
        self.parts = list(parts)


def _snapshot(value: Any) -> Any:
    """A deep copy of accumulated JSON with every `_Text` joined into its string.

    A loop over a stack, not a recursion: a chunk may nest as deep as the JSON parser allows
    (1,024 levels), past Python's recursion limit.
    """
    top: list[Any] = [None]
    # (the container to fill, its key or index, the value to copy into it)
    pending: list[tuple[Any, Any, Any]] = [(top, 0, value)]
    while pending:
        into, slot, source = pending.pop()
        if isinstance(source, _Text):
            into[slot] = "".join(source.parts)
        elif (fields := json_object(source)) is not None:
            record = into[slot] = dict.fromkeys(fields)  # keys in order now, values below
            pending.extend((record, key, item) for key, item in fields.items())
        elif (items := json_array(source)) is not None:
            array = into[slot] = [None] * len(items)
            pending.extend((array, index, item) for index, item in enumerate(items))
        else:
            into[slot] = source
    return top[0]


def _append(target: dict[str, Any], key: str, text: str) -> None:
    old = target.get(key)
    if isinstance(old, _Text):
        old.parts.append(text)
    elif isinstance(old, str):
        target[key] = _Text(old, text)
    else:
        target[key] = _Text(text)


def _list_at(target: dict[str, Any], key: str) -> list[Any]:
    items = json_array(target.get(key))
    if items is None:
        items = target[key] = []
    return items


def _first(target: dict[str, Any], key: str, value: Any) -> None:
    """Keep the first non-empty value: Azure opens with `id: ""`, `model: ""`, `created: 0`."""
    if key not in target or (value is not None and not target[key]):
        target[key] = value


# Identities are replaced, never concatenated, even inside a delta: vLLM repeats a tool call's
# `id` and `type` on every fragment (the official SDK concatenates ids there).
_REPLACED: Final = frozenset({"id", "type", "index"})


def _merge(target: dict[str, Any], key: str, value: Any, *, concat: bool) -> None:
    """Merge one field of a chunk into the accumulated `target`.

    Strings are concatenated when `concat` (fields of a delta) and replaced otherwise; lists
    are extended; objects are merged key by key; null never overwrites a value. Nested objects
    are merged from a stack, in the order a recursion would take, but at any depth.
    """
    pending = [(target, key, value)]
    while pending:
        target, key, value = pending.pop()
        if value is None:
            target.setdefault(key, None)
        elif isinstance(value, str):
            if concat and key not in _REPLACED:
                _append(target, key, value)
            else:
                target[key] = value
        elif (items := json_array(value)) is not None:
            _list_at(target, key).extend(items)
        elif (fields := json_object(value)) is None:
            target[key] = value  # a number or a boolean: the last one holds
        else:
            merged = json_object(target.get(key))
            if merged is None:
                merged = target[key] = {}
            pending.extend((merged, name, item) for name, item in reversed(fields.items()))


def _merge_function(target: dict[str, Any], delta: Any) -> None:
    """Merge a `function` (or legacy `function_call`) delta: the name once, arguments joined."""
    fields = json_object(delta)
    for key, value in (fields or {}).items():
        if key == "name":
            # First non-empty name: providers that resend it would otherwise double it.
            _first(target, key, value)
        elif key == "arguments" and isinstance(value, str):
            _append(target, key, value)
        else:  # arguments as a JSON object (HF TGI) or a provider's own field
            _merge(target, key, value, concat=False)


def _int(value: Any) -> int | None:
    """A JSON integer, or None for anything else (booleans included)."""
    return value if type(value) is int else None


# ----------------------------------------------------------------------------- chat


class _Choice:
    """One choice being accumulated, with the tool calls of its message."""

    def __init__(self, index: int) -> None:
        self.fields: dict[str, Any] = {
            "index": index,
            "message": {"role": None, "content": None, "refusal": None},
            "finish_reason": None,
            "logprobs": None,
        }
        self.calls: list[dict[str, Any]] = []
        self.by_index: dict[int, dict[str, Any]] = {}
        self.by_id: dict[str, dict[str, Any]] = {}
        self.open: dict[str, Any] | None = None  # the call the last tool-call delta went to

    def add(self, choice: dict[str, Any]) -> None:
        for key, value in choice.items():
            if key in ("delta", "message"):
                # `message` in a chunk is not in the spec, but a few compatible servers stream
                # it in place of `delta` (WebAI-to-API #55): read it as one, never drop it.
                self._delta(value)
            elif key != "index":
                # finish_reason (last non-null), logprobs (token lists extended), and what a
                # delta-less Azure annotation chunk brings: content_filter_results, merged.
                _merge(self.fields, key, value, concat=False)

    def _delta(self, delta: Any) -> None:
        message: dict[str, Any] = self.fields["message"]
        for key, value in (json_object(delta) or {}).items():
            if key == "tool_calls":
                for call in json_array(value) or ():
                    self._tool_call(call)
            elif key == "role":
                _first(message, key, value)
            elif key == "function_call":
                if value is not None:
                    function: dict[str, Any] = {"name": None, "arguments": ""}
                    _merge_function(message.setdefault(key, function), value)
            else:
                _merge(message, key, value, concat=True)

    def _tool_call(self, delta: Any) -> None:
        fields = json_object(delta)
        if fields is None:
            return
        index = _int(fields.get("index"))
        call_id = fields.get("id")
        if not isinstance(call_id, str) or not call_id:
            call_id = None  # vLLM sends `id: ""` on continuation fragments
        call: dict[str, Any] | None = self.by_id.get(call_id) if call_id is not None else None
        if call is None and index is not None:
            call = self.by_index.get(index)
            if call is not None and call_id is not None and call["id"] is not None:
                # The same index with a new id is a new call: vLLM, SGLang and Ollama number
                # every parallel call 0 (openai-python #3201, ollama #15457).
                call = None
        elif call is None and call_id is None:
            # Neither index nor id: a continuation of the open call (Gemini sends indexless
            # argument fragments and a lone `extra_content` with the thought signature).
            call = self.open
        if call is None:
            call = {"id": call_id, "type": None, "function": {"name": None, "arguments": ""}}
            self.calls.append(call)
        if call["id"] is None:
            call["id"] = call_id
        if index is not None:
            self.by_index[index] = call
        if call_id is not None:
            self.by_id[call_id] = call
        self.open = call
        for key, value in fields.items():
            if key == "function":
                _merge_function(call["function"], value)
            elif key not in ("index", "id"):
                _merge(call, key, value, concat=False)  # type, Gemini's extra_content, ...

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = _snapshot(self.fields)
        fields: dict[str, Any] = out["message"]
        message = {
            "role": fields.pop("role") or "assistant",
            "content": fields.pop("content"),
            "refusal": fields.pop("refusal"),
        }
        if self.calls:
            calls: list[dict[str, Any]] = _snapshot(self.calls)
            for call in calls:
                call["type"] = call["type"] or "function"
            message["tool_calls"] = calls
        message.update(fields)
        out["message"] = message
        return out


# The first non-empty value wins (Azure's first chunk has them empty); usage is replaced whole.
_FIRST_NON_EMPTY: Final = ("id", "created", "model", "system_fingerprint", "service_tier")
# `object` becomes "chat.completion"; `obfuscation` is OpenAI's random padding of each chunk.
_NOT_KEPT: Final = frozenset({"object", "obfuscation"})


class ChatAccumulator:
    """Merges chat.completion.chunk dicts into one chat.completion dict.

    The result has `id`, `object: "chat.completion"`, `created`, `model` (and
    `system_fingerprint`, `service_tier` when sent), `choices` sorted by `index`, `usage` from
    the last chunk that had one (null when none did), then the provider's own top-level fields.
    Each choice has `index`, `message`, `finish_reason` (the last non-null one), `logprobs`
    (token lists concatenated) and its other fields merged. The message has `role` (default
    "assistant"), `content` and `refusal` (concatenated, null when never sent), `tool_calls`
    when there were any (without the stream's `index`, in the order they started), then the
    provider's fields (`reasoning_content`, ...).
    """

    def __init__(self) -> None:
        self._top: dict[str, Any] = {
            "id": None,
            "object": "chat.completion",
            "created": None,
            "model": None,
        }
        self._choices: dict[int, _Choice] = {}
        self._usage: Any = None
        self._extra: dict[str, Any] = {}

    def add(self, chunk: Mapping[str, Any]) -> None:
        """Merge one chunk."""
        for key, value in chunk.items():
            if key == "choices":
                for choice in json_array(value) or ():
                    self._add_choice(choice)
            elif key == "usage":
                if value is not None:  # OpenAI sends `usage: null` on every other chunk
                    self._usage = value
            elif key in _FIRST_NON_EMPTY:
                _first(self._top, key, value)
            elif key not in _NOT_KEPT:
                # x_groq, provider, prompt_filter_results (a list, extended), ...
                _merge(self._extra, key, value, concat=False)

    def _add_choice(self, choice: Any) -> None:
        fields = json_object(choice)
        if fields is None:
            return
        index = _int(fields.get("index")) or 0
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = _Choice(index)
        state.add(fields)

    def result(self) -> dict[str, Any]:
        """The completion accumulated so far, as a new dict."""
        out = dict(self._top)
        out["choices"] = [self._choices[index].result() for index in sorted(self._choices)]
        out["usage"] = _snapshot(self._usage)
        out.update(_snapshot(self._extra))
        return out


def accumulate_chat(chunks: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge chat.completion.chunk dicts into the chat.completion dict they stream."""
    accumulator = ChatAccumulator()
    for chunk in chunks:
        accumulator.add(chunk)
    return accumulator.result()


# ----------------------------------------------------------------------------- responses

# Events whose `response` is the state so far, and those that end the stream with it.
_SNAPSHOTS: Final = frozenset({"response.created", "response.in_progress", "response.queued"})
_TERMINALS: Final = frozenset({"response.completed", "response.incomplete", "response.failed"})

# Delta/done families that build a part of an item: (list in the item, index field of the
# event, text field of the part, the part when no `*.part.added` came, the item's type).
_PART_TEXTS: Final[dict[str, tuple[str, str, str, dict[str, Any], str]]] = {
    "response.output_text": (
        "content",
        "content_index",
        "text",
        {"type": "output_text", "text": "", "annotations": []},
        "message",
    ),
    "response.refusal": (
        "content",
        "content_index",
        "refusal",
        {"type": "refusal", "refusal": ""},
        "message",
    ),
    "response.reasoning_text": (
        "content",
        "content_index",
        "text",
        {"type": "reasoning_text", "text": ""},
        "reasoning",
    ),
    "response.reasoning_summary_text": (
        "summary",
        "summary_index",
        "text",
        {"type": "summary_text", "text": ""},
        "reasoning",
    ),
}
# Delta/done families that build a field of the item itself: (field, the item's type).
_ITEM_TEXTS: Final = {
    "response.function_call_arguments": ("arguments", "function_call"),
    "response.mcp_call_arguments": ("arguments", "mcp_call"),
    "response.custom_tool_call_input": ("input", "custom_tool_call"),
    "response.code_interpreter_call_code": ("code", "code_interpreter_call"),
}
# `*.part.added` / `*.part.done` events: (list in the item, index field, the item's type).
_PARTS: Final = {
    "response.content_part": ("content", "content_index", "message"),
    "response.reasoning_summary_part": ("summary", "summary_index", "reasoning"),
}
# `response.web_search_call.searching` and the like update the status of their item.
_ITEM_STATUSES: Final = frozenset(
    {"in_progress", "searching", "interpreting", "generating", "completed", "failed"}
)


def _put(items: list[Any], index: Any, value: Any) -> None:
    """Set `items[index]`, appending when the index is missing or past the end."""
    index = _int(index)
    if index is not None and 0 <= index < len(items):
        items[index] = value
    else:
        items.append(value)


class ResponseAccumulator:
    """Merges Responses stream events ({"type": ..., ...}) into the final response dict.

    When a terminal event (`response.completed`, `.incomplete` or `.failed`) came, the result is
    its `response`, with any output items it left out filled in from the accumulated ones.
    When the stream was cut before one, the result is the last `response.created` /
    `.in_progress` snapshot with `output` as accumulated from the item, part and delta events;
    its `status` stays as last seen (`in_progress`), which tells the caller it never finished.
    Either way the result also has `output_text`: the text of every `output_text` part of every
    message, joined, as the official SDK's `Response.output_text` property computes it.
    """

    def __init__(self) -> None:
        self._response: dict[str, Any] = {}
        self._terminal: dict[str, Any] | None = None
        self._items: dict[int, dict[str, Any]] = {}  # by output_index

    def add(self, event: Mapping[str, Any]) -> None:
        """Merge one event; events byot does not know (keep-alives, audio, ...) are ignored."""
        kind = event.get("type")
        if not isinstance(kind, str):
            return
        if kind in _SNAPSHOTS or kind in _TERMINALS:
            response = json_object(event.get("response"))
            if response is not None:
                if kind in _TERMINALS:
                    self._terminal = _snapshot(response)
                else:
                    self._response = _snapshot(response)
            return
        family, _, phase = kind.rpartition(".")
        if family == "response.output_item":
            item = json_object(event.get("item"))
            if item is not None:
                self._items[self._slot(event, item.get("id"))] = _snapshot(item)
        elif family in _PARTS:
            key, index_field, item_type = _PARTS[family]
            part = _snapshot(event.get("part"))
            _put(_list_at(self._item(event, item_type), key), event.get(index_field), part)
        elif family in _PART_TEXTS:
            key, index_field, field, empty, item_type = _PART_TEXTS[family]
            part = _part(self._item(event, item_type), key, event.get(index_field), empty)
            self._text(part, field, phase, event)
            logprobs = json_array(event.get("logprobs"))
            if phase == "delta" and logprobs:
                _list_at(part, "logprobs").extend(_snapshot(logprobs))
        elif family in _ITEM_TEXTS:
            field, item_type = _ITEM_TEXTS[family]
            self._text(self._item(event, item_type), field, phase, event)
        elif kind == "response.output_text.annotation.added":
            empty = _PART_TEXTS["response.output_text"][3]
            part = _part(self._item(event, "message"), "content", event.get("content_index"), empty)
            annotation = _snapshot(event.get("annotation"))
            _put(_list_at(part, "annotations"), event.get("annotation_index"), annotation)
        elif phase in _ITEM_STATUSES and family.count(".") == 1:
            item = self._items.get(self._slot(event, event.get("item_id")))
            if item is not None and "status" in item:
                item["status"] = phase

    @staticmethod
    def _text(target: dict[str, Any], field: str, phase: str, event: Mapping[str, Any]) -> None:
        if phase == "delta":
            delta = event.get("delta")
            if isinstance(delta, str):
                _append(target, field, delta)
        elif phase == "done" and event.get(field) is not None:
            target[field] = event[field]  # the whole text: authoritative over the deltas

    def _slot(self, event: Mapping[str, Any], item_id: Any) -> int:
        """The output index an event is about: its `output_index`, else found by item id."""
        index = _int(event.get("output_index"))
        if index is not None:
            return index
        for slot, item in self._items.items():
            if item_id is not None and item.get("id") == item_id:
                return slot
        return max(self._items, default=-1) + 1

    def _item(self, event: Mapping[str, Any], item_type: str) -> dict[str, Any]:
        """The item an event is about, made up when `response.output_item.added` never came."""
        slot = self._slot(event, event.get("item_id"))
        item = self._items.get(slot)
        if item is None:
            item = self._items[slot] = {"id": event.get("item_id"), "type": item_type}
        return item

    def result(self) -> dict[str, Any]:
        """The response accumulated so far (see the class docstring), as a new dict."""
        accumulated: list[Any] = [self._items[slot] for slot in sorted(self._items)]
        if self._terminal is None:
            out: dict[str, Any] = _snapshot(self._response)
            out["output"] = _snapshot(accumulated)
        else:
            out = _snapshot(self._terminal)
            # Some Responses-compatible servers end with an empty `output`: keep what streamed.
            output = json_array(out.get("output")) or []
            output.extend(_snapshot(accumulated[len(output) :]))
            out["output"] = output
        out["output_text"] = _output_text(out["output"])
        return out


def _part(item: dict[str, Any], key: str, index: Any, empty: dict[str, Any]) -> dict[str, Any]:
    """The part a text event is about, made up when its `*.part.added` never came."""
    parts = _list_at(item, key)
    index = _int(index)
    if index is None:
        index = len(parts) - 1  # no index given: the latest part
    part = json_object(parts[index]) if 0 <= index < len(parts) else None
    if part is None:
        part = _snapshot(empty)
        _put(parts, index, part)
    return part


def _output_text(output: list[Any]) -> str:
    texts: list[str] = []
    for item in output:
        fields = json_object(item) or {}
        if fields.get("type") == "message":
            for part in json_array(fields.get("content")) or ():
                part_fields = json_object(part) or {}
                text = part_fields.get("text")
                if part_fields.get("type") == "output_text" and isinstance(text, str):
                    texts.append(text)
    return "".join(texts)


def accumulate_response(events: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge Responses stream events into the response they stream (see `ResponseAccumulator`)."""
    accumulator = ResponseAccumulator()
    for event in events:
        accumulator.add(event)
    return accumulator.result()
