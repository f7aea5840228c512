package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/processor"
)

// devOutboxDurable is the dev outbox's consumer on OUTBOX.
const devOutboxDurable = "dev-outbox"

// outboxMessage is a dev-outbox entry; the field names are the admin API's
// contract (ARCHITECTURE.md). Rendering (subject, text, html, headers) and
// the checks a real send makes arrive with the senders.
type outboxMessage struct {
	ID        string    `json:"id"`
	Shop      string    `json:"shop"`
	Flow      string    `json:"flow"`
	Run       string    `json:"run"`
	Step      string    `json:"step"`
	Channel   string    `json:"channel"`
	To        string    `json:"to"`
	Template  string    `json:"template"`
	Category  string    `json:"category"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
	DueAt     time.Time `json:"due_at"`
	Priority  int       `json:"priority"`
	URL       string    `json:"url,omitempty"`
}

// devOutboxHandler stores send commands in the dev outbox, once per id.
func devOutboxHandler(store *redis.OutboxStore) jetstream.Handler {
	return func(ctx context.Context, _ string, data []byte) error {
		var cmd processor.SendCommand
		if err := json.Unmarshal(data, &cmd); err != nil {
			return fmt.Errorf("%w: decoding send command: %w", jetstream.ErrPermanent, err)
		}
		msg := outboxMessage{
			ID: cmd.ID, Shop: cmd.Shop, Flow: cmd.Flow, Run: cmd.Run, Step: cmd.Step, Channel: cmd.Channel,
			To: cmd.To, Template: cmd.Template, Category: cmd.Category, Status: "outbox",
			CreatedAt: cmd.CreatedAt, DueAt: cmd.DueAt, Priority: cmd.Priority, URL: cmd.URL,
		}
		b, err := json.Marshal(msg)
		if err != nil {
			return fmt.Errorf("%w: %w", jetstream.ErrPermanent, err)
		}
		_, err = store.Add(ctx, cmd.Shop, cmd.ID, cmd.CreatedAt, b)
		return err
	}
}
