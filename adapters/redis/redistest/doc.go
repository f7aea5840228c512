// Package redistest gives tests a real Redis: the server named by $REDIS_URL
// when it is set (`make test` sets it to a private redis-server), otherwise a
// redis-server child on a free loopback port that the tests of one package
// process share. Each test gets its own client and key prefix, so parallel
// tests never see each other's keys, and its keys are deleted when it ends.
//
// A package using it stops the shared child in TestMain:
//
//	func TestMain(m *testing.M) {
//		goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
//			redistest.Stop()
//			os.Exit(code)
//		}))
//	}
//
// Without that the child still dies with the test binary on Linux (it is
// started with a parent-death signal).
package redistest
