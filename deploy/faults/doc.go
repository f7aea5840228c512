// Package faults proves Boomerang on clustered engines under faults, on
// loopback (docs/faults.md): the roles run as separate processes of the
// built binary against a 3-node JetStream cluster (embedded servers routed
// together in the test, R3 streams) and a Redis Cluster of six redis-server
// processes (three masters, three replicas). The abandonment scenario runs
// through signed webhooks while the test kills the EVENTS stream leader, a
// Redis master, a processor and a sender (kill -9), and stops a sender with
// SIGTERM; every customer still gets exactly the messages the flow owes.
//
// The tests carry the build tag faults and run only with `make test-faults`
// (go test -tags faults ./deploy/faults/...), never in `make test`. They
// need redis-server and redis-cli on the PATH and run on Linux.
//
// The package has only tests.
package faults
