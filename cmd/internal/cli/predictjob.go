package cli

import (
	"context"
	"encoding/json"
	"math/big"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/dates"
	"github.com/boomerang-dev/boomerang/processor/predict"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

// predictRefresh is how old a customer's predictions may get before the
// job publishes them again though the band did not change.
const predictRefresh = 7 * 24 * time.Hour

// predictHour is the local hour the daily prediction job runs at.
const predictHour = 3

func marshalEvent(e *event.Event) ([]byte, error) { return json.Marshal(e) }

// newPredictJob refits each shop's models every night (docs/predictions.md)
// and publishes prediction.updated for each customer whose churn band
// changed, or whose figures are a week old; the processor writes them into
// profile.predictions, where flows and segments read them.
func newPredictJob(base dailyJob, store *redisstore.Store, index *redis.Dates, pub eventPublisher) *dailyJob {
	j := base
	j.name, j.hour = "predict", predictHour
	j.do = func(ctx context.Context, s *shop.Shop, day time.Time) error {
		asOf := j.now()
		profiles := map[string]*processor.Profile{}
		var hs []predict.History
		err := index.Customers(ctx, s.ID, func(keys []string) error {
			for _, k := range keys {
				p, err := store.Profile(ctx, s.ID, k)
				if err != nil {
					return err
				}
				if p == nil || len(p.OrderTimes) == 0 {
					continue
				}
				profiles[k] = p
				hs = append(hs, predict.History{CustomerID: k, Orders: p.OrderTimes, MeanSpend: meanSpend(p)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		scores := predict.ScoreShop(hs, asOf)
		var evs []*event.Event
		for _, sc := range scores {
			p := profiles[sc.CustomerID]
			prev := ""
			if p.Predictions != nil {
				prev = p.Predictions.ChurnBand
				if prev == string(sc.ChurnBand) && asOf.Sub(p.Predictions.At) < predictRefresh {
					continue
				}
			}
			evs = append(evs, predictionEvent(s.ID, sc, prev, p.Currency, asOf))
		}
		if err := publishAll(ctx, pub, evs); err != nil {
			return err
		}
		model := "none"
		if len(scores) > 0 {
			model = scores[0].Model
		}
		j.log.Info("predictions refreshed", zap.String("shop", s.ID), zap.Int("customers", len(scores)),
			zap.Int("published", len(evs)), zap.String("model", model))
		return nil
	}
	return &j
}

// meanSpend is a profile's mean order value (its total over its orders; the
// profile keeps no per-order amounts).
func meanSpend(p *processor.Profile) float64 {
	if p.OrdersCount == 0 || p.TotalSpent == "" {
		return 0
	}
	r, ok := new(big.Rat).SetString(p.TotalSpent)
	if !ok {
		return 0
	}
	f, _ := r.Float64()
	return f / float64(p.OrdersCount)
}

func predictionEvent(shopID string, sc predict.ShopScore, previous, currency string, asOf time.Time) *event.Event {
	d := &event.Prediction{
		PAlive: sc.PAlive, ChurnRisk: sc.ChurnRisk, ChurnBand: string(sc.ChurnBand), PreviousBand: previous,
		ExpectedOrders: sc.ExpectedOrders365, PredictedCLV: event.Decimal(strconv.FormatFloat(sc.CLV365, 'f', 2, 64)),
		Currency: currency, Model: sc.Model,
	}
	if !sc.NextOrderAt.IsZero() {
		t := sc.NextOrderAt
		d.ExpectedNextOrderAt = &t
	}
	key := "prediction.updated:" + shopID + ":" + sc.CustomerID + ":" + asOf.UTC().Format("2006-01-02")
	return &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformBoomerang, shopID, key, event.PredictionUpdated),
		Key:           key, Type: event.PredictionUpdated, Shop: shopID, Platform: event.PlatformBoomerang,
		OccurredAt: asOf.UTC(), ReceivedAt: asOf.UTC(), Customer: dates.CustomerOf(sc.CustomerID), Data: d,
		Source: event.Source{Topic: "predict"},
	}
}
