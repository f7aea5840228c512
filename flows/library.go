package flows

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
)

// SourceBuiltin is the Source of the library's flows.
const SourceBuiltin = "builtin"

// libraryFS holds the built-in flows (docs/flows.md describes each).
//
//go:embed library/*.yaml
var libraryFS embed.FS

// Library returns the built-in flows, freshly parsed (callers may change
// them), sorted by id, each with Source "builtin". Errors name the files as
// flows/library/<name>.yaml.
func Library() ([]*Flow, error) {
	names, err := fs.Glob(libraryFS, "library/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("listing the flow library: %w", err)
	}
	out := make([]*Flow, 0, len(names))
	for _, name := range names {
		data, err := libraryFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading the flow library: %w", err)
		}
		f, errs := Parse(path.Join("flows", name), data)
		if len(errs) > 0 {
			return nil, fmt.Errorf("built-in flow: %w", Errors(errs))
		}
		f.Source = SourceBuiltin
		out = append(out, f)
	}
	sortFlows(out)
	return out, nil
}
