// Baseline: what a competent Go developer writes with net/http + encoding/json — a pool of
// goroutines over one keep-alive transport, chunks of 3000 from encoding/csv, simple retry with
// backoff on 429/5xx and connection errors.
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type channel struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type address struct {
	Address  string `json:"address,omitempty"`
	Region   string `json:"region,omitempty"`
	Town     string `json:"town,omitempty"`
	Postcode string `json:"postcode,omitempty"`
}

type contact struct {
	ID                 int64     `json:"id,omitempty"`
	ExternalCustomerID string    `json:"externalCustomerId,omitempty"`
	FirstName          string    `json:"firstName,omitempty"`
	LastName           string    `json:"lastName,omitempty"`
	Channels           []channel `json:"channels"`
	Address            *address  `json:"address,omitempty"`
	LanguageCode       string    `json:"languageCode,omitempty"`
	TimeZone           string    `json:"timeZone,omitempty"`
}

type body struct {
	Contacts []contact `json:"contacts"`
	DedupeOn string    `json:"dedupeOn"`
}

func toContact(header map[string]int, rec []string) contact {
	get := func(name string) string {
		if i, ok := header[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	c := contact{FirstName: get("First name"), LastName: get("Last name"),
		ExternalCustomerID: get("External customer id"), LanguageCode: get("Language code"),
		TimeZone: get("Timezone")}
	if v := get("Email"); v != "" {
		c.Channels = append(c.Channels, channel{"email", v})
	}
	if v := get("Sms"); v != "" {
		c.Channels = append(c.Channels, channel{"sms", v})
	}
	a := address{get("Address"), get("Region"), get("City"), get("Postcode")}
	if a != (address{}) {
		c.Address = &a
	}
	if v := get("Contact id"); v != "" {
		c.ID, _ = strconv.ParseInt(v, 10, 64)
	}
	return c
}

func main() {
	baseURL := flag.String("base-url", "", "")
	apiKey := flag.String("api-key", "", "")
	input := flag.String("input", "", "")
	chunkSize := flag.Int("chunk-size", 3000, "")
	concurrency := flag.Int("concurrency", 8, "")
	retries := flag.Int("retries", 8, "")
	flag.Int("rate", 0, "ignored: baselines do not pace themselves")
	flag.Parse()

	client := &http.Client{Timeout: 120 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: *concurrency, MaxConnsPerHost: *concurrency}}
	var requests, retried, sent, lost int64
	chunks := make(chan []contact, *concurrency*2)
	var wg sync.WaitGroup
	for i := 0; i < *concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range chunks {
				payload, _ := json.Marshal(body{Contacts: chunk, DedupeOn: "email"})
				ok := false
				for attempt := 0; attempt <= *retries; attempt++ {
					atomic.AddInt64(&requests, 1)
					req, _ := http.NewRequest("POST", *baseURL+"/contacts", bytes.NewReader(payload))
					req.SetBasicAuth("", *apiKey)
					req.Header.Set("Content-Type", "application/json; charset=UTF-8")
					req.Header.Set("Accept", "application/json")
					resp, err := client.Do(req)
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						s := resp.StatusCode
						if s != 408 && s != 429 && s < 500 {
							ok = s == 200
							break
						}
					}
					atomic.AddInt64(&retried, 1)
					d := time.Duration(250<<uint(attempt)) * time.Millisecond
					if d > 30*time.Second {
						d = 30 * time.Second
					}
					time.Sleep(d)
				}
				if ok {
					atomic.AddInt64(&sent, int64(len(chunk)))
				} else {
					atomic.AddInt64(&lost, int64(len(chunk)))
				}
			}
		}()
	}
	f, err := os.Open(*input)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	header := map[string]int{}
	for i, h := range head {
		header[string(bytes.TrimPrefix([]byte(h), []byte("\xef\xbb\xbf")))] = i
	}
	chunk := make([]contact, 0, *chunkSize)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			continue
		}
		chunk = append(chunk, toContact(header, rec))
		if len(chunk) == *chunkSize {
			chunks <- chunk
			chunk = make([]contact, 0, *chunkSize)
		}
	}
	if len(chunk) > 0 {
		chunks <- chunk
	}
	close(chunks)
	wg.Wait()
	out, _ := json.Marshal(map[string]int64{"requests": requests, "retries": retried, "rowsSent": sent, "rowsLost": lost})
	fmt.Println(string(out))
}
