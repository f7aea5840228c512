// Command boomerang is Boomerang's one binary: every role is a subcommand.
// See README.md, or run `boomerang help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/boomerang-dev/boomerang/cmd/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
