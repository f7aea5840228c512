package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
	"github.com/boomerang-dev/boomerang/processor/replay"
)

func newExplain(stdio IO) *cobra.Command {
	var (
		shopID, customer, redisURL string
		asJSON                     bool
	)
	cmd := &cobra.Command{
		Use:   "explain --shop S --customer C",
		Short: "Print a customer's timeline: runs, steps, what was sent and why anything was not",
		Long: `explain reads a customer's profile, runs (active and finished) and messages from Redis
(REDIS_URL) and prints them in time order: every run's start and end with its reason, each step
it took, and for each message its outcome — sent, or skipped with the reason (consent,
unsubscribed, suppressed, smart_sending, quiet_hours, stale, filter, …). The customer is an
email, a phone number (+…) or a platform id, or a processor key (e:…, p:…, i:…).
With --json it prints the replay's JSON lines.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if shopID == "" || customer == "" {
				return &exitError{2, errors.New("--shop and --customer are required")}
			}
			if redisURL == "" {
				return &exitError{2, errors.New("REDIS_URL (or --redis-url) is required: explain reads the processor's Redis")}
			}
			rdb, err := newRedisClient(redisURL)
			if err != nil {
				return fmt.Errorf("REDIS_URL: %w", err)
			}
			defer rdb.Close()
			ctx := c.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			lines, profile, err := explainCustomer(ctx, rdb, redis.Keys{}, shopID, customerKeyOf(customer))
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(stdio.Stdout)
				for _, l := range lines {
					if err := enc.Encode(l); err != nil {
						return err
					}
				}
				return nil
			}
			return printExplain(stdio.Stdout, shopID, customerKeyOf(customer), profile, lines)
		},
	}
	cmd.Flags().StringVar(&shopID, "shop", "", "the shop's id")
	cmd.Flags().StringVar(&customer, "customer", "", "email, phone (+…), platform id or processor key")
	cmd.Flags().StringVar(&redisURL, "redis-url", os.Getenv("REDIS_URL"), "the processor's Redis")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON lines (the replay's format)")
	return cmd
}

// customerKeyOf turns what an operator types into the processor's key.
func customerKeyOf(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case len(s) > 2 && s[1] == ':' && strings.ContainsRune("epi", rune(s[0])):
		return s
	case strings.Contains(s, "@"):
		return "e:" + strings.ToLower(s)
	case strings.HasPrefix(s, "+"):
		return "p:" + s
	}
	return "i:" + s
}

// explainCustomer builds the customer's timeline from the runs' step logs
// and the outbox entries of their messages.
func explainCustomer(ctx context.Context, rdb goredis.UniversalClient, keys redis.Keys, shopID, cust string) ([]replay.Line, *processor.Profile, error) {
	timers, err := redis.NewTimers(redis.TimerConfig{Client: rdb, Keys: keys})
	if err != nil {
		return nil, nil, err
	}
	store := redisstore.New(redis.NewCustomerStore(rdb, keys, timers))
	profile, err := store.Profile(ctx, shopID, cust)
	if err != nil {
		return nil, nil, err
	}
	active, finished, err := store.Runs(ctx, shopID, cust)
	if err != nil {
		return nil, nil, err
	}
	outbox := redis.NewOutboxStore(rdb, keys)
	var lines []replay.Line
	for _, r := range append(active, finished...) {
		for _, s := range r.Steps {
			l := replay.Line{At: s.At, Flow: r.Flow, Run: r.ID, Step: s.Step, Shop: shopID, Customer: cust, Detail: s.Detail}
			switch s.Action {
			case "start":
				l.Action, l.Detail = processor.ActionStart, "started by "+s.Detail
			case processor.RunDone, processor.RunExited:
				l.Action, l.Reason, l.Detail = processor.ActionExit, r.ExitReason, r.ExitDetail
			case "send", "webhook":
				l.Action = replay.ActionSend
				if err := outboxOutcome(ctx, outbox, shopID, r.ID+":"+s.Step, &l); err != nil {
					return nil, nil, err
				}
			case "skipped":
				l.Action, l.Reason, l.Detail = processor.ActionSkip, s.Detail, ""
			default:
				l.Action = s.Action // wait, branch, split, discount, update, rearm, …
			}
			lines = append(lines, l)
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].At.Before(lines[j].At) })
	return lines, profile, nil
}

// outboxOutcome fills a send line from the message's outbox entry.
func outboxOutcome(ctx context.Context, outbox *redis.OutboxStore, shopID, id string, l *replay.Line) error {
	b, err := outbox.Get(ctx, shopID, id)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		l.Detail = "queued: the sender has not handled it yet"
		return nil
	}
	var rec outboxRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return fmt.Errorf("outbox entry %s: %w", id, err)
	}
	l.Channel, l.Template, l.To, l.Category, l.Subject = rec.Channel, rec.Template, rec.To, rec.Category, rec.Subject
	switch rec.Status {
	case "skipped", "failed":
		l.Action, l.Reason = processor.ActionSkip, replay.Reason(rec.Reason)
		if l.Reason != rec.Reason {
			l.Detail = rec.Status + ": " + rec.Reason
		} else {
			l.Detail = rec.Status
		}
		if !rec.UpdatedAt.IsZero() {
			l.At = rec.UpdatedAt
		}
	default:
		l.Detail = rec.Status // sent, outbox (dev), queued
		if !rec.UpdatedAt.IsZero() {
			l.At = rec.UpdatedAt
		}
	}
	return nil
}

func printExplain(w io.Writer, shopID, cust string, p *processor.Profile, lines []replay.Line) error {
	fmt.Fprintf(w, "customer %s of shop %s\n", cust, shopID)
	if p == nil {
		fmt.Fprintln(w, "no profile: Boomerang has no event of this customer")
	} else {
		fmt.Fprintf(w, "orders %d, total spent %s %s\n", p.OrdersCount, orZeroStr(p.TotalSpent), p.Currency)
		for _, ch := range []string{"email", "sms"} {
			c, ok := p.Consent[ch]
			if !ok {
				fmt.Fprintf(w, "%s consent: none recorded\n", ch)
				continue
			}
			fmt.Fprintf(w, "%s consent: %s (from %s, %s)\n", ch, c.State, c.Source, c.At.Format(time.RFC3339))
		}
	}
	if len(lines) == 0 {
		fmt.Fprintln(w, "no runs")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range lines {
		what := l.Action
		if l.Channel != "" {
			what += " " + l.Channel + " " + l.Template
			if l.To != "" {
				what += " to " + l.To
			}
		}
		if l.Reason != "" {
			what += " (" + l.Reason + ")"
		}
		if l.Detail != "" {
			what += ": " + l.Detail
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.At.UTC().Format(time.RFC3339), l.Flow, l.Step, what)
	}
	return tw.Flush()
}

func orZeroStr(s string) string {
	if s == "" {
		return "0"
	}
	return s
}
