package shop

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// Platforms the shops file accepts.
var platforms = map[string]bool{
	event.PlatformShopify:     true,
	event.PlatformWooCommerce: true,
	event.PlatformBigCommerce: true,
}

// file is the shops file's top level.
type file struct {
	Shops []*Shop `yaml:"shops"`
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// LoadFile reads the shops file at path. See Parse.
func LoadFile(path string, getenv func(string) string) (*Registry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading shops file: %w", err)
	}
	r, err := Parse(b, getenv)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	return r, nil
}

// Parse decodes a shops file. Every ${VAR} in a value is replaced by
// getenv(VAR); a reference to an unset variable is an error, so a missing
// Kubernetes Secret is caught at start and not at the first webhook.
// Errors start with the line number ("12: ...").
func Parse(b []byte, getenv func(string) string) (*Registry, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("0: %w", err)
	}
	if err := expand(&root, getenv); err != nil {
		return nil, err
	}
	var f file
	if err := root.Decode(&f); err != nil {
		return nil, fmt.Errorf("0: %w", err)
	}
	var errs []error
	shopsNode := findKey(&root, "shops")
	for i, s := range f.Shops {
		line := 0
		if shopsNode != nil && i < len(shopsNode.Content) {
			line = shopsNode.Content[i].Line
			applyDefaults(shopsNode.Content[i], s)
		}
		if err := s.validate(); err != nil {
			errs = append(errs, fmt.Errorf("%d: shop %d: %w", line, i+1, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return NewRegistry(f.Shops...)
}

func (s *Shop) validate() error {
	if !event.ValidShopID(s.ID) {
		return fmt.Errorf("id %q must be 1-64 lowercase letters, digits, '-' or '_'", s.ID)
	}
	if !platforms[s.Platform] {
		return fmt.Errorf("%s: platform %q must be shopify, woocommerce or bigcommerce", s.ID, s.Platform)
	}
	if s.Domain == "" {
		return fmt.Errorf("%s: domain is required", s.ID)
	}
	if s.Timezone != "" {
		if _, err := time.LoadLocation(s.Timezone); err != nil {
			return fmt.Errorf("%s: timezone %q: %w", s.ID, s.Timezone, err)
		}
	}
	if s.SmartSending.Email < 0 || s.SmartSending.SMS < 0 {
		return fmt.Errorf("%s: smart_sending windows cannot be negative", s.ID)
	}
	return s.validateAccounts()
}

// expand replaces ${VAR} references in every scalar value below n.
func expand(n *yaml.Node, getenv func(string) string) error {
	var errs []error
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
			n.Value = varRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
				name := varRef.FindStringSubmatch(ref)[1]
				v := getenv(name)
				if v == "" {
					errs = append(errs, fmt.Errorf("%d: environment variable %s is not set", n.Line, name))
				}
				return v
			})
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return errors.Join(errs...)
}

// findKey returns the value node of key in the document's top mapping.
func findKey(root *yaml.Node, key string) *yaml.Node {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// Smart-sending windows when the shops file names none; an explicit 0s
// turns smart sending off.
const (
	DefaultSmartSendingEmail = 16 * time.Hour
	DefaultSmartSendingText  = 24 * time.Hour // the SMS window
)

// applyDefaults fills the settings a shop's YAML leaves out.
func applyDefaults(n *yaml.Node, s *Shop) {
	ss := mappingValue(n, "smart_sending")
	if mappingValue(ss, "email") == nil {
		s.SmartSending.Email = DefaultSmartSendingEmail
	}
	if mappingValue(ss, "sms") == nil {
		s.SmartSending.SMS = DefaultSmartSendingText
	}
}

// mappingValue returns the value node of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
