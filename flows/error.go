package flows

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Error is one mistake in a flow file, with the line it is on.
type Error struct {
	// File is the file's path (or "builtin/<name>" for the library).
	File string
	// Line is 1-based; 0 when the mistake has no line (a flow built in Go,
	// a file that cannot be read).
	Line int
	// Message says what is wrong, in plain words.
	Message string
}

// Error returns "file:line: message" ("file: message" without a line).
func (e Error) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Message
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Message
}

// Errors is a list of mistakes; Compile returns it as its error.
type Errors []Error

// Error returns one "file:line: message" per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sortErrors orders errors by file, then line, keeping the order of errors
// on one line.
func sortErrors(es []Error) {
	slices.SortStableFunc(es, func(a, b Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}
