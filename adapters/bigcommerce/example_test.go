package bigcommerce_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// Sign and SignatureHeader reproduce the Standard Webhooks test vector.
func ExampleSign() {
	key, _ := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	sig := bigcommerce.Sign(string(key), "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", []byte(`{"test": 2432232314}`))
	fmt.Println(bigcommerce.SignatureHeader(sig))
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

// A verified delivery becomes one thin notification for the fetch worker.
func ExampleAdapter_Normalize() {
	s := &shop.Shop{ID: "demo", Platform: bigcommerce.Name, Domain: "abcde", WebhookSecret: "client-secret"}
	body := []byte(`{"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":250},` +
		`"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":1561479335,"producer":"stores/abcde"}`)
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	ts := strconv.FormatInt(at.Unix(), 10)
	h := http.Header{}
	h.Set(bigcommerce.HeaderWebhookID, "msg_1")
	h.Set(bigcommerce.HeaderWebhookTimestamp, ts)
	h.Set(bigcommerce.HeaderWebhookSignature, bigcommerce.SignatureHeader(bigcommerce.Sign(s.WebhookSecret, "msg_1", ts, body)))
	req := &ingest.Request{Header: h, Body: body, ReceivedAt: at}

	a := bigcommerce.New()
	hash, _ := a.Identify(req)
	fmt.Println("store hash:", hash)
	fmt.Println("verified:", a.Verify(s, req) == nil)
	res, _ := a.Normalize(s, req)
	n := res.Messages[0].Value.(*bigcommerce.Notification)
	fmt.Println(res.Messages[0].Subject, n.Scope, string(n.Data))
	// Output:
	// store hash: abcde
	// verified: true
	// fetch.bigcommerce.demo store/order/created {"type":"order","id":250}
}
