package shopify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest/ingesttest"
)

// TestGolden normalises every sample payload of Shopify's webhook reference
// and compares the messages with testdata/golden (UPDATE_GOLDEN=1 rewrites).
func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			body, err := os.ReadFile(file)
			require.NoError(t, err)
			req := b.request(sampleTopic(t, name), body)
			b.normalize(t, req)
			res, err := b.adapter.Normalize(b.shop, req)
			require.NoError(t, err)
			ingesttest.Golden(t, filepath.Join("testdata", "golden", name+".golden"), ingesttest.JSONLines(t, res))
		})
	}
}

// TestSamplesCoverEveryTopic keeps a stored sample for each topic but
// orders/paid and orders/updated, whose samples were not stored:
// TestOrderTopics runs them on the orders/create sample.
func TestSamplesCoverEveryTopic(t *testing.T) {
	t.Parallel()
	notStored := map[string]bool{topicOrdersPaid: true, topicOrdersUpdated: true}
	for _, topic := range Topics() {
		if notStored[topic] {
			continue
		}
		_, err := os.Stat(filepath.Join("testdata", "webhooks", strings.ReplaceAll(topic, "/", "_")+".json"))
		require.NoError(t, err, "no sample for %s", topic)
	}
}
