package recommend_test

import (
	"fmt"
	"time"

	"github.com/boomerang-dev/boomerang/processor/recommend"
)

// A shop's model learns from its orders; a delivered order asks for products
// the customer has not bought, that are in stock and have an image.
func ExampleModel_Recommend() {
	m, err := recommend.New(recommend.Config{})
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	for range 3 {
		m.Add([]string{"tent", "sleeping-bag", "stove"}, at)
		m.Add([]string{"tent", "lantern"}, at)
	}
	m.Add([]string{"mug"}, at)
	m.Add([]string{"mug", "tea"}, at)

	inStock := func(id string) bool { return id != "stove" }
	purchased := []string{"mug"}
	for _, s := range m.Recommend([]string{"tent"}, purchased, 3, inStock) {
		fmt.Printf("%s popular=%v\n", s.ID, s.Popular)
	}
	// Output:
	// lantern popular=false
	// sleeping-bag popular=false
	// tea popular=true
}
