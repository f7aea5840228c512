package recommend_test

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// shop generates a synthetic order history: products in categories of 20 with
// long-tailed (Zipf) popularity, and baskets of mostly one category. It is
// deterministic for a seed.
type shop struct {
	products int
	rng      *rand.Rand
	zipf     *rand.Zipf
	start    time.Time
}

func newShop(products int, seed uint64) *shop {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &shop{
		products: products,
		rng:      rng,
		zipf:     rand.NewZipf(rng, 1.1, 2, uint64(products-1)),
		start:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

func productID(i int) string { return fmt.Sprintf("p%05d", i) }

// basket draws one order: 1 to 12 products, about 4 on average, 80% from the
// category of a first, popular product.
func (s *shop) basket() []string {
	first := int(s.zipf.Uint64())
	cat := first / 20
	size := 1 + min(int(s.rng.ExpFloat64()*3), 11)
	seen := map[int]bool{first: true}
	out := []string{productID(first)}
	for tries := 0; len(out) < size && tries < 4*size; tries++ {
		var p int
		if s.rng.Float64() < 0.8 {
			p = cat*20 + int(s.zipf.Uint64()%20)
		} else {
			p = int(s.zipf.Uint64())
		}
		if p < s.products && !seen[p] {
			seen[p] = true
			out = append(out, productID(p))
		}
	}
	return out
}

// orders draws n orders, one every 10 minutes from 2026-01-01.
func (s *shop) orders(n int) (baskets [][]string, at []time.Time) {
	for i := range n {
		baskets = append(baskets, s.basket())
		at = append(at, s.start.Add(time.Duration(i)*10*time.Minute))
	}
	return baskets, at
}
