// Package recommend is Boomerang's product recommender: item-to-item
// co-purchase from orders' line items, one Model per shop, updated as orders
// arrive. It feeds the cross-sell flow ("if you liked X, you'll love Y").
//
// # Similarity
//
// For products i and j, let c_ij be the number of orders holding both and c_i,
// c_j the orders holding each. Product i's neighbours are ranked by
//
//	sim(i→j) = c_ij/c_i · 1/c_j^δ · c_ij/(c_ij + λ)     if c_ij ≥ MinSupport
//
// the conditional probability P(j|i) (confidence), damped for popular
// products by c_j^δ (δ = 1 would be lift, which floods the list with rare
// products; δ = 0 plain confidence, which recommends the best sellers to
// everyone), and shrunk by c_ij/(c_ij+λ), so that a pair bought together twice
// weighs far less than one bought together a hundred times. Pairs bought
// together in fewer than MinSupport orders are no neighbours at all (the
// support floor). Each product keeps its Neighbours best neighbours (top-N).
//
// A query (a cart, an order, a customer's history) scores each candidate j by
// Σ sim(q→j) over the query's products q. Candidates exclude the query and the
// caller's exclusions (what the customer bought), pass the caller's keep filter
// (has an image, in stock), and ties go to the smaller id. When fewer than k
// candidates remain, the list is padded with the products most often ordered in
// the popularity window (90 days by default). These are Klaviyo's feed rules.
// docs/recommendations.md gives the measured hit rates and why these choices.
//
// # Concurrency
//
// Every method of Model is safe for concurrent use. Add takes a write lock;
// readers work on an immutable snapshot of the neighbour lists, built on the
// first read after an Add. Rebuilding the snapshot costs time in proportion to
// the co-purchased pairs, so a live shop should add a batch of orders, then
// read. Reads do not block each other.
package recommend
