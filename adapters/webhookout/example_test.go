package webhookout_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/webhookout"
)

func ExampleSign() {
	at := time.Unix(1700000000, 0)
	fmt.Println(webhookout.Sign("whsec_example", at, []byte(`{"hello":"world"}`)))
	// Output: t=1700000000,v1=2958067fb341f4107d85bd87e4ead1f3673785de39f70550579ce7f6177964ff
}

// A receiver verifies the raw body before parsing it, then drops an id it
// has already handled.
func ExampleVerify() {
	const secret = "whsec_example"
	seen := map[string]bool{}
	receiver := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := webhookout.Verify(secret, r.Header.Get(webhookout.HeaderSignature), body, time.Now(), 0); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		id := r.Header.Get(webhookout.HeaderID)
		if !seen[id] {
			seen[id] = true
			fmt.Printf("%s %s\n", id, body)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(receiver)
	defer srv.Close()

	c := webhookout.New(webhookout.Config{})
	d := webhookout.Delivery{
		ID: "run-1:notify", Shop: "demo", URL: srv.URL + "/hooks/boomerang",
		Body: []byte(`{"event":"checkout.updated"}`), Secret: secret,
	}
	fmt.Println(c.Deliver(context.Background(), d))
	fmt.Println(c.Deliver(context.Background(), d)) // a retry: same id, acknowledged, not acted on twice

	d.Secret = "whsec_wrong"
	err := c.Deliver(context.Background(), d)
	fmt.Println(strings.Replace(err.Error(), strings.TrimPrefix(srv.URL, "http://"), "receiver", 1))
	// Output:
	// run-1:notify {"event":"checkout.updated"}
	// <nil>
	// <nil>
	// webhook to receiver: 401 Unauthorized (permanent failure, 1 attempt)
}
