package yespo

// Paged reads (contact search, a segment's contacts) as an iterator that fetches one page at a
// time, stopping at the total the server reports or at the first short page.

/*
#include "yespo.h"
*/
import "C"

import "context"

// ContactQuery filters GET /contacts. PageSize is 1..500 (default 500).
type ContactQuery struct {
	Email              string
	SMS                string
	FirstName          string
	LastName           string
	ExternalCustomerID string
	PageSize           int
}

// ContactPage is one page of contacts.
type ContactPage struct {
	TotalCount int       `json:"totalCount"`
	Contacts   []Contact `json:"contacts"`
}

type pageFetcher func(ctx context.Context, startIndex, maxRows int) (*ContactPage, error)

// ContactIterator walks the pages of a search:
//
//	it := client.SearchContacts(ctx, yespo.ContactQuery{Email: "a@b.c"})
//	for it.Next() { use(it.Contact()) }
//	if err := it.Err(); err != nil { ... }
type ContactIterator struct {
	ctx      context.Context
	fetch    pageFetcher
	pageSize int
	next     int // startindex of the next page, 1-based
	page     []Contact
	pos      int
	total    int
	done     bool
	err      error
	current  Contact
}

func newIterator(ctx context.Context, pageSize int, fetch pageFetcher) *ContactIterator {
	if pageSize <= 0 || pageSize > 500 {
		pageSize = 500
	}
	return &ContactIterator{ctx: ctx, fetch: fetch, pageSize: pageSize, next: 1, total: -1}
}

// Next advances to the next contact, fetching a page when needed; false at the end or on error.
func (it *ContactIterator) Next() bool {
	for it.pos >= len(it.page) {
		if it.done || it.err != nil {
			return false
		}
		page, err := it.fetch(it.ctx, it.next, it.pageSize)
		if err != nil {
			it.err = err
			return false
		}
		it.page, it.pos, it.total = page.Contacts, 0, page.TotalCount
		it.next += len(page.Contacts)
		if len(page.Contacts) < it.pageSize || it.next > it.total {
			it.done = true
		}
	}
	it.current = it.page[it.pos]
	it.pos++
	return true
}

// Contact is the contact Next moved to.
func (it *ContactIterator) Contact() Contact { return it.current }

// Total is the server's total count, known after the first Next (-1 before).
func (it *ContactIterator) Total() int { return it.total }

// Err is the error that ended the iteration, if any.
func (it *ContactIterator) Err() error { return it.err }

// All drains the iterator into a slice.
func (it *ContactIterator) All() ([]Contact, error) {
	var all []Contact
	for it.Next() {
		all = append(all, it.Contact())
	}
	return all, it.Err()
}

type searchQueryJSON struct {
	Email              string `json:"email,omitempty"`
	SMS                string `json:"sms,omitempty"`
	FirstName          string `json:"firstname,omitempty"`
	LastName           string `json:"lastname,omitempty"`
	ExternalCustomerID string `json:"externalCustomerId,omitempty"`
	StartIndex         int    `json:"startindex"`
	MaxRows            int    `json:"maxrows"`
}

// SearchContacts iterates over the contacts matching q (GET /contacts), page by page.
func (c *Client) SearchContacts(ctx context.Context, q ContactQuery) *ContactIterator {
	return newIterator(ctx, q.PageSize, func(ctx context.Context, start, max int) (*ContactPage, error) {
		return c.SearchContactsPage(ctx, q, start, max)
	})
}

// SearchContactsPage fetches one page of a search: startIndex from 1, maxRows 1..500.
func (c *Client) SearchContactsPage(ctx context.Context, q ContactQuery, startIndex, maxRows int) (*ContactPage, error) {
	const op = "SearchContacts"
	query := searchQueryJSON{q.Email, q.SMS, q.FirstName, q.LastName, q.ExternalCustomerID, startIndex, maxRows}
	text, err := c.jsonInOut(ctx, op, query, func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_contacts_search(h, in, out, cerr)
	})
	return decodePage(op, text, err)
}

// SegmentContacts iterates over the contacts of a segment (GET /group/{id}/contacts).
func (c *Client) SegmentContacts(ctx context.Context, groupID int64, pageSize int) *ContactIterator {
	return newIterator(ctx, pageSize, func(ctx context.Context, start, max int) (*ContactPage, error) {
		const op = "SegmentContacts"
		query := struct {
			StartIndex int `json:"startindex"`
			MaxRows    int `json:"maxrows"`
		}{start, max}
		text, err := c.jsonInOut(ctx, op, query, func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int {
			return C.yespo_segment_contacts(h, C.int64_t(groupID), in, out, cerr)
		})
		return decodePage(op, text, err)
	})
}

func decodePage(op, text string, err error) (*ContactPage, error) {
	if err != nil {
		return nil, err
	}
	var page ContactPage
	if err := decodeResult(op, text, &page); err != nil {
		return nil, err
	}
	return &page, nil
}
