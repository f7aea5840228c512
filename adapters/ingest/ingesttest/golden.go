package ingesttest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
)

// UpdateEnv is the environment variable that rewrites golden files:
// UPDATE_GOLDEN=1 go test ./adapters/...
const UpdateEnv = "UPDATE_GOLDEN"

// Golden compares got with the file at path, or writes got there when
// UPDATE_GOLDEN=1 is set. A missing golden file fails the test.
func Golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv(UpdateEnv) == "1" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatalf("creating golden dir: %v", err)
		}
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatalf("writing golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with %s=1 to create it): %v", UpdateEnv, err)
	}
	if !bytes.Equal(want, got) {
		t.Fatalf("%s differs from the output (run with %s=1 to accept):\n--- want\n%s\n--- got\n%s", path, UpdateEnv, want, got)
	}
}

// JSONLines renders a Result's messages the way `boomerang normalize`
// prints them, indented for readable golden files: one JSON value per
// message, each preceded by a comment-free header line with its subject and
// message id.
func JSONLines(t *testing.T, res *ingest.Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, m := range res.Messages {
		b, err := json.MarshalIndent(struct {
			Subject string `json:"subject"`
			MsgID   string `json:"msg_id"`
			Value   any    `json:"value"`
		}{m.Subject, m.MsgID, m.Value}, "", "  ")
		if err != nil {
			t.Fatalf("marshalling message: %v", err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}
