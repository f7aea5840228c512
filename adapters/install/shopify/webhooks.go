package shopify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	shopifyhook "github.com/boomerang-dev/boomerang/adapters/shopify"
)

// ComplianceTopics are the mandatory privacy topics. The Admin API cannot
// subscribe them: deploy/shopify/shopify.app.toml declares them.
var ComplianceTopics = []string{"customers/data_request", "customers/redact", "shop/redact"}

// The GraphQL documents (Admin API 2026-07). WebhookSubscription.uri replaced
// callbackUrl; format JSON is what ingest reads.
const (
	listHooksQuery = `query webhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    nodes { id topic uri format }
    pageInfo { hasNextPage endCursor }
  }
}`
	createHookMutation = `mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri format }
    userErrors { field message }
  }
}`
	updateHookMutation = `mutation webhookSubscriptionUpdate($id: ID!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri format }
    userErrors { field message }
  }
}`
	formatJSON = "JSON"
	// maxPages stops a list that never ends (a misbehaving server).
	maxPages = 1000
)

// TopicEnum turns a webhook topic as adapters/shopify names it
// ("orders/create", "customers_email_marketing_consent/update") into the
// GraphQL WebhookSubscriptionTopic value ("ORDERS_CREATE",
// "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE").
func TopicEnum(topic string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(topic), "/", "_"))
}

// WebhookTopics are the GraphQL topics EnsureWebhooks subscribes, sorted:
// every topic adapters/shopify normalises except the compliance topics.
func WebhookTopics() []string {
	var out []string
	for _, t := range shopifyhook.Topics() {
		if !slices.Contains(ComplianceTopics, t) {
			out = append(out, TopicEnum(t))
		}
	}
	slices.Sort(out)
	return out
}

// WebhookReport says what EnsureWebhooks did, by GraphQL topic.
type WebhookReport struct {
	// Created were missing and were subscribed.
	Created []string
	// Updated pointed elsewhere (or were not JSON) and were repaired.
	Updated []string
	// Unchanged were already right.
	Unchanged []string
}

// subscription is one node of webhookSubscriptions.
type subscription struct {
	ID     string `json:"id"`
	Topic  string `json:"topic"`
	URI    string `json:"uri"`
	Format string `json:"format"`
}

// listData is webhookSubscriptions' data.
type listData struct {
	WebhookSubscriptions struct {
		Nodes    []subscription `json:"nodes"`
		PageInfo struct {
			HasNextPage bool   `json:"hasNextPage"` //nolint:tagliatelle // Shopify's name
			EndCursor   string `json:"endCursor"`   //nolint:tagliatelle // Shopify's name
		} `json:"pageInfo"` //nolint:tagliatelle // Shopify's name
	} `json:"webhookSubscriptions"` //nolint:tagliatelle // Shopify's name
}

// userError is one of a mutation's userErrors.
type userError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

// mutationPayload is webhookSubscriptionCreate's or …Update's payload.
type mutationPayload struct {
	WebhookSubscription *subscription `json:"webhookSubscription"` //nolint:tagliatelle // Shopify's name
	UserErrors          []userError   `json:"userErrors"`          //nolint:tagliatelle // Shopify's name
}

// EnsureWebhooks makes the shop's subscriptions match WebhookTopics: one
// JSON subscription per topic delivering to callbackURL. It lists the
// existing subscriptions (every page), creates the missing ones with
// webhookSubscriptionCreate and repairs, with webhookSubscriptionUpdate, one
// pointing elsewhere. It carries on past a topic Shopify refuses and returns
// the report with an *Error listing every user error (ErrRejected). Run it
// at install and on every start: Shopify deletes a shop's subscriptions
// after repeated failed deliveries. s needs Domain and a valid APIToken.
func (c *Client) EnsureWebhooks(ctx context.Context, s *shop.Shop, callbackURL string) (WebhookReport, error) {
	var report WebhookReport
	if _, err := checkBase(callbackURL); err != nil {
		return report, fmt.Errorf("shopify: webhook callback URL %q: %w", callbackURL, err)
	}
	existing, err := c.listWebhooks(ctx, s)
	if err != nil {
		return report, err
	}
	byTopic := map[string][]subscription{}
	for _, sub := range existing {
		byTopic[sub.Topic] = append(byTopic[sub.Topic], sub)
	}
	refused := &Error{Op: "ensure webhooks", Shop: s.Domain, Kind: ErrRejected}
	for _, topic := range WebhookTopics() {
		subs := byTopic[topic]
		if slices.ContainsFunc(subs, func(x subscription) bool { return x.URI == callbackURL && x.Format == formatJSON }) {
			report.Unchanged = append(report.Unchanged, topic)
			continue
		}
		var msgs []string
		if len(subs) == 0 {
			msgs, err = c.mutateWebhook(ctx, s, opCreateHook, createHookMutation, "webhookSubscriptionCreate", map[string]any{
				"topic":               topic,
				"webhookSubscription": map[string]any{"uri": callbackURL, "format": formatJSON},
			})
		} else {
			msgs, err = c.mutateWebhook(ctx, s, opUpdateHook, updateHookMutation, "webhookSubscriptionUpdate", map[string]any{
				"id":                  subs[0].ID,
				"webhookSubscription": map[string]any{"uri": callbackURL, "format": formatJSON},
			})
		}
		if err != nil {
			return report, err
		}
		if len(msgs) > 0 {
			for _, m := range msgs {
				refused.addMessage(topic + ": " + m)
			}
			continue
		}
		if len(subs) == 0 {
			report.Created = append(report.Created, topic)
		} else {
			report.Updated = append(report.Updated, topic)
		}
	}
	c.cfg.Logger.Info("shopify webhooks ensured", zap.String("shop", s.Domain),
		zap.Int("created", len(report.Created)), zap.Int("updated", len(report.Updated)),
		zap.Int("unchanged", len(report.Unchanged)), zap.Int("refused", len(refused.Messages)))
	if len(refused.Messages) > 0 {
		return report, refused
	}
	return report, nil
}

// listWebhooks reads every page of webhookSubscriptions.
func (c *Client) listWebhooks(ctx context.Context, s *shop.Shop) ([]subscription, error) {
	var out []subscription
	var after any // null on the first page
	for range maxPages {
		var d listData
		vars := map[string]any{"first": c.cfg.PageSize, "after": after}
		if err := c.graphql(ctx, opListHooks, s, listHooksQuery, vars, &d); err != nil {
			return nil, err
		}
		out = append(out, d.WebhookSubscriptions.Nodes...)
		pi := d.WebhookSubscriptions.PageInfo
		if !pi.HasNextPage {
			return out, nil
		}
		if pi.EndCursor == "" {
			return nil, &Error{Op: opListHooks, Shop: s.Domain, Kind: ErrMalformed, Err: errors.New("hasNextPage without an endCursor")}
		}
		after = pi.EndCursor
	}
	return nil, &Error{Op: opListHooks, Shop: s.Domain, Kind: ErrMalformed, Err: fmt.Errorf("more than %d pages", maxPages)}
}

// mutateWebhook runs a create or update mutation and returns its user
// errors as "field: message".
func (c *Client) mutateWebhook(ctx context.Context, s *shop.Shop, op, mutation, field string, vars map[string]any) ([]string, error) {
	var d map[string]*mutationPayload
	if err := c.graphql(ctx, op, s, mutation, vars, &d); err != nil {
		return nil, err
	}
	p := d[field]
	if p == nil {
		return nil, &Error{Op: op, Shop: s.Domain, Kind: ErrMalformed, Err: fmt.Errorf("the GraphQL data lacks %s", field)}
	}
	var msgs []string
	for _, ue := range p.UserErrors {
		m := ue.Message
		if len(ue.Field) > 0 {
			m = strings.Join(ue.Field, ".") + ": " + m
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 && p.WebhookSubscription == nil {
		msgs = append(msgs, "no subscription and no user error came back")
	}
	return msgs, nil
}
