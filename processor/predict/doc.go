// Package predict holds the customer-lifetime models Boomerang predicts churn
// risk and lifetime value with: BG/NBD (Fader, Hardie & Lee 2005a), MBG/NBD
// (Batislam, Denizel & Filiztekin 2007), Pareto/NBD (Schmittlein, Morrison &
// Colombo 1987) and the Gamma-Gamma spend model (Fader & Hardie 2013), each
// fitted by maximum likelihood (or maximum a posteriori for small shops) on
// log-parameters.
//
// The models read only sufficient statistics per customer (see Summary):
// x, the number of repeat order days; t_x, the time from the first to the last
// order day; T, the time from the first order day to the end of the
// calibration period; and the mean repeat spend. Summarize derives them from
// transactions. Every prediction is finite: P(alive) lies in [0, 1] and a
// customer with x = 1000, t_x = 10, T = 100 gets P(alive) = 0, not NaN.
//
// Churn risk never comes from BG/NBD, which keeps every one-time buyer alive
// for ever: Compare and Comparison.Choose pick between MBG/NBD and Pareto/NBD
// on a holdout period, ChooseShopModel does so on a shop's own last 90 days
// when its history allows, and DefaultChurnModel applies otherwise. Models.Score
// scores one customer; Models.ScoreAll scores many with the same results,
// sharing the work between customers with the same (x, T) and (x, t_x, T).
package predict
