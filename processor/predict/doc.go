// Package predict holds the customer-lifetime models Boomerang predicts churn
// risk and lifetime value with: BG/NBD (Fader, Hardie & Lee 2005a), Pareto/NBD
// (Schmittlein, Morrison & Colombo 1987) and the Gamma-Gamma spend model
// (Fader & Hardie 2013), each fitted by maximum likelihood on log-parameters.
//
// The models read only sufficient statistics per customer (see Summary):
// x, the number of repeat order days; t_x, the time from the first to the last
// order day; T, the time from the first order day to the end of the
// calibration period; and the mean repeat spend. Summarize derives them from
// transactions. Every prediction is finite: P(alive) lies in [0, 1] and a
// customer with x = 1000, t_x = 10, T = 100 gets P(alive) = 0, not NaN.
package predict
