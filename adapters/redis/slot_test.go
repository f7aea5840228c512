package redis_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
)

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0), the checksum
// Redis Cluster hashes keys with.
func crc16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// slot is a key's Redis Cluster slot: CRC16 of the key, or of its hash tag
// (the text between the first '{' and the next '}', when not empty), mod
// 16384.
func slot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	return int(crc16([]byte(key)) % 16384)
}

func TestSlotKnownVectors(t *testing.T) {
	t.Parallel()
	require.Equal(t, uint16(0x31C3), crc16([]byte("123456789")), "the CRC-16/XMODEM check value")
	require.Equal(t, 12182, slot("foo"))
	require.Equal(t, 12739, slot("123456789"))
	require.Equal(t, slot("{user1000}.following"), slot("{user1000}.followers"))
	require.Equal(t, slot("user1000"), slot("{user1000}.following"))
	require.Equal(t, slot("bar"), slot("foo{bar}{zap}"), "only the first tag counts")
	require.Equal(t, slot("{bar"), slot("foo{{bar}}zap"), "the tag runs to the first '}'")
	require.Equal(t, int(crc16([]byte("foo{}{bar}"))%16384), slot("foo{}{bar}"), "an empty tag hashes the whole key")
}

func TestKeysShareSlots(t *testing.T) {
	t.Parallel()
	for _, k := range []redis.Keys{{}, {Prefix: "rtabc-1"}} {
		shards := map[int]bool{}
		for s := range redis.DefaultTimerShards {
			due := slot(k.TimerDue(s))
			require.Equal(t, due, slot(k.TimerPayload(s)), "shard %d", s)
			shards[due] = true
		}
		require.Len(t, shards, redis.DefaultTimerShards, "each timer shard has a slot of its own")

		for _, c := range []struct{ shop, customer string }{
			{"demo", "ann@example.com"},
			{"demo", "+15005550006"},
			{"shop-2", "820982911946154508"},
			{"demo", "odd{brace}s}@example.com"},
		} {
			state := slot(k.CustomerState(c.shop, c.customer))
			require.Equal(t, state, slot(k.CustomerRuns(c.shop, c.customer)), "%+v", c)
			require.Equal(t, state, slot(k.CustomerHistory(c.shop, c.customer)), "%+v", c)
			require.Equal(t, state, slot(k.CustomerSends(c.shop, c.customer)), "%+v", c)
			for _, ev := range []string{"order.placed:demo:1", "checkout.updated:demo:{tok}:2026", ""} {
				require.Equal(t, state, slot(k.EventSeen(c.shop, c.customer, ev)), "%+v %q", c, ev)
			}
		}
		for _, shop := range []string{"demo", "shop-2", "x"} {
			require.Equal(t, slot(k.Outbox(shop)), slot(k.OutboxMessages(shop)), shop)
			require.Equal(t, slot(k.DateIndex(shop, "02-29")), slot(k.DateIndex(shop, "12-24")), "a shop's date sets share a slot")
			// exportSaveScript, exportPruneScript and the export delete's
			// MULTI touch these four keys together.
			export := slot(k.ExportIndex(shop))
			require.Equal(t, export, slot(k.ExportSummaries(shop)), shop)
			require.Equal(t, export, slot(k.ExportSubjects(shop)), shop)
			for _, id := range []string{"req-1", "{odd}id", ""} {
				require.Equal(t, export, slot(k.ExportDocument(shop, id)), "%s %q", shop, id)
			}
			// Popular's ZUNION reads several days' sets at once; all of a
			// shop's recommender keys share one tag.
			co := slot(k.Popularity(shop, "20260314"))
			require.Equal(t, co, slot(k.Popularity(shop, "20260315")), shop)
			require.Equal(t, co, slot(k.CoPurchase(shop, "sku-1")), shop)
			require.Equal(t, co, slot(k.CoPurchase(shop, "{sku}2")), shop)
			require.Equal(t, co, slot(k.ItemOrders(shop)), shop)
		}
		// The other scripts and transactions (the ledger's claim release,
		// the import lock, the reconcile cursor) touch one key each. Each
		// message's ledger entry has a tag of its own, so claims spread
		// over the cluster's masters.
		ledgers := map[int]bool{}
		for i := range 64 {
			ledgers[slot(k.Ledger("run-"+strconv.Itoa(i)+":reminder"))] = true
		}
		require.Greater(t, len(ledgers), 32, "ledger entries spread over slots")
	}
}

func TestTimerShardSpreads(t *testing.T) {
	t.Parallel()
	counts := make([]int, redis.DefaultTimerShards)
	for i := range 16000 {
		counts[redis.TimerShard("abandoned-checkout-"+strconv.Itoa(i)+":3", redis.DefaultTimerShards)]++
	}
	for s, n := range counts {
		require.InDelta(t, 1000, n, 150, "shard %d", s)
	}
}
