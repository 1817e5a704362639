//go:build ackon

package main

import yespo "github.com/yespo-client/yespo-go"

// setAckOn sets UpsertOptions.AckOn; built with -tags ackon when the binding has it.
func setAckOn(o *yespo.UpsertOptions, v string) error {
	o.AckOn = v
	return nil
}
