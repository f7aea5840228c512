package deploytest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// kustomizeVersion is the version make kustomize pins (v5.8.3 needs Go 1.27).
const kustomizeVersion = "v5.8.2"

// kustomizePath is the binary make kustomize installs, relative to this package.
var kustomizePath = filepath.Join("..", "..", "bin", "kustomize")

// errNoKustomize is returned when bin/kustomize is missing.
var errNoKustomize = errors.New("bin/kustomize is missing: run `make kustomize` (installs sigs.k8s.io/kustomize/kustomize/v5@" + kustomizeVersion + " into bin/)")

// renders caches each overlay's `kustomize build` output for the tests of one run.
var renders sync.Map // overlay name -> func() ([]byte, error)

// build runs `kustomize build` on deploy/overlays/<overlay> with the binary bin.
func build(ctx context.Context, bin, overlay string) ([]byte, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%w (%w)", errNoKustomize, err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "build", filepath.Join("..", "overlays", overlay))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("kustomize build overlays/%s: %w: %s", overlay, err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// render returns the overlay's rendered YAML, building it once per test binary run.
func render(t *testing.T, overlay string) []byte {
	t.Helper()
	f, _ := renders.LoadOrStore(overlay, sync.OnceValues(func() ([]byte, error) {
		return build(t.Context(), kustomizePath, overlay)
	}))
	out, err := f.(func() ([]byte, error))()
	require.NoError(t, err)
	return out
}
