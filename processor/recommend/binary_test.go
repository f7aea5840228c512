package recommend_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/recommend"
)

func FuzzUnmarshalBinary(f *testing.F) {
	seed := func(cfg recommend.Config, orders ...[]string) []byte {
		m, err := recommend.New(cfg)
		if err != nil {
			f.Fatal(err)
		}
		for i, b := range orders {
			m.Add(b, day0.AddDate(0, 0, i*7))
		}
		b, err := m.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(seed(recommend.Config{}))
	f.Add(seed(recommend.Config{}, []string{"a", "b"}, []string{"a", "b"}, []string{"b", "c"}, []string{"c"}))
	f.Add(seed(recommend.Config{MinSupport: 1, Neighbours: 2, Window: 7 * 24 * 3600e9},
		[]string{"a", "b", "c", "d"}, []string{"a", "c"}, []string{"d", "e"}, []string{"b", "e", "a"}))
	f.Add([]byte("BRM\x01"))
	f.Add([]byte("not a model"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m recommend.Model
		if err := m.UnmarshalBinary(data); err != nil {
			require.ErrorIs(t, err, recommend.ErrBadModel)
			return
		}
		b, err := m.MarshalBinary()
		require.NoError(t, err)
		var again recommend.Model
		require.NoError(t, again.UnmarshalBinary(b))
		b2, err := again.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, b, b2, "one round trip reaches a fixed point")
		query := []string{"a", "b", "x"}
		for _, s := range m.Recommend(query, []string{"c"}, 5, nil) {
			require.NotContains(t, append(slices.Clone(query), "c"), s.ID)
		}
		m.Add([]string{"a", "z"}, day0)
		_, err = m.MarshalBinary()
		require.NoError(t, err)
	})
}
