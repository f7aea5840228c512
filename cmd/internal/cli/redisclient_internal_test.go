package cli

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

func TestNewRedisClientSingleServer(t *testing.T) {
	t.Parallel()
	c, err := newRedisClient("redis://:s3cret@127.0.0.1:6390/2?dial_timeout=3s")
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	one, ok := c.(*goredis.Client)
	require.True(t, ok, "a redis:// URL is one server: %T", c)
	require.Equal(t, "127.0.0.1:6390", one.Options().Addr)
	require.Equal(t, 2, one.Options().DB)
	require.Equal(t, "s3cret", one.Options().Password)
	require.Equal(t, 3*time.Second, one.Options().DialTimeout)
}

func TestNewRedisClientCluster(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url   string
		addrs []string
		tls   bool
	}{
		{"redis+cluster://10.0.0.1:7000", []string{"10.0.0.1:7000"}, false},
		{
			"redis+cluster://u:pw@10.0.0.1:7000?addr=10.0.0.2:7001&addr=10.0.0.3:7002&read_timeout=2s",
			[]string{"10.0.0.1:7000", "10.0.0.2:7001", "10.0.0.3:7002"},
			false,
		},
		{"rediss+cluster://redis.example:6380/0?addr=redis-2.example:6380", []string{"redis.example:6380", "redis-2.example:6380"}, true},
		{"REDIS+CLUSTER://10.0.0.1", []string{"10.0.0.1:6379"}, false},
	} {
		c, err := newRedisClient(tc.url)
		require.NoError(t, err, tc.url)
		cc, ok := c.(*goredis.ClusterClient)
		require.True(t, ok, "%s: %T", tc.url, c)
		require.Equal(t, tc.addrs, cc.Options().Addrs, tc.url)
		require.Equal(t, tc.tls, cc.Options().TLSConfig != nil, tc.url)
		require.NoError(t, c.Close())
	}
	c, err := newRedisClient("redis+cluster://u:pw@10.0.0.1:7000?addr=10.0.0.2:7001&read_timeout=2s")
	require.NoError(t, err)
	cc := c.(*goredis.ClusterClient) //nolint:forcetypeassert // checked above
	require.Equal(t, "u", cc.Options().Username)
	require.Equal(t, "pw", cc.Options().Password)
	require.Equal(t, 2*time.Second, cc.Options().ReadTimeout)
	require.Equal(t, clusterStateReload, cc.Options().ClusterStateReloadInterval,
		"the slot map is read again soon after a failover")
	require.NoError(t, c.Close())
}

func TestNewRedisClientRefusesBadURLsWithoutShowingThePassword(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"redis+cluster://u:hunter2@10.0.0.1:7000/3",              // a database other than 0
		"redis+cluster://u:hunter2@10.0.0.1:7000?pool_sizes=3",   // an unknown option
		"redis+cluster://u:hunter2@10.0.0.1:7000?dial_timeout=x", // a bad value
		"redis://u:hunter2@10.0.0.1:7000?dial_timeout=x",
		"http://u:hunter2@10.0.0.1:7000",
		"redis://u:hunter2@[::1:7000",
		"",
	} {
		c, err := newRedisClient(u)
		require.Error(t, err, u)
		require.Nil(t, c, u)
		require.NotContains(t, err.Error(), "hunter2", u)
	}
}

func TestNewRedisClientTalksToRedis(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	c, err := newRedisClient(env.URL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	key := env.Prefix + ":redisclient"
	require.NoError(t, c.Set(ctx, key, "v", time.Minute).Err())
	require.Equal(t, "v", env.Client.Get(ctx, key).Val())
}

// FuzzNewRedisClient: any REDIS_URL gives a client or an error, never a
// panic, and an error never shows the URL's password.
func FuzzNewRedisClient(f *testing.F) {
	for _, s := range []string{
		"redis://127.0.0.1:6379/0", "rediss://u:p@h:1", "unix:///tmp/redis.sock?db=1",
		"redis+cluster://h1:1?addr=h2:2&addr=h3:3", "rediss+cluster://u:p@h:1/0?dial_timeout=2",
		"redis+cluster://u:secretpw@h:1?bogus=1", "redis://u:dial_timeout@h:1?dial_timeout=x",
		"redis+cluster://h:notaport", "redis://:p@?0", "%zz", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := newRedisClient(raw)
		if err != nil {
			require.Nil(t, c)
			if u, perr := url.Parse(raw); perr == nil && u.User != nil {
				if p, ok := u.User.Password(); ok && p != "" && strings.Contains(err.Error(), p) {
					require.Equal(t, errWithheld, err, "only the fixed text may happen to contain the password")
				}
			}
			return
		}
		require.NoError(t, c.Close())
	})
}
