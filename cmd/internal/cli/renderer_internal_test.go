package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/send"
)

func TestRendererOursAndSendGridDynamicTemplates(t *testing.T) {
	t.Parallel()
	shops, err := shop.NewRegistry(shop.Demo("x"))
	require.NoError(t, err)
	signer, err := web.NewSigner("k")
	require.NoError(t, err)
	r := renderer{shops: shops, signer: signer, publicURL: func() string { return "https://app.example" }, now: time.Now}
	c := &processor.SendCommand{
		ID: "r:reminder", Shop: "demo", Flow: "abandoned-checkout", Run: "r", Step: "reminder", Channel: event.ChannelEmail,
		Template: "abandoned-checkout-reminder", Category: "marketing", To: "ann@example.com",
		Event: []byte(`{"data":{"token":"t","email":"ann@example.com","currency":"USD","total":"25.00","line_items":[{"title":"Mug <b>","quantity":1,"price":"25.00"}]}}`),
	}
	out, err := r.Render(context.Background(), c, nil)
	require.NoError(t, err)
	require.NotEmpty(t, out.Subject)
	require.Contains(t, out.HTML, "Mug &lt;b&gt;")
	require.NotContains(t, out.HTML, "Reply STOP", "SMS help wording stays out of email")
	require.True(t, strings.HasPrefix(out.Headers["List-Unsubscribe"], "<https://app.example/unsubscribe?t="))
	require.Equal(t, "List-Unsubscribe=One-Click", out.Headers["List-Unsubscribe-Post"])

	c.Template = "d-0123456789abcdef"
	out, err = r.Render(context.Background(), c, nil)
	require.NoError(t, err)
	require.Equal(t, "d-0123456789abcdef", out.TemplateID)
	require.Contains(t, out.TemplateData["unsubscribe_url"], "https://app.example/unsubscribe?t=")

	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_ = json.NewDecoder(req.Body).Decode(&got)
		w.Header().Set("X-Message-Id", "sg1")
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	client, err := sendgrid.New(sendgrid.Config{APIKey: "SG.x", BaseURL: srv.URL})
	require.NoError(t, err)
	id, err := sendgridProvider{client: client, shops: shops}.Deliver(context.Background(), &send.Delivery{Cmd: c, Rendered: out})
	require.NoError(t, err)
	require.Equal(t, "sg1", id)
	require.Equal(t, "d-0123456789abcdef", got["template_id"])
	from := got["from"].(map[string]any)
	require.Equal(t, "hello@demo.example", from["email"])
	require.Equal(t, "Demo Store", from["name"])
}

func TestProviderCodesReachTheSender(t *testing.T) {
	t.Parallel()
	shops, err := shop.NewRegistry(shop.Demo("x"))
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"errors":[{"message":"bad from","field":"from"}]}`))
	}))
	t.Cleanup(srv.Close)
	client, err := sendgrid.New(sendgrid.Config{APIKey: "SG.x", BaseURL: srv.URL})
	require.NoError(t, err)
	c := &processor.SendCommand{ID: "r:s", Shop: "demo", Channel: event.ChannelEmail, To: "a@example.com"}
	_, err = sendgridProvider{client: client, shops: shops}.Deliver(context.Background(),
		&send.Delivery{Cmd: c, Rendered: &send.Rendered{Subject: "s", Text: "t"}})
	require.ErrorIs(t, err, send.ErrPermanent)
	var coded send.CodedError
	require.ErrorAs(t, err, &coded)
	require.Equal(t, "400", coded.ProviderCode())
}
