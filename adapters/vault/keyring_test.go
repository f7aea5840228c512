package vault_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/vault"
)

func TestKeyringSealsAndOpens(t *testing.T) {
	t.Parallel()
	k, err := vault.NewKeyring(vault.Key{Secret: "s1"})
	require.NoError(t, err)
	sealed, err := k.Seal([]byte("shpat_secret"), []byte("shp-a"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(sealed, "k1:"))
	require.NotContains(t, sealed, "shpat_secret")

	again, err := k.Seal([]byte("shpat_secret"), []byte("shp-a"))
	require.NoError(t, err)
	require.NotEqual(t, sealed, again, "a fresh nonce every time")

	plain, err := k.Open(sealed, []byte("shp-a"))
	require.NoError(t, err)
	require.Equal(t, "shpat_secret", string(plain))

	_, err = k.Open(sealed, []byte("shp-b"))
	require.Error(t, err, "bound to the shop id")
	tampered := sealed[:len(sealed)-2] + "AA"
	if tampered == sealed {
		tampered = sealed[:len(sealed)-2] + "BB"
	}
	_, err = k.Open(tampered, []byte("shp-a"))
	require.Error(t, err)
	_, err = k.Open("k9:"+strings.TrimPrefix(sealed, "k1:"), []byte("shp-a"))
	require.ErrorContains(t, err, "not in the keyring")

	other, err := vault.NewKeyring(vault.Key{Secret: "s2"})
	require.NoError(t, err)
	_, err = other.Open(sealed, []byte("shp-a"))
	require.Error(t, err, "another secret under the same id does not open it")
}

// Rotating BOOMERANG_SECRET_KEY: the new key seals, the old one still opens.
func TestKeyringRotation(t *testing.T) {
	t.Parallel()
	old, err := vault.NewKeyring(vault.Key{ID: "k1", Secret: "old"})
	require.NoError(t, err)
	sealed, err := old.Seal([]byte("token"), []byte("shp-a"))
	require.NoError(t, err)

	rotated, err := vault.NewKeyring(vault.Key{ID: "k2", Secret: "new"}, vault.Key{ID: "k1", Secret: "old"})
	require.NoError(t, err)
	require.Equal(t, "k2", rotated.CurrentKeyID())
	plain, err := rotated.Open(sealed, []byte("shp-a"))
	require.NoError(t, err)
	require.Equal(t, "token", string(plain))
	resealed, err := rotated.Seal(plain, []byte("shp-a"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(resealed, "k2:"))
	_, err = old.Open(resealed, []byte("shp-a"))
	require.Error(t, err)
}

func TestNewKeyringValidates(t *testing.T) {
	t.Parallel()
	for name, keys := range map[string][]vault.Key{
		"empty secret": {{ID: "k1"}},
		"bad id":       {{ID: "K:1", Secret: "s"}},
		"long id":      {{ID: strings.Repeat("k", 17), Secret: "s"}},
		"repeated id":  {{ID: "k1", Secret: "a"}, {ID: "k1", Secret: "b"}},
	} {
		_, err := vault.NewKeyring(keys[0], keys[1:]...)
		require.Error(t, err, name)
	}
}

// The token store seals with the current key and reads tokens sealed with a
// previous one.
