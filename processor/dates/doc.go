// Package dates is the daily job behind birthday, anniversary and holiday
// wishes: for one shop and one local day it lists the date.reached events
// due, from the date index the processor keeps (adapters/redis.Dates) and
// the shop's holiday calendar (the holiday flow's calendar parameter). The
// events are keyed by kind, day and customer, so running the job twice for
// a day has one effect.
package dates
