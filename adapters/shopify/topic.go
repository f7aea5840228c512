package shopify

import (
	"slices"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
)

// The topics Boomerang uses. Any other topic is ingest.ErrUnknownTopic.
const (
	topicOrdersCreate                  = "orders/create"
	topicOrdersPaid                    = "orders/paid"
	topicOrdersFulfilled               = "orders/fulfilled"
	topicOrdersUpdated                 = "orders/updated"
	topicOrdersCancelled               = "orders/cancelled"
	topicCheckoutsCreate               = "checkouts/create"
	topicCheckoutsUpdate               = "checkouts/update"
	topicCheckoutsDelete               = "checkouts/delete"
	topicCartsCreate                   = "carts/create"
	topicCartsUpdate                   = "carts/update"
	topicCustomersCreate               = "customers/create"
	topicCustomersUpdate               = "customers/update"
	topicCustomersEmailMarketingUpdate = "customers_email_marketing_consent/update"
	topicCustomersMarketingUpdate      = "customers_marketing_consent/update"
	topicFulfillmentsCreate            = "fulfillments/create"
	topicFulfillmentsUpdate            = "fulfillments/update"
	topicFulfillmentEventsCreate       = "fulfillment_events/create"
	topicProductsCreate                = "products/create"
	topicProductsUpdate                = "products/update"
	topicProductsDelete                = "products/delete"
	topicAppUninstalled                = "app/uninstalled"
	topicCustomersRedact               = "customers/redact"
	topicCustomersDataRequest          = "customers/data_request"
	topicShopRedact                    = "shop/redact"
)

// topicFunc turns one delivery's JSON object into its messages. It returns
// errors wrapping ingest.ErrMalformed.
type topicFunc func(d *delivery, body []byte) ([]ingest.Message, error)

// topics maps every used topic to its normaliser.
var topics = map[string]topicFunc{
	topicOrdersCreate:                  normalizeOrder,
	topicOrdersPaid:                    normalizeOrder,
	topicOrdersFulfilled:               normalizeOrder,
	topicOrdersUpdated:                 normalizeOrder,
	topicOrdersCancelled:               normalizeOrder,
	topicCheckoutsCreate:               normalizeCheckout,
	topicCheckoutsUpdate:               normalizeCheckout,
	topicCheckoutsDelete:               normalizeCheckoutDelete,
	topicCartsCreate:                   normalizeCart,
	topicCartsUpdate:                   normalizeCart,
	topicCustomersCreate:               normalizeCustomer,
	topicCustomersUpdate:               normalizeCustomer,
	topicCustomersEmailMarketingUpdate: normalizeEmailConsent,
	topicCustomersMarketingUpdate:      normalizeSMSConsent,
	topicFulfillmentsCreate:            normalizeFulfillment,
	topicFulfillmentsUpdate:            normalizeFulfillment,
	topicFulfillmentEventsCreate:       normalizeFulfillmentEvent,
	topicProductsCreate:                normalizeProduct,
	topicProductsUpdate:                normalizeProduct,
	topicProductsDelete:                normalizeProductDelete,
	topicAppUninstalled:                normalizeAppUninstalled,
	topicCustomersRedact:               normalizeCustomerRedact,
	topicCustomersDataRequest:          normalizeCustomerRedact,
	topicShopRedact:                    normalizeShopRedact,
}

// Topics lists the topics the adapter normalises, for subscribing to them.
func Topics() []string {
	out := make([]string, 0, len(topics))
	for t := range topics {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
