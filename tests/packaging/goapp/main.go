// A program outside the repository, built against an installed libyespo (`make install`): cgo
// finds the header and the library through pkg-config. It upserts contacts into the emulator at
// $YESPO_BASE_URL and prints the report; exit 0 only when every row was accepted.
package main

import (
	"context"
	"fmt"
	"os"

	yespo "github.com/yespo-client/yespo-go"
)

func main() {
	client, err := yespo.NewClient("test-key", yespo.WithBaseURL(os.Getenv("YESPO_BASE_URL")), yespo.WithConcurrency(4))
	if err != nil {
		fmt.Fprintln(os.Stderr, "new client:", err)
		os.Exit(2)
	}
	defer client.Close()
	contacts := make([]yespo.Contact, 0, 5000)
	for i := 1; i <= 5000; i++ {
		contacts = append(contacts, yespo.Contact{FirstName: fmt.Sprintf("F%d", i),
			Channels: []yespo.Channel{yespo.Email(fmt.Sprintf("go%d@example.com", i))}})
	}
	report, err := client.UpsertContacts(context.Background(), contacts, yespo.UpsertOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "upsert:", err)
		os.Exit(2)
	}
	fmt.Printf("libyespo %s: rows %d accepted %d\n", yespo.Version(), report.Total, report.Accepted)
	if report.Accepted != 5000 || !report.Complete {
		os.Exit(1)
	}
}
