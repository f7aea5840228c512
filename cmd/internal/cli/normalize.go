package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// topicHeaders names the header that carries the topic, per platform.
// BigCommerce carries its scope in the body.
var topicHeaders = map[string]string{
	event.PlatformShopify:     "X-Shopify-Topic",
	event.PlatformWooCommerce: "X-WC-Webhook-Topic",
}

func newNormalize(stdio IO) *cobra.Command {
	var (
		platform, topic, shopID, receivedAt string
		headers                             []string
	)
	cmd := &cobra.Command{
		Use:   "normalize --platform P --topic T [-H 'Name: value']... < body.json",
		Short: "Print the canonical events a webhook body becomes, as JSON lines",
		Long: `normalize reads one webhook body on standard input and prints what ingest would publish,
one JSON value a line: canonical events, or for BigCommerce the thin notification the fetch
worker resolves through the store's API. It checks no signature and needs no NATS or Redis.

The shop is the one the headers identify in BOOMERANG_SHOPS when that is set, else --shop.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var p ingest.Platform
			for _, c := range platforms() {
				if c.Name() == platform {
					p = c
				}
			}
			if p == nil {
				return &exitError{2, fmt.Errorf("--platform must be shopify, woocommerce or bigcommerce, not %q", platform)}
			}
			body, err := io.ReadAll(io.LimitReader(stdio.Stdin, ingest.DefaultMaxBody+1))
			if err != nil {
				return fmt.Errorf("reading body: %w", err)
			}
			if len(body) > ingest.DefaultMaxBody {
				return fmt.Errorf("body is over %d bytes", ingest.DefaultMaxBody)
			}
			h := http.Header{}
			for _, kv := range headers {
				name, value, ok := strings.Cut(kv, ":")
				if !ok {
					return &exitError{2, fmt.Errorf("-H %q: want 'Name: value'", kv)}
				}
				h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
			}
			if hn, ok := topicHeaders[platform]; ok && topic != "" {
				h.Set(hn, topic)
			}
			at := time.Now().UTC()
			if receivedAt != "" {
				if at, err = time.Parse(time.RFC3339Nano, receivedAt); err != nil {
					return &exitError{2, fmt.Errorf("--received-at: %w", err)}
				}
				at = at.UTC()
			}
			req := &ingest.Request{Header: h, Body: body, ReceivedAt: at}
			s, err := normalizeShop(p, req, shopID, stdio.Getenv)
			if err != nil {
				return err
			}
			res, err := p.Normalize(s, req)
			if errors.Is(err, ingest.ErrUnknownTopic) {
				fmt.Fprintf(stdio.Stderr, "boomerang: %s topic %q is not one Boomerang uses: ingest answers 200 and publishes nothing\n", platform, topicOf(res, topic))
				return nil
			}
			if err != nil {
				return err
			}
			enc := json.NewEncoder(stdio.Stdout)
			enc.SetEscapeHTML(false)
			for _, m := range res.Messages {
				if err := enc.Encode(m.Value); err != nil {
					return err
				}
			}
			if len(res.Messages) == 0 {
				fmt.Fprintf(stdio.Stderr, "boomerang: %s %q carries nothing Boomerang acts on\n", platform, res.Topic)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&platform, "platform", "", "shopify, woocommerce or bigcommerce (required)")
	f.StringVar(&topic, "topic", "", "the webhook topic, e.g. orders/create or order.updated (BigCommerce: in the body)")
	f.StringArrayVarP(&headers, "header", "H", nil, "a request header, 'Name: value' (repeatable)")
	f.StringVar(&shopID, "shop", "demo", "the shop id to use when no shops file identifies one")
	f.StringVar(&receivedAt, "received-at", "", "the receive time, RFC 3339 (default now)")
	_ = cmd.MarkFlagRequired("platform")
	return cmd
}

func topicOf(res *ingest.Result, fallback string) string {
	if res != nil && res.Topic != "" {
		return res.Topic
	}
	return fallback
}

// normalizeShop finds the shop the request names in the shops file, or
// makes one with id shopID.
func normalizeShop(p ingest.Platform, req *ingest.Request, shopID string, getenv func(string) string) (*shop.Shop, error) {
	domain, _ := p.Identify(req)
	if path := getenv("BOOMERANG_SHOPS"); path != "" {
		reg, err := shop.LoadFile(path, getenv)
		if err != nil {
			return nil, err
		}
		if s, ok := reg.Lookup(p.Name(), domain); ok {
			return s, nil
		}
	}
	if !event.ValidShopID(shopID) {
		return nil, &exitError{2, fmt.Errorf("--shop %q is not a valid shop id", shopID)}
	}
	return &shop.Shop{ID: shopID, Platform: p.Name(), Domain: domain}, nil
}
