"""Single-contact calls: subscribe, add, update, get, delete, search; the unsubscribed list."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Optional

import orjson

from . import _args
from ._base import PAGE_MAX, ClientBase, id_of, iter_pages, json_arg
from ._ffi import call_no_out, call_out_string
from ._native import lib
from .errors import ValidationError


class ContactMethods(ClientBase):
    def subscribe(self, contact: Any, *, groups: Optional[Iterable[str]] = None,
                  form_type: Optional[str] = None) -> int:
        """``POST /contact/subscribe``: a sign-up from a form (created unconfirmed). Returns its id."""
        request: dict[str, Any] = {"contact": _args.contact_object("contact", contact)}
        if groups is not None:
            request["groups"] = _args.string_list("groups", groups)
        if form_type is not None:
            request["formType"] = _args.text("form_type", form_type)
        text = call_out_string(lib.yespo_subscribe, self._handle(), json_arg(request, "the request"),
                               context="subscribe")
        return id_of(text)

    def add_contact(self, contact: Any) -> int:
        """``POST /contact``: adds (or updates the matching) contact. Returns its id."""
        body = json_arg(_args.contact_object("contact", contact), "the contact")
        return id_of(call_out_string(lib.yespo_contact_add, self._handle(), body, context="add_contact"))

    def update_contact(self, contact_id: int, contact: Any) -> None:
        """``PUT /contact/{id}``: updates an existing contact; :class:`NotFoundError` if none."""
        _args.integer("contact_id", contact_id, 1)
        body = json_arg(_args.contact_object("contact", contact), "the contact")
        call_no_out(lib.yespo_contact_update, self._handle(), contact_id, body,
                    context=f"update_contact({contact_id})")

    def get_contact(self, contact_id: int) -> dict[str, Any]:
        """``GET /contact/{id}``; :class:`NotFoundError` if there is none."""
        _args.integer("contact_id", contact_id, 1)
        text = call_out_string(lib.yespo_contact_get, self._handle(), contact_id,
                               context=f"get_contact({contact_id})")
        result: dict[str, Any] = orjson.loads(text)
        return result

    def delete_contact(self, contact_id: Optional[int] = None, *,
                       external_customer_id: Optional[str] = None, erase: bool = False) -> None:
        """Deletes a contact by Yespo id, or by ``external_customer_id`` (``erase=True``: GDPR
        erase, no restore possible)."""
        if (contact_id is None) == (external_customer_id is None):
            raise ValidationError("pass exactly one of contact_id or external_customer_id")
        if contact_id is not None:
            if erase:
                raise ValidationError("erase applies only to external_customer_id")
            _args.integer("contact_id", contact_id, 1)
            call_no_out(lib.yespo_contact_delete, self._handle(), contact_id,
                        context=f"delete_contact({contact_id})")
            return
        ext = _args.text("external_customer_id", external_customer_id)
        call_no_out(lib.yespo_contact_delete_external, self._handle(), ext.encode("utf-8"),
                    int(_args.boolean("erase", erase)), context="delete_contact(external_customer_id)")

    def search_contacts(
        self,
        *,
        email: Optional[str] = None,
        sms: Optional[str] = None,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        external_customer_id: Optional[str] = None,
        page_size: int = PAGE_MAX,
        limit: Optional[int] = None,
    ) -> Iterator[dict[str, Any]]:
        """``GET /contacts``: a lazy iterator over every match, fetching ``page_size`` at a time."""
        query = search_query(email, sms, first_name, last_name, external_customer_id, page_size, limit)
        return iter_pages(lambda q: call_out_string(lib.yespo_contacts_search, self._handle(), q,
                                                     context="search_contacts"),
                           query, page_size, limit)

    def unsubscribe_emails(self, emails: Iterable[str]) -> None:
        """Adds emails to the account's unsubscribed list."""
        body = orjson.dumps(_args.string_list("emails", emails))
        call_no_out(lib.yespo_emails_unsubscribed, self._handle(), body, 1, context="unsubscribe_emails")

    def resubscribe_emails(self, emails: Iterable[str]) -> None:
        """Removes emails from the account's unsubscribed list."""
        body = orjson.dumps(_args.string_list("emails", emails))
        call_no_out(lib.yespo_emails_unsubscribed, self._handle(), body, 0, context="resubscribe_emails")


def search_query(email: Optional[str], sms: Optional[str], first_name: Optional[str], last_name: Optional[str],
                 external_customer_id: Optional[str], page_size: int, limit: Optional[int]) -> dict[str, Any]:
    """The query of ``GET /contacts`` from search_contacts' arguments, checked (Client and
    AsyncClient alike)."""
    query: dict[str, Any] = {}
    for key, value in (("email", email), ("sms", sms), ("firstname", first_name),
                       ("lastname", last_name), ("externalCustomerId", external_customer_id)):
        if value is not None:
            query[key] = _args.text(key, value)
    _args.integer("page_size", page_size, 1, PAGE_MAX)
    if limit is not None:
        _args.integer("limit", limit, 0)
    return query
