// Package discounttest holds httptest servers that behave like the three
// platforms' discount APIs, for tests of package discount and of its callers:
// Shopify's GraphQL Admin API (codeDiscountNodeByCode,
// discountCodeBasicCreate, discountCodeFreeShippingCreate), BigCommerce's v2
// coupons and WooCommerce's REST v3 coupons.
//
// Each fake checks the path, method and credentials the way its platform
// does (WooCommerce: HTTP Basic or query keys over HTTPS, OAuth 1.0a
// signatures over plain HTTP), keeps created discounts in memory, answers
// lookups, validates create input, refuses a duplicate code with the
// platform's own error, and can be told to answer with a canned response
// (429, 500, 401, a malformed body) or to hide a code from lookups, which
// reproduces a concurrent create between lookup and create.
package discounttest
