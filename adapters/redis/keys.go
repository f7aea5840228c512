package redis

import (
	"hash/fnv"
	"strconv"
)

// DefaultPrefix starts every key.
const DefaultPrefix = "bm"

// DefaultTimerShards is the number of timer shards: enough to spread a
// Redis Cluster's load, few enough that an idle poller's sweep is cheap.
const DefaultTimerShards = 16

// Keys builds every Redis key. The zero value uses DefaultPrefix.
type Keys struct {
	// Prefix starts every key; tests give each test its own.
	Prefix string
}

func (k Keys) prefix() string {
	if k.Prefix == "" {
		return DefaultPrefix
	}
	return k.Prefix
}

// customerTag is the hash tag of one customer of one shop. The customer key
// (an email, a phone, a platform id) is hashed so the tag holds no braces and
// no personal data.
func (k Keys) customerTag(shop, customer string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(customer))
	return "{c:" + shop + ":" + strconv.FormatUint(h.Sum64(), 36) + "}"
}

// CustomerState is a hash holding the customer's version counter, profile,
// reentry markers and remembered exit events.
func (k Keys) CustomerState(shop, customer string) string {
	return k.prefix() + ":" + k.customerTag(shop, customer) + ":state"
}

// CustomerRuns is a hash of the customer's runs: run id → run JSON.
func (k Keys) CustomerRuns(shop, customer string) string {
	return k.prefix() + ":" + k.customerTag(shop, customer) + ":runs"
}

// CustomerHistory is a list of the customer's finished runs, newest first
// (bounded), for explain.
func (k Keys) CustomerHistory(shop, customer string) string {
	return k.prefix() + ":" + k.customerTag(shop, customer) + ":history"
}

// EventSeen is the idempotency record of one event of the customer: its
// semantic key, holding the effects the event had.
func (k Keys) EventSeen(shop, customer, eventKey string) string {
	return k.prefix() + ":" + k.customerTag(shop, customer) + ":seen:" + eventKey
}

// TimerShard returns the shard of a timer id.
func TimerShard(timerID string, shards int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(timerID))
	return int(h.Sum32() % uint32(shards)) //nolint:gosec // shards is small and positive
}

// TimerDue is a shard's sorted set: timer → due time (unix ms); a claimed
// timer's score is its lease expiry. Members are digests of the timer ids
// (timer_record.go).
func (k Keys) TimerDue(shard int) string {
	return k.prefix() + ":{t" + strconv.Itoa(shard) + "}:due"
}

// TimerPayload is a shard's hash: timer → record (the timer id and its
// payload, a reference to the run, not its state).
func (k Keys) TimerPayload(shard int) string {
	return k.prefix() + ":{t" + strconv.Itoa(shard) + "}:pay"
}

// Outbox is the dev outbox of a shop: a sorted set of message ids by
// creation time.
func (k Keys) Outbox(shop string) string {
	return k.prefix() + ":{o:" + shop + "}:outbox"
}

// OutboxMessages is the dev outbox's hash: message id → message JSON.
func (k Keys) OutboxMessages(shop string) string {
	return k.prefix() + ":{o:" + shop + "}:msgs"
}

// FlowDef holds the definition of one flow version, so runs pinned to a
// version no longer loaded can still advance.
func (k Keys) FlowDef(id string, version int) string {
	return k.prefix() + ":flowdef:" + id + ":" + strconv.Itoa(version)
}

// Ledger is the send ledger entry of one message id: claimed before the
// provider call, then its outcome.
func (k Keys) Ledger(messageID string) string {
	return k.prefix() + ":ledger:{" + messageID + "}"
}

// Suppression is a shop's suppression list for one channel: address →
// reason.
func (k Keys) Suppression(shop, channel string) string {
	return k.prefix() + ":{s:" + shop + "}:suppress:" + channel
}

// CustomerSends holds when the customer last got marketing on each channel
// and priority ("channel:priority" → unix ms), for smart sending.
func (k Keys) CustomerSends(shop, customer string) string {
	return k.prefix() + ":" + k.customerTag(shop, customer) + ":sends"
}

// DateIndex is a set of "kind|customer" members whose date (birthday,
// first-order anniversary) falls on month-day mmdd ("02-29") in a shop.
// One set per shop and day: the daily job reads one key.
func (k Keys) DateIndex(shop, mmdd string) string {
	return k.prefix() + ":{d:" + shop + "}:dates:" + mmdd
}

// ShopCustomers is a set of every customer key of a shop, for jobs that
// address all of them (holiday wishes).
func (k Keys) ShopCustomers(shop string) string {
	return k.prefix() + ":{s:" + shop + "}:customers"
}

// FlowStats is a hash of a shop's flow figures: "<flow>|<arm>|s" sends,
// "|c" conversions, "|r" revenue in ten-thousandths; arm "" is the flow's
// total, else "step=arm".
func (k Keys) FlowStats(shop string) string {
	return k.prefix() + ":{f:" + shop + "}:flowstats"
}

// SplitDecisions is a hash of a shop's decided split tests: "<flow>|<step>"
// to the decision's JSON.
func (k Keys) SplitDecisions(shop string) string {
	return k.prefix() + ":{f:" + shop + "}:splits"
}

// Catalogue is a hash of a shop's products: product id to its JSON (title,
// url, image, price, stock), from product.updated events.
func (k Keys) Catalogue(shop string) string {
	return k.prefix() + ":{p:" + shop + "}:catalogue"
}

// CoPurchase is a hash of how often item was bought with each other item,
// in a shop. All of a shop's recommender keys share one hash tag.
func (k Keys) CoPurchase(shop, item string) string {
	return k.prefix() + ":{r:" + shop + "}:co:" + item
}

// ItemOrders is a hash of how many orders held each item, in a shop.
func (k Keys) ItemOrders(shop string) string {
	return k.prefix() + ":{r:" + shop + "}:items"
}

// Popularity is a sorted set of items by orders on one day ("20260314").
func (k Keys) Popularity(shop, day string) string {
	return k.prefix() + ":{r:" + shop + "}:pop:" + day
}

// InstalledShops is a hash of the shops created by app install: shop id to
// the record's JSON, its credentials sealed.
func (k Keys) InstalledShops() string {
	return k.prefix() + ":shops"
}

// UninstalledShops is a set of the ids of shops whose app was uninstalled.
func (k Keys) UninstalledShops() string {
	return k.prefix() + ":shops:uninstalled"
}

// ExportIndex is a sorted set of a shop's exports: export id → expiry time
// (unix ms).
func (k Keys) ExportIndex(shop string) string {
	return k.prefix() + ":" + k.exportTag(shop) + ":exports"
}

// ExportSummaries is a hash of a shop's exports: export id → the summary
// JSON the admin API lists.
func (k Keys) ExportSummaries(shop string) string {
	return k.prefix() + ":" + k.exportTag(shop) + ":exports:sum"
}

// ExportSubjects is a hash of a shop's exports: export id → the customer
// keys the export covers, one a line (what a customer.redact matches).
func (k Keys) ExportSubjects(shop string) string {
	return k.prefix() + ":" + k.exportTag(shop) + ":exports:who"
}

// ExportDocument is one export's document (a string that expires with the
// export).
func (k Keys) ExportDocument(shop, id string) string {
	return k.prefix() + ":" + k.exportTag(shop) + ":export:" + id
}

// ReconcileCursor is a string: the start time (Unix milliseconds) of the
// shop's last successful reconcile poll.
func (k Keys) ReconcileCursor(shop string) string {
	return k.prefix() + ":{s:" + shop + "}:reconcile"
}

// ImportState is a hash describing a shop's history import (fields of
// ImportStatus); erased with the shop's {s:} keys.
func (k Keys) ImportState(shop string) string {
	return k.prefix() + ":{s:" + shop + "}:import"
}

// ImportLock is a string held (with a TTL, refreshed) by the replica
// running a shop's history import.
func (k Keys) ImportLock(shop string) string {
	return k.prefix() + ":{s:" + shop + "}:import-lock"
}

// exportTag is the hash tag of a shop's data exports.
func (k Keys) exportTag(shop string) string { return "{x:" + shop + "}" }
