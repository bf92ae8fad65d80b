"""Text rule `agnews-text-v1`: the single place where raw AG News fields become model input.

The Java service implements the same rule; `onnx/text-rule-cases.json` is the shared contract and
the unit tests check this function against every case in it.
"""
import re

RULE_ID = "agnews-text-v1"

_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": " "}

# One left-to-right pass over all entity forms, so text produced by one replacement is never
# decoded again ("&amp;lt;" becomes "&lt;", not "<"). AG News wrote "&#39;" as " #39;": the '&'
# became a space, so that one space belongs to the entity ("Haiti #39;s" -> "Haiti's") and is
# consumed with it; an invalid entity is left as it was, space included.
_ENTITY = re.compile(r"&#[xX]([0-9a-fA-F]+);|[& ]?#([0-9]+);|&(amp|lt|gt|quot|apos|nbsp);")
_WHITESPACE = re.compile(r"\s+")


def _code_point_char(value):
    """The character for a numeric entity, or None when it names no valid scalar value."""
    if 0 < value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
        return chr(value)
    return None


def _replace_entity(match):
    hex_digits, dec_digits, name = match.groups()
    if name is not None:
        return _NAMED[name]
    # Overlong digit strings cannot be valid code points; cap the parse instead of making a bignum.
    digits = hex_digits if hex_digits is not None else dec_digits
    if len(digits) > 8:
        return match.group(0)
    char = _code_point_char(int(digits, 16 if hex_digits is not None else 10))
    return match.group(0) if char is None else char


def model_text(title, description):
    """Apply rule agnews-text-v1 to one article (title and description may be empty)."""
    parts = [part.strip() for part in (title or "", description or "")]
    text = " ".join(part for part in parts if part)
    text = text.replace("\\", " ")
    text = _ENTITY.sub(_replace_entity, text)
    return _WHITESPACE.sub(" ", text).strip()
