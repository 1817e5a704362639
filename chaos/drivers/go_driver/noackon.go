//go:build !ackon

package main

import (
	"fmt"

	yespo "github.com/yespo-client/yespo-go"
)

// setAckOn: this binding has no UpsertOptions.AckOn yet (chaos then does not ask for it).
func setAckOn(o *yespo.UpsertOptions, v string) error {
	return fmt.Errorf("--ack-on %s: the Go binding has no UpsertOptions.AckOn", v)
}
