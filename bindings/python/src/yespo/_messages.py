"""Events (the v2 API), deleting orders, and message sends that create contacts."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable, Mapping, Optional, Union

import orjson

from . import _args
from ._base import ClientBase, json_arg
from ._ffi import call_no_out, call_out_string
from ._native import lib
from .errors import ValidationError
from .types import Event, EventParam

Time = Union[str, _dt.datetime]
Params = Union[Mapping[str, Any], Iterable[EventParam], None]


def _time(name: str, value: Time) -> str:
    if isinstance(value, _dt.datetime):
        return value.isoformat(timespec="seconds")
    return _args.text(name, value)


def _request(name: str, value: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(f"{name} must be a mapping (the request's JSON object), got {type(value).__name__}")
    return dict(value)


def _answer(text: str) -> Any:
    return orjson.loads(text)


class MessageMethods(ClientBase):
    def send_event(self, event: Union[Event, str, Mapping[str, Any]], *, key_value: Optional[str] = None,
                   params: Params = None) -> None:
        """``POST /api/v2/event``: one event. ``event`` is an :class:`Event`, an event type key
        (with ``key_value=`` / ``params=``), or the JSON body as a mapping. The v2 URL is the base
        URL with /v1 made /v2 unless ``base_url_v2`` is set. Checked before sending: the type key
        rule and that the event has a key (``key_value`` or a param named contactId,
        externalCustomerId, email, phone or pushToken); a bad event is a :class:`ValidationError`."""
        if isinstance(event, Event):
            if key_value is not None or params is not None:
                raise ValidationError("pass key_value/params inside the Event, not beside it")
            body: Any = event.to_json()
        elif isinstance(event, str):
            body = Event(event, key_value, params if params is None or isinstance(params, Mapping)
                         else tuple(params)).to_json()
        elif isinstance(event, Mapping):
            if key_value is not None or params is not None:
                raise ValidationError("pass key_value/params inside the mapping, not beside it")
            body = dict(event)
        else:
            raise ValidationError(f"event must be an Event, an event type key or a mapping, got {type(event).__name__}")
        call_no_out(lib.yespo_event_send, self._handle(), json_arg(body, "the event"), context="send_event")

    def delete_orders(self, *, external_order_id: Optional[str] = None, start: Optional[Time] = None,
                      end: Optional[Time] = None) -> None:
        """``DELETE /orders``: one order by ``external_order_id``, or every order from ``start`` to
        ``end`` (at most 24 hours apart; ISO 8601 strings or datetimes). Yespo deletes asynchronously."""
        if external_order_id is not None:
            if start is not None or end is not None:
                raise ValidationError("pass external_order_id, or start and end, not both")
            query: dict[str, Any] = {"externalOrderId": _args.text("external_order_id", external_order_id)}
        elif start is not None and end is not None:
            query = {"from": _time("start", start), "to": _time("end", end)}
        else:
            raise ValidationError("pass external_order_id, or both start and end")
        call_no_out(lib.yespo_orders_delete, self._handle(), orjson.dumps(query), context="delete_orders")

    # -- message sends: the JSON body passes through; helpers build the common fields

    def message_email(self, request: Mapping[str, Any]) -> Any:
        """``POST /message/email`` with ``request`` as the body, as is. Returns the answer's JSON."""
        body = json_arg(_request("request", request), "the email request")
        return _answer(call_out_string(lib.yespo_message_email, self._handle(), body, context="message_email"))

    def message_sms(self, request: Mapping[str, Any]) -> Any:
        """``POST /message/sms`` with ``request`` as the body, as is. Returns the answer's JSON."""
        body = json_arg(_request("request", request), "the SMS request")
        return _answer(call_out_string(lib.yespo_message_sms, self._handle(), body, context="message_sms"))

    def message_send(self, message_id: int, request: Mapping[str, Any]) -> Any:
        """``POST /message/{id}/send`` (a prepared message) with ``request`` as the body."""
        _args.integer("message_id", message_id, 1)
        body = json_arg(_request("request", request), "the prepared message request")
        return _answer(call_out_string(lib.yespo_message_send, self._handle(), message_id, body,
                                       context=f"message_send({message_id})"))

    def send_email(self, emails: Iterable[str], *, sender: str, subject: str, html: Optional[str] = None,
                   text: Optional[str] = None, extra: Optional[Mapping[str, Any]] = None) -> Any:
        """Sends an email to ``emails`` (unknown addresses become contacts): ``from``=sender,
        ``subject``, ``htmlText``=html and/or ``plainText``=text; ``extra`` adds other API fields."""
        request = _request("extra", extra)
        request.update({"from": _args.text("sender", sender), "subject": _args.text("subject", subject),
                        "emails": _args.string_list("emails", emails)})
        if html is not None:
            request["htmlText"] = _args.text("html", html)
        if text is not None:
            request["plainText"] = _args.text("text", text)
        return self.message_email(request)

    def send_sms(self, phone_numbers: Iterable[str], *, sender: str, text: str,
                 extra: Optional[Mapping[str, Any]] = None) -> Any:
        """Sends an SMS to ``phone_numbers`` (unknown numbers become contacts)."""
        request = _request("extra", extra)
        request.update({"from": _args.text("sender", sender), "text": _args.text("text", text),
                        "phoneNumbers": _args.string_list("phone_numbers", phone_numbers)})
        return self.message_sms(request)

    def send_prepared_message(self, message_id: int, recipients: Iterable[str], *,
                              params: Optional[Mapping[str, Any]] = None, email: Optional[bool] = None,
                              extra: Optional[Mapping[str, Any]] = None) -> Any:
        """Sends prepared message ``message_id`` to ``recipients`` (emails or phones);
        ``params`` fill its personalisation (sent as ``[{"key","value"}]``)."""
        request = _request("extra", extra)
        request["recipients"] = _args.string_list("recipients", recipients)
        if params is not None:
            request["params"] = [{"key": str(k), "value": "" if v is None else str(v)} for k, v in params.items()]
        if email is not None:
            request["email"] = _args.boolean("email", email)
        return self.message_send(message_id, request)
