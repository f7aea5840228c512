package cli

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// secretKeyFile is the generated BOOMERANG_SECRET_KEY under the data dir.
const secretKeyFile = "secret.key"

// loadOrCreateSecretKey returns the key in dataDir/secret.key, creating it
// (32 random bytes, hex) on first use, so `serve` keeps one key across
// restarts.
func loadOrCreateSecretKey(dataDir string) (string, error) {
	path := filepath.Join(dataDir, secretKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if k := strings.TrimSpace(string(b)); k != "" {
			return k, nil
		}
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generating secret key: %w", err)
	}
	key := hex.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return "", fmt.Errorf("creating data dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return key, nil
}

// derive returns a purpose-specific secret from the secret key, so the demo
// shop's webhook secret stays the same across restarts without being the
// key itself.
func derive(key, purpose string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(purpose))
	return hex.EncodeToString(m.Sum(nil))[:32]
}
