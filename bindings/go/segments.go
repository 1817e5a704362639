package yespo

// Segments (groups): list them, attach and detach contacts of static segments.

/*
#include "yespo.h"
*/
import "C"

import "context"

// Segment is a contact segment (group).
type Segment struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// SegmentQuery filters ListSegments; zero values are left out.
type SegmentQuery struct {
	Name       string `json:"name,omitempty"`
	StartIndex int    `json:"startindex,omitempty"`
	MaxRows    int    `json:"maxrows,omitempty"`
}

// SegmentMembers names contacts by id or by external customer id (one kind per call; any number,
// sent in requests of at most 500).
type SegmentMembers struct {
	ContactIDs          []int64  `json:"contactIds,omitempty"`
	ExternalCustomerIDs []string `json:"externalCustomerIds,omitempty"`
}

func (m SegmentMembers) check(op string) error {
	switch {
	case len(m.ContactIDs) == 0 && len(m.ExternalCustomerIDs) == 0:
		return invalidArgument(op, "no contacts given (ContactIDs or ExternalCustomerIDs)")
	case len(m.ContactIDs) > 0 && len(m.ExternalCustomerIDs) > 0:
		return invalidArgument(op, "give ContactIDs or ExternalCustomerIDs, not both")
	}
	return nil
}

// ListSegments lists segments (GET /groups).
func (c *Client) ListSegments(ctx context.Context, q SegmentQuery) ([]Segment, error) {
	const op = "ListSegments"
	text, err := c.jsonInOut(ctx, op, q, func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_segments_list(h, in, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var segments []Segment
	err = decodeResult(op, text, &segments)
	return segments, err
}

// AttachToSegment adds contacts to a static segment.
func (c *Client) AttachToSegment(ctx context.Context, groupID int64, members SegmentMembers) error {
	const op = "AttachToSegment"
	if err := members.check(op); err != nil {
		return err
	}
	return c.segmentMembership(ctx, op, groupID, members, true)
}

// DetachFromSegment removes contacts from a static segment. To empty a segment use
// DetachAllFromSegment: an empty members list is an error here, never "everyone".
func (c *Client) DetachFromSegment(ctx context.Context, groupID int64, members SegmentMembers) error {
	const op = "DetachFromSegment"
	if err := members.check(op); err != nil {
		return err
	}
	return c.segmentMembership(ctx, op, groupID, members, false)
}

// DetachAllFromSegment removes every contact from a static segment.
func (c *Client) DetachAllFromSegment(ctx context.Context, groupID int64) error {
	return c.segmentMembership(ctx, "DetachAllFromSegment", groupID, SegmentMembers{}, false)
}

func (c *Client) segmentMembership(ctx context.Context, op string, groupID int64, members SegmentMembers, attach bool) error {
	text, err := encodeArgument(op, members)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, op, func(h *C.yespo_client, _ **C.char, cerr **C.yespo_error) C.int {
		return withCString(text, func(p *C.char) C.int {
			if attach {
				return C.yespo_segment_attach(h, C.int64_t(groupID), p, cerr)
			}
			return C.yespo_segment_detach(h, C.int64_t(groupID), p, cerr)
		})
	})
	return err
}
