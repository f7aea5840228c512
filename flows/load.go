package flows

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// LoadDir parses and validates every *.yaml and *.yml file directly in dir
// (not in subdirectories; names starting with '.' are skipped) and returns
// the flows without mistakes, sorted by id, each with Source its path. Two
// files with the same flow id are a mistake in the second (by file name).
func LoadDir(dir string) ([]*Flow, []Error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, []Error{{File: dir, Message: fmt.Sprintf("cannot read the flows directory: %v", err)}}
	}
	var (
		out  []*Flow
		errs []Error
		byID = map[string]*Flow{}
	)
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if e.IsDir() || strings.HasPrefix(name, ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		file := filepath.Join(dir, name)
		f, ferrs := ParseFile(file)
		if len(ferrs) > 0 {
			errs = append(errs, ferrs...)
			continue
		}
		if prev, dup := byID[f.ID]; dup {
			errs = append(errs, Error{
				File: file, Line: f.lines["id"],
				Message: fmt.Sprintf("flow id %q is already used by %s", f.ID, prev.Source),
			})
			continue
		}
		byID[f.ID] = f
		out = append(out, f)
	}
	sortFlows(out)
	return out, errs
}

// ParseFile reads and parses one flow file (Parse, with Source the path).
func ParseFile(file string) (*Flow, []Error) {
	fh, err := os.Open(file)
	if err != nil {
		return nil, []Error{{File: file, Message: fmt.Sprintf("cannot read: %v", err)}}
	}
	defer func() { _ = fh.Close() }()
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileBytes+1))
	if err != nil {
		return nil, []Error{{File: file, Message: fmt.Sprintf("cannot read: %v", err)}}
	}
	return Parse(file, data)
}

// Load returns the flows to run: the built-in library, with each valid
// file of dir replacing the built-in flow of the same id or adding a new
// one, sorted by id. An empty dir means the library alone. Files with
// mistakes are left out and their errors returned.
func Load(dir string) ([]*Flow, []Error) {
	lib, err := Library()
	if err != nil {
		return nil, []Error{{File: SourceBuiltin, Message: err.Error()}}
	}
	if dir == "" {
		return lib, nil
	}
	files, errs := LoadDir(dir)
	byID := map[string]*Flow{}
	for _, f := range lib {
		byID[f.ID] = f
	}
	for _, f := range files {
		byID[f.ID] = f
	}
	out := make([]*Flow, 0, len(byID))
	for _, f := range byID {
		out = append(out, f)
	}
	sortFlows(out)
	return out, errs
}

func sortFlows(fs []*Flow) {
	slices.SortFunc(fs, func(a, b *Flow) int { return cmp.Compare(a.ID, b.ID) })
}
