package cli

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/processor/send"
)

type recordedSends struct{ recs []*send.Record }

func (r *recordedSends) Record(_ context.Context, rec *send.Record) error {
	r.recs = append(r.recs, rec)
	return nil
}

type deliveries struct{ got []*send.Delivery }

func (d *deliveries) Deliver(_ context.Context, del *send.Delivery) (string, error) {
	d.got = append(d.got, del)
	return "SG.1", nil
}

func TestTestSendRendersASampleWithTheShopsBrand(t *testing.T) {
	t.Parallel()
	demo := shop.Demo("s")
	demo.Brand.Color = "#ff5500"
	demo.Email.ReplyTo = "Owner <owner@demo.example>"
	reg, err := shop.NewRegistry(demo)
	require.NoError(t, err)
	signer, err := web.NewSigner("k")
	require.NoError(t, err)
	rec := &recordedSends{}
	email := &deliveries{}
	ts := &testSender{
		shops: reg, recorder: rec, now: time.Now,
		renderer:  renderer{shops: reg, signer: signer, publicURL: func() string { return "https://b.example" }, now: time.Now},
		providers: map[string]send.Provider{"email": email},
	}
	ctx := context.Background()
	status, out, err := ts.send(ctx, testSendRequest{Shop: "demo", Template: "win-back"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "owner@demo.example", out["to"], "the shop's reply-to by default")
	require.Equal(t, "sent", out["status"])
	require.Len(t, email.got, 1)
	r := email.got[0].Rendered
	require.True(t, strings.HasPrefix(r.Subject, "[Test] "))
	require.Contains(t, r.HTML, "#ff5500", "the shop's brand colour")
	require.Contains(t, r.HTML, "MISSYOU-", "the sample's discount code")
	require.Equal(t, send.StatusSent, rec.recs[0].Status)

	_, _, err = ts.send(ctx, testSendRequest{Shop: "demo", Template: "nope"})
	require.ErrorContains(t, err, "not in the library")
	status, _, _ = ts.send(ctx, testSendRequest{Shop: "other", Template: "win-back"})
	require.Equal(t, http.StatusNotFound, status)
	_, _, err = ts.send(ctx, testSendRequest{Shop: "demo", Template: "abandoned-checkout-sms"})
	require.ErrorContains(t, err, "to is required", "an SMS needs a number")
}
