package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// IO is what a command reads and writes.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Run runs the boomerang command with args and returns the exit code.
func Run(ctx context.Context, args []string, stdio IO) int {
	root := newRoot(stdio)
	root.SetArgs(args)
	root.SetIn(stdio.Stdin)
	root.SetOut(stdio.Stdout)
	root.SetErr(stdio.Stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stdio.Stderr, "boomerang:", err)
		if ee, ok := errors.AsType[*exitError](err); ok {
			return ee.code
		}
		return 1
	}
	return 0
}

func newRoot(stdio IO) *cobra.Command {
	root := &cobra.Command{
		Use:           "boomerang",
		Short:         "Retention automation for online stores",
		Long:          "Boomerang turns Shopify, WooCommerce and BigCommerce webhooks into retention flows\nthat send email through SendGrid and SMS through Twilio.\n\nEvery setting is an environment variable and a flag named after it (see README.md).",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newServe(stdio, "serve", "Run every role in one process (embedded JetStream when NATS_URL is unset)"),
		newServe(stdio, "ingest", "Run the ingest role: webhooks in, canonical events onto JetStream"),
		newServe(stdio, "process", "Run the processor role: flows, runs and timers (needs NATS_URL and REDIS_URL)"),
		newServe(stdio, "send", "Run the sender role: OUTBOX to SendGrid and Twilio, unsubscribe pages, the outbox API"),
		newNormalize(stdio),
		newFlows(stdio),
		newRender(stdio),
		newPredict(stdio),
		newRecommend(stdio),
		newReplay(stdio),
		newExplain(stdio),
		newVersion(stdio),
	)
	return root
}

// Version is the build's version, set with -ldflags "-X ...cli.Version=...".
var Version = "dev"

func newVersion(stdio IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(stdio.Stdout, "boomerang", Version)
			return err
		},
	}
}
