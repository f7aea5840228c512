package cli

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Redis Cluster URL schemes. REDIS_URL names one server as go-redis's
// ParseURL reads it (redis://, rediss://, unix://), or a Redis Cluster:
//
//	redis+cluster://[user:password@]host1:port1[?addr=host2:port2&addr=host3:port3&option=value]
//	rediss+cluster://…   the same over TLS
//
// which is go-redis's ParseClusterURL form once "+cluster" is dropped from the
// scheme: every addr parameter adds a seed node (any reachable one finds the
// others; list several so a start survives one node being down), other
// parameters set the client options by their snake_case names
// (dial_timeout, read_timeout, pool_size, …), and a database number is
// refused (a cluster has only database 0).
const (
	schemeCluster    = "redis+cluster"
	schemeClusterTLS = "rediss+cluster"
)

// clusterStateReload is how old the client's map of the cluster's slots
// may get before it is read again (go-redis's default is a minute). A
// pipeline to a master that died does not make go-redis read the map again,
// so after a failover a role whose work is all pipelines (the processor's
// loads and commits) would fail until the map is this old.
const clusterStateReload = 2 * time.Second

// newRedisClient returns the client REDIS_URL names: a *goredis.Client for
// one server (or a Sentinel-managed master behind one address), a
// *goredis.ClusterClient for a Redis Cluster URL. Errors never repeat the
// URL, which may hold a password.
func newRedisClient(rawURL string) (goredis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("not a valid URL")
	}
	switch strings.ToLower(u.Scheme) {
	case schemeCluster, schemeClusterTLS:
		if p := strings.Trim(u.Path, "/"); p != "" && p != "0" {
			return nil, redactErr(fmt.Errorf("a Redis Cluster has only database 0, not %q", p), u)
		}
		c := *u
		c.Path, c.RawPath = "", ""
		c.Scheme = strings.TrimSuffix(strings.ToLower(u.Scheme), "+cluster")
		opts, err := goredis.ParseClusterURL(c.String())
		if err != nil {
			return nil, redactErr(fmt.Errorf("redis cluster URL: %w", err), u)
		}
		if opts.ClusterStateReloadInterval == 0 {
			opts.ClusterStateReloadInterval = clusterStateReload
		}
		return goredis.NewClusterClient(opts), nil
	default:
		opts, err := goredis.ParseURL(rawURL)
		if err != nil {
			return nil, redactErr(err, u)
		}
		return goredis.NewClient(opts), nil
	}
}

// redactErr returns err, or when its text holds u's password, an error
// that says only what went wrong in general.
func redactErr(err error, u *url.URL) error {
	if u.User == nil {
		return err
	}
	if p, ok := u.User.Password(); ok && p != "" && strings.Contains(err.Error(), p) {
		return errWithheld
	}
	return err
}

// errWithheld stands for a parser's message that repeated the password.
var errWithheld = errors.New("invalid Redis URL (the parser's message is withheld: it repeats the password)")
