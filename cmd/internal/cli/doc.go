// Package cli wires Boomerang's roles into the `boomerang` command. It takes
// its input, output, environment and context as arguments, so every command
// runs in tests exactly as it runs from a shell.
package cli
