package shopify

// DefaultPrefix starts every Redis key when no prefix is given.
const DefaultPrefix = "bm"

// Every Redis key of the package is built here. Each command touches one
// key, so the hash tags only keep a shop's (or a state's) key in one slot of
// a Redis Cluster; no script spans keys.

// stateKey holds one single-use state or nonce: "<prefix>:install:state:{<key>}".
func stateKey(prefix, key string) string {
	return orDefault(prefix) + ":install:state:{" + key + "}"
}

// tokenKey holds one shop's sealed token: "<prefix>:install:token:{<shop id>}".
func tokenKey(prefix, shopID string) string {
	return orDefault(prefix) + ":install:token:{" + shopID + "}"
}

func orDefault(prefix string) string {
	if prefix == "" {
		return DefaultPrefix
	}
	return prefix
}
