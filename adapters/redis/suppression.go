package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// Suppressions is the per-shop, per-channel suppression list: addresses
// that get nothing (unsubscribed, hard bounce, spam report, SMS STOP,
// invalid number).
type Suppressions struct {
	client goredis.UniversalClient
	keys   Keys
}

// NewSuppressions returns the list on client.
func NewSuppressions(client goredis.UniversalClient, keys Keys) *Suppressions {
	return &Suppressions{client: client, keys: keys}
}

func normalizeAddress(a string) string { return strings.ToLower(strings.TrimSpace(a)) }

// Add suppresses address on channel for reason.
func (s *Suppressions) Add(ctx context.Context, shop, channel, address, reason string) error {
	if err := s.client.HSet(ctx, s.keys.Suppression(shop, channel), normalizeAddress(address), reason).Err(); err != nil {
		return fmt.Errorf("suppressing an address: %w", err)
	}
	return nil
}

// Remove lifts a suppression (an SMS START).
func (s *Suppressions) Remove(ctx context.Context, shop, channel, address string) error {
	return s.client.HDel(ctx, s.keys.Suppression(shop, channel), normalizeAddress(address)).Err()
}

// Reason returns why address is suppressed on channel, "" when it is not.
func (s *Suppressions) Reason(ctx context.Context, shop, channel, address string) (string, error) {
	r, err := s.client.HGet(ctx, s.keys.Suppression(shop, channel), normalizeAddress(address)).Result()
	if errors.Is(err, goredis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the suppression list: %w", err)
	}
	return r, nil
}
