package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/web"
)

// sendingPatch is the body of PUT /api/v1/shops/{shop}/sending: every field
// present replaces the shop's, absent ones stay, and "" clears one. The
// names are the shops file's (README, "The shops file").
type sendingPatch struct {
	Email *struct {
		From               *string  `json:"from"`
		ReplyTo            *string  `json:"reply_to"`
		Address            *string  `json:"address"`
		SendGridAPIKey     *string  `json:"sendgrid_api_key"`
		SendingDomain      *string  `json:"sending_domain"`
		SendGridRate       *float64 `json:"sendgrid_rate"`
		SendGridWebhookKey *string  `json:"sendgrid_webhook_key"`
	} `json:"email"`
	SMS *struct {
		From                *string  `json:"from"`
		HelpText            *string  `json:"help_text"`
		TwilioAccountSID    *string  `json:"twilio_account_sid"`
		TwilioAuthToken     *string  `json:"twilio_auth_token"`
		MessagingServiceSID *string  `json:"messaging_service_sid"`
		Throughput          *float64 `json:"throughput"`
	} `json:"sms"`
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// shopSending changes installed shops' sending settings: the shops file's
// shops are changed in the file.
type shopSending struct {
	reg      *shop.Registry
	store    *redis.ShopStore
	fromFile map[string]bool
}

// Update applies a sendingPatch, checks the result as the shops file's
// loader would, seals and saves it, and serves it at once (other replicas
// within 30 s).
func (u shopSending) Update(ctx context.Context, id string, body []byte) (any, error) {
	cur, ok := u.reg.Get(id)
	if !ok {
		return nil, web.ErrUnknownShop
	}
	if u.fromFile[id] {
		return nil, web.ErrManagedByFile
	}
	var p sendingPatch
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: the body is not the documented JSON: %s", web.ErrInvalidSettings, describeJSON(err))
	}
	next := *cur
	if e := p.Email; e != nil {
		set(&next.Email.From, e.From)
		set(&next.Email.ReplyTo, e.ReplyTo)
		set(&next.Email.Address, e.Address)
		set(&next.Email.SendGridAPIKey, e.SendGridAPIKey)
		set(&next.Email.SendingDomain, e.SendingDomain)
		set(&next.Email.SendGridRate, e.SendGridRate)
		set(&next.Email.SendGridWebhookKey, e.SendGridWebhookKey)
	}
	if m := p.SMS; m != nil {
		set(&next.SMS.From, m.From)
		set(&next.SMS.HelpText, m.HelpText)
		set(&next.SMS.TwilioAccountSID, m.TwilioAccountSID)
		set(&next.SMS.TwilioAuthToken, m.TwilioAuthToken)
		set(&next.SMS.MessagingServiceSID, m.MessagingServiceSID)
		set(&next.SMS.Throughput, m.Throughput)
	}
	if err := next.CheckAccounts(); err != nil {
		return nil, fmt.Errorf("%w: %w", web.ErrInvalidSettings, err)
	}
	if k := next.Email.SendGridWebhookKey; k != "" {
		if _, err := sendgrid.ParsePublicKey(k); err != nil {
			return nil, fmt.Errorf("%w: email.sendgrid_webhook_key is not a SendGrid verification key", web.ErrInvalidSettings)
		}
	}
	if err := u.store.Save(ctx, &next); err != nil {
		return nil, err
	}
	u.reg.Put(&next)
	return sendingView(&next), nil
}

// sendingView is what the API shows of a shop's sending settings: the
// identities, and only whether each credential is set.
func sendingView(s *shop.Shop) map[string]any {
	return map[string]any{
		"shop": s.ID,
		"email": map[string]any{
			"from": s.Email.From, "reply_to": s.Email.ReplyTo, "address": s.Email.Address,
			"sending_domain": s.Email.SendingDomain, "sendgrid_rate": s.Email.SendGridRate,
			"sendgrid_api_key_set": s.Email.SendGridAPIKey != "", "sendgrid_webhook_key_set": s.Email.SendGridWebhookKey != "",
		},
		"sms": map[string]any{
			"from": s.SMS.From, "help_text": s.SMS.HelpText, "messaging_service_sid": s.SMS.MessagingServiceSID,
			"throughput": s.SMS.Throughput, "twilio_account_set": s.SMS.TwilioAccountSID != "",
		},
	}
}

// describeJSON explains a decoding error without quoting the body.
func describeJSON(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("field %q has the wrong type", typeErr.Field)
	case errors.As(err, &syntaxErr):
		return "malformed JSON"
	default:
		return err.Error() // "json: unknown field \"x\"" names only the field
	}
}
