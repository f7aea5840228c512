package shopify

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Refresher renews expiring offline access tokens before they expire. It is
// safe for concurrent use; within one process, refreshes of one shop never
// overlap. Across replicas run RefreshDue from one job at a time (the timer
// store's periodic jobs do): two refreshes with one refresh token would each
// revoke the other's access token.
type Refresher struct {
	cfg RefresherConfig

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// NewRefresher returns a Refresher, or an error when cfg is incomplete.
func NewRefresher(cfg RefresherConfig) (*Refresher, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Refresher{cfg: cfg, locks: map[string]*sync.Mutex{}}, nil
}

// RefreshMargin is how long before expiry a token of the given lifetime is
// refreshed: 10 % of its life, at most an hour (6 minutes for Shopify's 60).
func RefreshMargin(lifetime time.Duration) time.Duration {
	return min(lifetime/10, time.Hour)
}

// Due reports whether t needs a refresh at now: it expires (or expired)
// within RefreshMargin(lifetime). A non-expiring token is never due.
func Due(t Token, now time.Time, lifetime time.Duration) bool {
	if t.Refresh == "" || t.Expires.IsZero() {
		return false
	}
	return t.Expires.Sub(now) < RefreshMargin(lifetime)
}

// RefreshDue refreshes the shop's token when it is due (see Due) and
// persists the new pair at once, before anything else: Shopify replaces the
// refresh token at every use. It does nothing for a token that is not due
// or does not expire. A refresh token past its expiry, or one Shopify refuses
// (HTTP 401, invalid_grant), is an error wrapping ErrReinstall: only a new
// install brings a token back. A shop without a token is ErrNoToken.
func (r *Refresher) RefreshDue(ctx context.Context, shopID string) error {
	lock := r.lock(shopID)
	lock.Lock()
	defer lock.Unlock()

	t, err := r.cfg.Tokens.Token(ctx, shopID)
	if err != nil {
		return fmt.Errorf("shopify: refreshing the token of %s: %w", shopID, err)
	}
	now := r.cfg.Client.cfg.Now()
	if !Due(t, now, r.cfg.Lifetime) {
		return nil
	}
	if !t.RefreshExpires.IsZero() && !now.Before(t.RefreshExpires) {
		return fmt.Errorf("shopify: refreshing the token of %s: the refresh token expired at %s: %w",
			shopID, t.RefreshExpires.UTC().Format(time.RFC3339), ErrReinstall)
	}
	domain, apiURL := r.shopHost(shopID)
	nt, err := r.cfg.Client.RefreshToken(ctx, domain, apiURL, t.Refresh)
	if err != nil {
		r.cfg.Logger.Error("shopify token refresh failed", zap.String("shop", shopID), zap.Error(err))
		return fmt.Errorf("shopify: refreshing the token of %s: %w", shopID, err)
	}
	if nt.Refresh == "" {
		// Shopify always rotates it; should one not come back, the old
		// one still works until a new one is used.
		nt.Refresh, nt.RefreshExpires = t.Refresh, t.RefreshExpires
	}
	if len(nt.Scopes) == 0 {
		nt.Scopes = t.Scopes
	}
	if err := r.cfg.Tokens.SaveToken(ctx, shopID, nt); err != nil {
		// The old refresh token stays valid until the new one is used,
		// so the next run can try again.
		return fmt.Errorf("shopify: refreshing the token of %s: persisting the new token: %w", shopID, err)
	}
	r.cfg.Logger.Info("shopify token refreshed", zap.String("shop", shopID),
		zap.Time("expires", nt.Expires), zap.Time("refresh_expires", nt.RefreshExpires))
	return r.writeBack(ctx, shopID, nt.Access)
}

// shopHost is the domain and api_url the token endpoint of the shop is at.
func (r *Refresher) shopHost(shopID string) (domain, apiURL string) {
	if r.cfg.Shops != nil {
		if s, ok := r.cfg.Shops.Get(shopID); ok {
			return s.Domain, s.APIURL
		}
	}
	return strings.TrimPrefix(shopID, "shp-") + myshopifySuffix, ""
}

// writeBack puts the new access token in the shop record, when configured.
func (r *Refresher) writeBack(ctx context.Context, shopID, access string) error {
	if r.cfg.Shops == nil || r.cfg.Saver == nil {
		return nil
	}
	s, ok := r.cfg.Shops.Get(shopID)
	if !ok {
		return nil
	}
	cp := *s
	cp.APIToken = access
	if err := r.cfg.Saver.Save(ctx, &cp); err != nil {
		return fmt.Errorf("shopify: refreshing the token of %s: saving the shop: %w", shopID, err)
	}
	return nil
}

// lock returns the shop's refresh lock.
func (r *Refresher) lock(shopID string) *sync.Mutex {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.locks[shopID]
	if !ok {
		l = &sync.Mutex{}
		r.locks[shopID] = l
	}
	return l
}
