package vault_test

import (
	"testing"

	"github.com/boomerang-dev/boomerang/adapters/vault"
)

// FuzzKeyringOpen: any stored value is refused or opened without panicking;
// anything sealed opens to itself, and only for its own shop.
func FuzzKeyringOpen(f *testing.F) {
	k, err := vault.NewKeyring(vault.Key{Secret: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	sealed, err := k.Seal([]byte(`{"access":"a"}`), []byte("shp-a"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed, []byte("plain"), "shp-a")
	f.Add("k1:", []byte{}, "")
	f.Add("k1:!!!!", []byte{0}, "shp-b")
	f.Add("nokey", []byte("x"), "shp-c")
	f.Fuzz(func(t *testing.T, stored string, plain []byte, shopID string) {
		_, _ = k.Open(stored, []byte(shopID))
		s, err := k.Seal(plain, []byte(shopID))
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.Open(s, []byte(shopID))
		if err != nil || string(got) != string(plain) {
			t.Fatalf("round trip: %v", err)
		}
		if _, err := k.Open(s, []byte(shopID+"x")); err == nil {
			t.Fatal("opened for another shop")
		}
	})
}
