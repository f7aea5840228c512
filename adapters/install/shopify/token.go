package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/boomerang-dev/boomerang/adapters/vault"
)

// Token is a shop's offline access token and what renews it.
type Token struct {
	// Access is the Admin API access token (X-Shopify-Access-Token).
	Access string
	// Refresh renews Access; Shopify replaces it at every use. Empty for a
	// non-expiring token.
	Refresh string
	// Expires is when Access stops working; zero for a non-expiring token.
	Expires time.Time
	// RefreshExpires is when Refresh stops working (90 days after it was
	// issued); zero when Shopify did not say.
	RefreshExpires time.Time
	// Scopes are the access scopes granted.
	Scopes []string
}

// TokenStore keeps each shop's Token. Implementations are safe for
// concurrent use; Token returns an error wrapping ErrNoToken when the shop
// has none.
type TokenStore interface {
	SaveToken(ctx context.Context, shopID string, t Token) error
	Token(ctx context.Context, shopID string) (Token, error)
}

// tokenRecord is the JSON sealed in Redis.
type tokenRecord struct {
	Access         string    `json:"access"`
	Refresh        string    `json:"refresh,omitempty"`
	Expires        time.Time `json:"expires,omitzero"`
	RefreshExpires time.Time `json:"refresh_expires,omitzero"`
	Scopes         []string  `json:"scopes,omitempty"`
}

// RedisTokenStore is a TokenStore on Redis. Each value is the token's JSON
// sealed by a Keyring (AES-256-GCM, bound to the shop id), so Redis, its
// dumps and its replicas never hold a token in clear.
type RedisTokenStore struct {
	rdb    goredis.UniversalClient
	prefix string
	keys   *vault.Keyring
}

var _ TokenStore = (*RedisTokenStore)(nil)

// NewRedisTokenStore returns a TokenStore keeping its keys under prefix
// (DefaultPrefix when empty), sealed by keys.
func NewRedisTokenStore(rdb goredis.UniversalClient, prefix string, keys *vault.Keyring) (*RedisTokenStore, error) {
	if rdb == nil || keys == nil {
		return nil, errors.New("shopify: token store needs a Redis client and a keyring")
	}
	return &RedisTokenStore{rdb: rdb, prefix: prefix, keys: keys}, nil
}

// SaveToken seals t under the keyring's current key and stores it,
// replacing the shop's previous token.
func (s *RedisTokenStore) SaveToken(ctx context.Context, shopID string, t Token) error {
	if shopID == "" {
		return errors.New("shopify: saving a token: empty shop id")
	}
	plain, err := json.Marshal(tokenRecord(t))
	if err != nil {
		return fmt.Errorf("shopify: saving the token of %s: %w", shopID, err)
	}
	sealed, err := s.keys.Seal(plain, []byte(shopID))
	if err != nil {
		return fmt.Errorf("shopify: saving the token of %s: %w", shopID, err)
	}
	if err := s.rdb.Set(ctx, tokenKey(s.prefix, shopID), sealed, 0).Err(); err != nil {
		return fmt.Errorf("shopify: saving the token of %s: %w", shopID, err)
	}
	return nil
}

// Token returns the shop's token, or an error wrapping ErrNoToken.
func (s *RedisTokenStore) Token(ctx context.Context, shopID string) (Token, error) {
	sealed, err := s.rdb.Get(ctx, tokenKey(s.prefix, shopID)).Result()
	if errors.Is(err, goredis.Nil) {
		return Token{}, fmt.Errorf("shopify: %s: %w", shopID, ErrNoToken)
	}
	if err != nil {
		return Token{}, fmt.Errorf("shopify: reading the token of %s: %w", shopID, err)
	}
	plain, err := s.keys.Open(sealed, []byte(shopID))
	if err != nil {
		return Token{}, fmt.Errorf("shopify: reading the token of %s: %w", shopID, err)
	}
	var rec tokenRecord
	if err := json.Unmarshal(plain, &rec); err != nil {
		// The decoder's message may quote the plaintext: say less.
		return Token{}, fmt.Errorf("shopify: reading the token of %s: the sealed value is not a token", shopID)
	}
	return Token(rec), nil
}

// DeleteToken forgets the shop's token (uninstall, shop/redact).
func (s *RedisTokenStore) DeleteToken(ctx context.Context, shopID string) error {
	if err := s.rdb.Del(ctx, tokenKey(s.prefix, shopID)).Err(); err != nil {
		return fmt.Errorf("shopify: deleting the token of %s: %w", shopID, err)
	}
	return nil
}
