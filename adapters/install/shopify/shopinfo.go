package shopify

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// shopInfoQuery reads what the shop record can use: the shop's time zone and
// the sender identity its customers know.
const shopInfoQuery = `query shopInfo {
  shop { name email contactEmail ianaTimezone }
}`

// shopInfoData is shopInfoQuery's data.
type shopInfoData struct {
	Shop struct {
		Name         string `json:"name"`
		Email        string `json:"email"`
		ContactEmail string `json:"contactEmail"` //nolint:tagliatelle // Shopify's name
		IanaTimezone string `json:"ianaTimezone"` //nolint:tagliatelle // Shopify's name
	} `json:"shop"`
}

// fillShopInfo sets s.Timezone and s.Email.From from the shop's settings,
// when Shopify gives usable values (a known IANA zone, a valid address).
func (c *Client) fillShopInfo(ctx context.Context, s *shop.Shop) error {
	var d shopInfoData
	if err := c.graphql(ctx, opReadShop, s, shopInfoQuery, map[string]any{}, &d); err != nil {
		return err
	}
	if tz := strings.TrimSpace(d.Shop.IanaTimezone); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			s.Timezone = tz
		}
	}
	addr := strings.TrimSpace(d.Shop.ContactEmail)
	if addr == "" {
		addr = strings.TrimSpace(d.Shop.Email)
	}
	if a, err := mail.ParseAddress(addr); err == nil && a.Name == "" {
		a.Name = strings.TrimSpace(d.Shop.Name)
		s.Email.From = a.String()
	}
	return nil
}
