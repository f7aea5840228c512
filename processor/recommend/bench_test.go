package recommend_test

import (
	"hash/fnv"
	"testing"
	"time"

	"github.com/boomerang-dev/boomerang/processor/recommend"
)

// benchModel is a 10,000 product catalogue built from 200,000 long-tailed
// synthetic orders (and one more per product, so that each one sold).
func benchModel(b *testing.B) (*recommend.Model, *shop, time.Time) {
	b.Helper()
	s := newShop(10_000, 42)
	m, err := recommend.New(recommend.Config{})
	if err != nil {
		b.Fatal(err)
	}
	baskets, at := s.orders(200_000)
	for i, basket := range baskets {
		m.Add(basket, at[i])
	}
	for p := range 10_000 {
		m.Add([]string{productID(p)}, at[p])
	}
	return m, s, at[len(at)-1]
}

// BenchmarkRecommendCart measures one cart's recommendations with a 10,000
// product catalogue: a cart of 1 to 12 products, the customer's 10 or more
// earlier purchases excluded, a keep filter rejecting about 1 product in 10
// (out of stock, no image), k = 10. Target: under 1 ms.
func BenchmarkRecommendCart(b *testing.B) {
	m, s, _ := benchModel(b)
	carts := make([][]string, 1024)
	history := make([][]string, len(carts))
	for i := range carts {
		carts[i] = s.basket()
		for len(history[i]) < 10 {
			history[i] = append(history[i], s.basket()...)
		}
	}
	keep := func(id string) bool {
		h := fnv.New32a()
		_, _ = h.Write([]byte(id))
		return h.Sum32()%10 != 0
	}
	_ = m.Recommend(carts[0], nil, 10, nil) // builds the neighbour lists
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if got := m.Recommend(carts[i%len(carts)], history[i%len(carts)], 10, keep); len(got) != 10 {
			b.Fatalf("%d recommendations", len(got))
		}
		i++
	}
	b.ReportMetric(float64(m.Products()), "products")
}

// BenchmarkAddOrder measures counting one order into that catalogue.
func BenchmarkAddOrder(b *testing.B) {
	m, s, last := benchModel(b)
	orders := make([][]string, 1024)
	for i := range orders {
		orders[i] = s.basket()
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m.Add(orders[i%len(orders)], last)
		i++
	}
}

// BenchmarkReadAfterAdd measures the first read after an order: it rebuilds
// the neighbour lists of the whole catalogue.
func BenchmarkReadAfterAdd(b *testing.B) {
	m, s, last := benchModel(b)
	cart := s.basket()
	b.ResetTimer()
	for b.Loop() {
		m.Add(cart, last)
		_ = m.Recommend(cart, nil, 10, nil)
	}
}
