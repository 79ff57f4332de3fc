package agekey

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/yamlnode"
)

// Generate returns a new age identity.
func Generate() (*age.X25519Identity, error) { return age.GenerateX25519Identity() }

// KeyFile is the private key file's content, in age-keygen's format.
func KeyFile(id *age.X25519Identity, now time.Time) []byte {
	return []byte(fmt.Sprintf("# created: %s\n# public key: %s\n%s\n",
		now.UTC().Format(time.RFC3339), id.Recipient(), id))
}

// Inside reports whether path is repo or under it, following symlinks of
// the parts that exist.
func Inside(path, repo string) (bool, error) {
	p, err := resolve(path)
	if err != nil {
		return false, err
	}
	r, err := resolve(repo)
	if err != nil {
		return false, err
	}
	rel, err := filepath.Rel(r, p)
	if err != nil {
		return false, nil
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))), nil
}

// resolve makes p absolute and resolves symlinks in its longest existing
// prefix.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for cur := abs; ; {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(real, rest), nil
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// WritePrivate writes the key file to path with mode 0600, refusing a
// path inside repo and an existing file.
func WritePrivate(path, repo string, data []byte) error {
	in, err := Inside(path, repo)
	if err != nil {
		return err
	}
	if in {
		return fmt.Errorf("%s is inside the fleet repository %s: a private key must never be committed; choose a path outside it (--out)", path, repo)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists: keep it, or move it away to make a new key", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// Recipient returns spec.secrets.ageRecipient of a site file, or "".
func Recipient(siteYAML []byte) (string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(siteYAML, &doc); err != nil {
		return "", err
	}
	n := yamlnode.Lookup(&doc, "spec", "secrets", "ageRecipient")
	if n == nil {
		return "", nil
	}
	return n.Value, nil
}

// SetRecipient sets spec.secrets.ageRecipient in a site file, keeping its
// comments and key order.
func SetRecipient(siteYAML []byte, recipient string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(siteYAML, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a YAML mapping")
	}
	spec := child(doc.Content[0], "spec", true)
	secrets := child(spec, "secrets", true)
	// A "# secrets: ..." placeholder comment is replaced by the real key.
	spec.FootComment = ""
	if n := len(spec.Content); n > 0 {
		spec.Content[n-1].FootComment = ""
	}
	doc.Content[0].FootComment = ""
	r := child(secrets, "ageRecipient", false)
	if r == nil {
		secrets.Content = append(secrets.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "ageRecipient"},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: recipient})
	} else {
		r.Value, r.Style, r.Tag, r.Kind = recipient, 0, "!!str", yaml.ScalarNode
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// child returns the value of key in mapping m, creating an empty mapping
// there when create is set.
func child(m *yaml.Node, key string, create bool) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if create && v.Kind != yaml.MappingNode {
				*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			return v
		}
	}
	if !create {
		return nil
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	return v
}
