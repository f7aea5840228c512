package bigcommerce

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
)

// producerPrefix starts every webhook's producer: "stores/{store_hash}".
const producerPrefix = "stores/"

// Identify returns the store hash named by the body's producer
// ("stores/{store_hash}"); shop records hold it as their domain. A body that
// is not a JSON object, or has no such producer, is ErrUnidentified.
func (*Adapter) Identify(req *ingest.Request) (string, error) {
	var body struct {
		Producer string `json:"producer"`
	}
	if err := json.Unmarshal(req.Body, &body); err != nil {
		return "", fmt.Errorf("%w: body is not a JSON object with a producer", ingest.ErrUnidentified)
	}
	hash, ok := storeHash(body.Producer)
	if !ok {
		return "", fmt.Errorf("%w: producer is not stores/{store_hash}", ingest.ErrUnidentified)
	}
	return hash, nil
}

// storeHash extracts the store hash from a producer "stores/{store_hash}".
func storeHash(producer string) (string, bool) {
	hash, ok := strings.CutPrefix(producer, producerPrefix)
	if !ok || hash == "" || len(hash) > 64 || strings.ContainsAny(hash, "/ \t\r\n") {
		return "", false
	}
	return hash, true
}
