package redis

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
)

// Catalogue keeps a shop's products as JSON by id (product.updated and
// product.deleted events keep it current).
type Catalogue struct {
	client goredis.UniversalClient
	keys   Keys
}

// NewCatalogue returns the store on client.
func NewCatalogue(client goredis.UniversalClient, keys Keys) *Catalogue {
	return &Catalogue{client: client, keys: keys}
}

// Put stores a product's JSON.
func (c *Catalogue) Put(ctx context.Context, shop, id string, product []byte) error {
	if err := c.client.HSet(ctx, c.keys.Catalogue(shop), id, product).Err(); err != nil {
		return fmt.Errorf("storing a product: %w", err)
	}
	return nil
}

// Delete forgets a product.
func (c *Catalogue) Delete(ctx context.Context, shop, id string) error {
	if err := c.client.HDel(ctx, c.keys.Catalogue(shop), id).Err(); err != nil {
		return fmt.Errorf("deleting a product: %w", err)
	}
	return nil
}

// Get returns the JSON of each id (nil for an unknown product), in order.
func (c *Catalogue) Get(ctx context.Context, shop string, ids []string) ([][]byte, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	vals, err := c.client.HMGet(ctx, c.keys.Catalogue(shop), ids...).Result()
	if err != nil {
		return nil, fmt.Errorf("reading products: %w", err)
	}
	out := make([][]byte, len(vals))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i] = []byte(s)
		}
	}
	return out, nil
}
