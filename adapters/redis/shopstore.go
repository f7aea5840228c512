package redis

import (
	"context"
	"encoding/json"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/vault"
)

// ShopStore keeps the shops app install creates (the shops file stays for
// self-hosting). The record's credentials are sealed with the vault,
// bound to the shop id, so Redis, its backups and its replicas hold no
// usable secret.
type ShopStore struct {
	client goredis.UniversalClient
	keys   Keys
	vault  *vault.Keyring
}

// NewShopStore returns the store on client.
func NewShopStore(client goredis.UniversalClient, keys Keys, v *vault.Keyring) *ShopStore {
	return &ShopStore{client: client, keys: keys, vault: v}
}

// storedShop is a record as stored: the shop's public fields, its secrets
// sealed, whether it is installed.
type storedShop struct {
	Shop        *shop.Shop `json:"shop"`
	Secrets     string     `json:"secrets"`
	Uninstalled bool       `json:"uninstalled,omitempty"`
}

// shopSecrets are the fields shop.Shop keeps out of JSON.
type shopSecrets struct {
	WebhookSecret         string `json:"webhook_secret,omitempty"`
	PreviousWebhookSecret string `json:"previous_webhook_secret,omitempty"`
	HeaderSecret          string `json:"header_secret,omitempty"`
	APIToken              string `json:"api_token,omitempty"`
	FlowWebhookSecret     string `json:"flow_webhook_secret,omitempty"`
	// The shop's own provider accounts (docs/senders.md).
	SendGridAPIKey     string `json:"sendgrid_api_key,omitempty"`
	SendGridWebhookKey string `json:"sendgrid_webhook_key,omitempty"`
	TwilioAccountSID   string `json:"twilio_account_sid,omitempty"`
	TwilioAuthToken    string `json:"twilio_auth_token,omitempty"`
}

// Save stores (or replaces) a shop.
func (s *ShopStore) Save(ctx context.Context, sh *shop.Shop) error {
	return s.put(ctx, sh, false)
}

// MarkUninstalled keeps a shop's record, marked uninstalled (its data is
// erased later, at shop/redact).
func (s *ShopStore) MarkUninstalled(ctx context.Context, sh *shop.Shop) error {
	return s.put(ctx, sh, true)
}

func (s *ShopStore) put(ctx context.Context, sh *shop.Shop, uninstalled bool) error {
	// Marshalled only to be sealed on the next line: never stored or logged
	// in the clear.
	sec, err := json.Marshal(shopSecrets{ //nolint:gosec // sealed before it leaves this function
		WebhookSecret: sh.WebhookSecret, PreviousWebhookSecret: sh.PreviousWebhookSecret, HeaderSecret: sh.HeaderSecret,
		APIToken: sh.APIToken, FlowWebhookSecret: sh.FlowWebhookSecret,
		SendGridAPIKey: sh.Email.SendGridAPIKey, SendGridWebhookKey: sh.Email.SendGridWebhookKey,
		TwilioAccountSID: sh.SMS.TwilioAccountSID, TwilioAuthToken: sh.SMS.TwilioAuthToken,
	})
	if err != nil {
		return err
	}
	sealed, err := s.vault.Seal(sec, []byte(sh.ID))
	if err != nil {
		return err
	}
	b, err := json.Marshal(storedShop{Shop: sh, Secrets: sealed, Uninstalled: uninstalled})
	if err != nil {
		return err
	}
	pipe := s.client.Pipeline() // two keys, two slots in a cluster: not a transaction
	pipe.HSet(ctx, s.keys.InstalledShops(), sh.ID, b)
	if !uninstalled {
		pipe.SRem(ctx, s.keys.UninstalledShops(), sh.ID) // a reinstall
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("saving shop %s: %w", sh.ID, err)
	}
	return nil
}

// All returns the installed shops (not the uninstalled ones), credentials
// opened. A record that cannot be opened (a key no longer in the keyring)
// is an error naming the shop.
func (s *ShopStore) All(ctx context.Context) ([]*shop.Shop, error) {
	m, err := s.client.HGetAll(ctx, s.keys.InstalledShops()).Result()
	if err != nil {
		return nil, fmt.Errorf("reading installed shops: %w", err)
	}
	gone, err := s.client.SMembers(ctx, s.keys.UninstalledShops()).Result()
	if err != nil {
		return nil, fmt.Errorf("reading uninstalled shops: %w", err)
	}
	for _, id := range gone {
		delete(m, id) // uninstalled through the platform's webhook (Eraser.StopShop)
	}
	out := make([]*shop.Shop, 0, len(m))
	for id, v := range m {
		var st storedShop
		if err := json.Unmarshal([]byte(v), &st); err != nil || st.Shop == nil {
			return nil, fmt.Errorf("installed shop %s: unreadable record", id)
		}
		if st.Uninstalled {
			continue
		}
		raw, err := s.vault.Open(st.Secrets, []byte(id))
		if err != nil {
			return nil, fmt.Errorf("installed shop %s: %w", id, err)
		}
		var sec shopSecrets
		if err := json.Unmarshal(raw, &sec); err != nil {
			return nil, fmt.Errorf("installed shop %s: unreadable credentials", id)
		}
		sh := st.Shop
		sh.WebhookSecret, sh.PreviousWebhookSecret, sh.HeaderSecret = sec.WebhookSecret, sec.PreviousWebhookSecret, sec.HeaderSecret
		sh.APIToken, sh.FlowWebhookSecret = sec.APIToken, sec.FlowWebhookSecret
		sh.Email.SendGridAPIKey, sh.Email.SendGridWebhookKey = sec.SendGridAPIKey, sec.SendGridWebhookKey
		sh.SMS.TwilioAccountSID, sh.SMS.TwilioAuthToken = sec.TwilioAccountSID, sec.TwilioAuthToken
		out = append(out, sh)
	}
	return out, nil
}
