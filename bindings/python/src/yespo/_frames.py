"""DataFrames in bulk: which column feeds which contact field, and the polars expression that writes
every row of a pandas, polars or pyarrow table as one line of NDJSON in the API's contact shape.

No per-row Python object is made: the frame (or only its mapped columns) becomes a polars frame
(zero-copy from Arrow), one expression builds each row's JSON text, and polars' CSV writer with
``quote_style="never"`` writes that single column out as NDJSON, a batch at a time. The core then
validates, normalises and numbers the lines (one line = one row, numbered from 1 in frame order).

Blank cells (null, NaN, empty or whitespace-only text) leave the field out, as in a CSV file.
"""

from __future__ import annotations

import importlib
import io
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

from .errors import ValidationError

# polars, pandas and pyarrow are optional and imported only when a frame is given; their objects
# are typed Any here so that type checks do not depend on which of them are installed.
Expr = Any
PolarsFrame = Any

#: Channel fields: each mapped column adds a channel of that type when its cell is not blank.
CHANNELS = ("email", "sms", "mobilepush", "webpush", "viber")
#: Text fields at the top level of a contact.
TEXT_FIELDS = ("firstName", "lastName", "languageCode", "timeZone", "contactKey", "externalCustomerId")
#: Fields of the contact's ``address`` object.
ADDRESS_FIELDS = ("address", "region", "town", "postcode")
FIELDS = TEXT_FIELDS + CHANNELS + ADDRESS_FIELDS + ("id",)

# Column names recognised without a mapping, compared lower-cased with everything but letters and
# digits removed ("First name", "first_name" and "FirstName" are one name). Yespo's own import
# headers, the API's field names, and the common names of CRM and spreadsheet exports.
_ALIASES: dict[str, tuple[str, ...]] = {
    "firstName": ("firstname", "givenname", "forename"),
    "lastName": ("lastname", "surname", "familyname"),
    "email": ("email", "emailaddress", "mail"),
    "sms": ("sms", "phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "cellphone"),
    "mobilepush": ("mobilepush",),
    "webpush": ("webpush",),
    "viber": ("viber",),
    "address": ("address", "streetaddress", "street"),
    "region": ("region", "state", "province"),
    "town": ("town", "city"),
    "postcode": ("postcode", "zip", "zipcode", "postalcode"),
    "languageCode": ("languagecode", "language"),
    "timeZone": ("timezone",),
    "contactKey": ("contactkey",),
    "externalCustomerId": ("externalcustomerid", "externalid", "customerid"),
    "id": ("contactid", "id"),
}
_RECOGNISED = {alias: target for target, names in _ALIASES.items() for alias in names}
# Field names a mapping may use besides FIELDS (case-insensitive, like the core's CSV mapping).
_FIELD_SYNONYMS = {"phone": "sms", "city": "town", "e-mail": "email", "firstname": "firstName",
                   "lastname": "lastName", "languagecode": "languageCode", "timezone": "timeZone",
                   "contactkey": "contactKey", "externalcustomerid": "externalCustomerId"}
_WHITESPACE = " \t\r\n\x0b\x0c"
_DIGITS = re.compile(r"^[0-9]{1,18}$")

ColumnSpec = Union[str, Sequence[str]]


def _normalise(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def frame_kind(obj: Any) -> Optional[str]:
    """"pandas", "polars" or "pyarrow" for a table of that library, else None (nothing imported)."""
    module = type(obj).__module__.split(".", 1)[0]
    name = type(obj).__name__
    if module == "pandas" and name == "DataFrame":
        return "pandas"
    if module == "polars" and name == "DataFrame":
        return "polars"
    if module == "polars" and name == "LazyFrame":
        return "polars-lazy"
    if module == "pyarrow" and name in ("Table", "RecordBatch"):
        return "pyarrow"
    return None


def column_names(frame: Any, kind: str) -> list[Any]:
    if kind == "pandas":
        return list(frame.columns)
    if kind == "pyarrow":
        return list(frame.schema.names)
    return list(frame.columns)


@dataclass
class ColumnPlan:
    """The resolved mapping: contact field → the frame's column(s), in the order written."""

    text: dict[str, Any] = field(default_factory=dict)          # field -> column
    address: dict[str, Any] = field(default_factory=dict)       # field -> column
    channels: list[tuple[str, Any]] = field(default_factory=list)  # (type, column)
    custom: list[tuple[int, Any]] = field(default_factory=list)  # (field id, column)
    id_column: Any = None

    def columns(self) -> list[Any]:
        """Every mapped column, once, in a stable order."""
        seen: list[Any] = []
        for col in [*self.text.values(), *self.address.values(), *(c for _, c in self.channels),
                    *(c for _, c in self.custom), *([self.id_column] if self.id_column is not None else [])]:
            if col not in seen:
                seen.append(col)
        return seen

    def as_mapping(self) -> dict[str, Any]:
        """{field: column or [columns]} — what was used, for the report and the logs."""
        out: dict[str, Any] = {}
        out.update(self.text)
        for kind, col in self.channels:
            prev = out.get(kind)
            out[kind] = col if prev is None else ([*prev, col] if isinstance(prev, list) else [prev, col])
        out.update(self.address)
        if self.id_column is not None:
            out["id"] = self.id_column
        for fid, col in self.custom:
            out[str(fid)] = col
        return out

    def add(self, target: str, column: Any) -> None:
        if target in CHANNELS:
            self.channels.append((target, column))
        elif target in TEXT_FIELDS:
            self.text[target] = column
        elif target in ADDRESS_FIELDS:
            self.address[target] = column
        elif target == "id":
            self.id_column = column
        else:
            self.custom.append((int(target), column))


def _field_name(name: Any) -> str:
    """A mapping key as a contact field: one of FIELDS, a synonym, or a custom field id."""
    if isinstance(name, bool) or not isinstance(name, (str, int)):
        raise ValidationError(f"columns: a key must be a field name (str) or a custom field id, not {name!r}")
    if isinstance(name, int):
        if name < 1:
            raise ValidationError(f"columns: custom field id {name} must be positive")
        return str(name)
    if name in FIELDS:
        return name
    lowered = name.strip().lower()
    for f in FIELDS:
        if f.lower() == lowered:
            return f
    if lowered in _FIELD_SYNONYMS:
        return _FIELD_SYNONYMS[lowered]
    if _DIGITS.match(lowered) and int(lowered) > 0:
        return str(int(lowered))
    raise ValidationError(
        f"columns: unknown contact field {name!r}; use one of {', '.join(FIELDS)}, "
        "or a custom field id (an int or a string of digits)")


def resolve_columns(names: Sequence[Any], columns: Optional[Mapping[Any, ColumnSpec]]) -> ColumnPlan:
    """The plan for a frame with these column names: from ``columns`` ({field: column or [columns]})
    when given, else from the recognised names. Raises ValidationError naming what is wrong."""
    plan = ColumnPlan()
    if columns is not None:
        if not isinstance(columns, Mapping):
            raise ValidationError(f"columns must be a dict of contact field -> column name, "
                                  f"not {type(columns).__name__}")
        for key, spec in columns.items():
            target = _field_name(key)
            cols = [spec] if isinstance(spec, (str, int)) and not isinstance(spec, bool) else spec
            if isinstance(cols, (str, bytes)) or not isinstance(cols, Sequence) or not cols:
                raise ValidationError(f"columns[{key!r}] must be a column name or a list of them, not {spec!r}")
            if len(cols) > 1 and target not in CHANNELS:
                raise ValidationError(f"columns[{key!r}]: only channel fields ({', '.join(CHANNELS)}) "
                                      "take several columns")
            for col in cols:
                if col not in names:
                    raise ValidationError(f"columns[{key!r}]: the frame has no column {col!r}; "
                                          f"its columns: {_list(names)}")
                plan.add(target, col)
    else:
        taken: set[str] = set()
        for col in names:
            if not isinstance(col, str):
                continue  # integer labels (a header-less frame) are never guessed
            found: Optional[str] = _RECOGNISED.get(_normalise(col))
            if found is None and _DIGITS.match(col.strip()) and int(col) > 0:
                found = str(int(col))  # a custom field by id, as in Yespo's CSV import
            if found is None:
                continue
            target = found
            if target in taken and target not in CHANNELS:
                raise ValidationError(f"columns {col!r} and {plan.as_mapping()[target]!r} both look like "
                                      f"{target}; pass columns={{...}} to say which one to use")
            taken.add(target)
            plan.add(target, col)
        if not plan.channels and plan.id_column is None and "externalCustomerId" not in plan.text:
            raise ValidationError(
                "no column of the frame is a known contact field (Email, Phone/Sms, First name, ...); "
                f"its columns: {_list(names)}. Pass columns={{'email': 'Your email column', ...}}")
    if not plan.columns():
        raise ValidationError("columns maps no column")
    return plan


def _list(names: Sequence[Any]) -> str:
    shown = ", ".join(repr(n) for n in names[:20])
    return shown + (f", ... ({len(names)} in all)" if len(names) > 20 else "")


def require_polars() -> Any:
    try:
        polars = importlib.import_module("polars")
    except ImportError:
        raise ImportError("yespo: DataFrame upserts convert with polars: pip install 'yespo[dataframes]' "
                          "(polars and pyarrow)") from None
    return polars


def to_polars(frame: Any, kind: str, plan: ColumnPlan) -> PolarsFrame:
    """Only the mapped columns, renamed c0, c1, ... (names never reach an expression)."""
    pl = require_polars()
    cols = plan.columns()
    if kind == "pandas":
        for col in cols:
            if list(frame.columns).count(col) > 1:
                raise ValidationError(f"the frame has more than one column named {col!r}")
        out = pl.from_pandas(frame[cols], include_index=False)
    elif kind == "pyarrow":
        table = frame.select(cols) if hasattr(frame, "select") else frame
        out = pl.from_arrow(table)
    elif kind == "polars-lazy":
        out = frame.select([pl.col(c) for c in cols]).collect()
    else:
        out = frame.select([pl.col(c) for c in cols])
    out.columns = [f"c{i}" for i in range(len(cols))]
    return out


def padded_columns(table: PolarsFrame) -> set[str]:
    """The String columns with a value that starts or ends with whitespace: only those pay for
    trimming (a new copy of every value)."""
    pl = require_polars()
    text = [name for name, dtype in table.schema.items() if dtype == pl.String]
    if not text or table.height == 0:
        return set()
    found = table.select([pl.col(n).str.contains(r"^[ \t\r\n\x0b\x0c]|[ \t\r\n\x0b\x0c]$").any()
                          for n in text]).row(0)
    return {n for n, hit in zip(text, found) if hit}


def line_expression(plan: ColumnPlan, schema: Mapping[str, Any], padded: Optional[set[str]] = None) -> Expr:
    """One String per row: the contact's JSON object (no newline). Columns in ``padded`` (default:
    all) are trimmed."""
    pl = require_polars()
    index = {col: f"c{i}" for i, col in enumerate(plan.columns())}

    def text(col: Any) -> Expr:
        name = index[col]
        return _text(pl, pl.col(name), schema[name], col, padded is None or name in padded)

    def literal(e: Expr) -> Expr:
        # The JSON string literal of a String expression (escaping done by polars' JSON writer):
        # '{"v":"..."}' without its first five bytes and its last one.
        return pl.struct(v=e).struct.json_encode().str.head(-1).str.tail(-5)

    members: dict[str, Expr] = {f: text(c) for f, c in plan.text.items()}
    if plan.address:
        parts = {f: text(c) for f, c in plan.address.items()}
        any_part = pl.any_horizontal([p.is_not_null() for p in parts.values()])
        members["address"] = pl.when(any_part).then(pl.struct(**parts))
    fragments: list[Expr] = []
    if members:
        base = pl.struct(**members).struct.json_encode()
        head = base.str.head(-1)  # '{"firstName":...' without its '}'
    else:
        head = pl.lit("{")
    channel_items = []
    for kind, col in plan.channels:
        value = text(col)
        channel_items.append(pl.when(value.is_not_null()).then(
            pl.concat_str([pl.lit('{"type":"%s","value":' % kind), literal(value), pl.lit("}")])))
    if plan.channels:
        joined = pl.concat_str(channel_items, separator=",", ignore_nulls=True).fill_null("")
        fragments.append(pl.concat_str([pl.lit('"channels":['), joined, pl.lit("]")]))
    if plan.id_column is not None:
        fragments.append(_id_fragment(pl, plan.id_column, index, schema, literal))
    if plan.custom:
        items = []
        for fid, col in plan.custom:
            value = _field_value(pl, pl.col(index[col]), schema[index[col]], col, literal)
            items.append(pl.when(value.is_not_null()).then(
                pl.concat_str([pl.lit('{"id":%d,"value":' % fid), value, pl.lit("}")])))
        joined = pl.concat_str(items, separator=",", ignore_nulls=True)
        fragments.append(pl.when(joined.is_not_null() & (joined != "")).then(
            pl.concat_str([pl.lit('"fields":['), joined, pl.lit("]")])))
    if not fragments:
        return pl.concat_str([head, pl.lit("}")])
    rest = pl.concat_str(fragments, separator=",", ignore_nulls=True)
    if members:
        return pl.concat_str([head, pl.lit(","), rest, pl.lit("}")])
    return pl.concat_str([head, rest, pl.lit("}")])


def _text(pl: Any, e: Expr, dtype: Any, col: Any, strip: bool = True) -> Expr:
    """A column as trimmed text; null when blank. Whole floats lose their '.0' (a phone number or
    an id read into a float column, as pandas does with NaN)."""
    if dtype == pl.String:
        if not strip:
            return pl.when(e != "").then(e)
    elif dtype.is_float():
        whole = e.is_finite() & (e == e.floor()) & (e.abs() < 1e18)
        return pl.when(whole).then(e.cast(pl.Int64).cast(pl.String)).when(e.is_finite()).then(e.cast(pl.String))
    elif dtype.is_numeric() or dtype == pl.Boolean or dtype.is_temporal():
        return e.cast(pl.String)  # never blank, never padded
    elif dtype in (pl.Categorical, pl.Enum) or isinstance(dtype, (pl.Categorical, pl.Enum)):
        e = e.cast(pl.String)
    elif dtype == pl.Null:
        return pl.lit(None, dtype=pl.String)
    else:
        raise ValidationError(f"column {col!r} holds {dtype}, which cannot be a contact field "
                              "(text, numbers, booleans and dates can)")
    e = e.str.strip_chars(_WHITESPACE)
    return pl.when(e != "").then(e)


def _id_fragment(pl: Any, col: Any, index: Mapping[Any, str], schema: Mapping[str, Any], literal: Any) -> Expr:
    name = index[col]
    value = _text(pl, pl.col(name), schema[name], col)  # always trimmed: rare, and must be digits
    # Digits go as a JSON number; anything else as text, which the core reports invalid with the
    # reason (never silently dropped: an id decides which contact is written).
    number = pl.when(value.str.contains(r"^[0-9]{1,18}$")).then(value).otherwise(literal(value))
    return pl.when(value.is_not_null()).then(pl.concat_str([pl.lit('"id":'), number]))


def _field_value(pl: Any, e: Expr, dtype: Any, col: Any, literal: Any) -> Expr:
    """A custom field's value as JSON: numbers and booleans as such, the rest as text."""
    if dtype == pl.Boolean:
        return pl.when(e).then(pl.lit("true")).when(e.not_()).then(pl.lit("false"))
    if dtype.is_integer():
        return e.cast(pl.String)
    if dtype.is_float():
        whole = e.is_finite() & (e == e.floor()) & (e.abs() < 1e18)
        return pl.when(whole).then(e.cast(pl.Int64).cast(pl.String)).when(e.is_finite()).then(e.cast(pl.String))
    value = _text(pl, e, dtype, col)
    return pl.when(value.is_not_null()).then(literal(value))


def ndjson_batches(frame: PolarsFrame, expr: Expr, batch_rows: int) -> Iterator[tuple[bytes, int]]:
    """(NDJSON bytes, rows) for each slice of ``batch_rows`` rows; one line per row."""
    for offset in range(0, frame.height, batch_rows):
        part = frame.slice(offset, batch_rows)
        yield encode_slice(part, expr), part.height


def encode_slice(part: PolarsFrame, expr: Expr) -> bytes:
    lines = part.select(expr.alias("line"))
    buf = io.BytesIO()
    # One String column, never quoted: each row's text then a newline, i.e. NDJSON.
    lines.write_csv(buf, include_header=False, quote_style="never")
    return buf.getvalue()
