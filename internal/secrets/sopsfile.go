package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	sopsage "github.com/getsops/sops/v3/age"
	"gopkg.in/yaml.v3"
)

// This file reads and writes the SOPS file format (YAML store, age
// recipients) without the SOPS root package, whose key services pull in
// every cloud KMS client. The age key wrapping and the identity lookup are
// SOPS's own (github.com/getsops/sops/v3/age); the tree walk, the value
// cipher, the MAC and the metadata block follow sops v3.11's sops.go,
// aes/cipher.go and stores/ so that sops and kustomize-controller read what
// this writes and this reads what they write.

// sopsFormatVersion is the SOPS release whose file format is written.
const sopsFormatVersion = "3.11.0"

// defaultUnencryptedSuffix is what SOPS assumes when a file names no
// encryption rule.
const defaultUnencryptedSuffix = "_unencrypted"

// metadataKey is the top-level key holding the SOPS metadata.
const metadataKey = "sops"

// macOnlyEncryptedInit seeds the MAC of files with mac_only_encrypted
// (sops.MACOnlyEncryptedInitialization).
var macOnlyEncryptedInit = []byte{0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0xb, 0xb, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69}

// ivSize is the AES-GCM nonce length SOPS uses.
const ivSize = 32

// metadata is the "sops" block, field for field and in the order of SOPS's
// stores.Metadata, so it marshals to the same YAML.
type metadata struct {
	ShamirThreshold         int            `yaml:"shamir_threshold,omitempty"`
	KeyGroups               []keyGroup     `yaml:"key_groups,omitempty"`
	KMSKeys                 []yaml.Node    `yaml:"kms,omitempty"`
	GCPKMSKeys              []yaml.Node    `yaml:"gcp_kms,omitempty"`
	AzureKeyVaultKeys       []yaml.Node    `yaml:"azure_kv,omitempty"`
	VaultKeys               []yaml.Node    `yaml:"hc_vault,omitempty"`
	AgeKeys                 []ageKeyRecord `yaml:"age,omitempty"`
	LastModified            string         `yaml:"lastmodified"`
	MAC                     string         `yaml:"mac"`
	PGPKeys                 []yaml.Node    `yaml:"pgp,omitempty"`
	UnencryptedSuffix       string         `yaml:"unencrypted_suffix,omitempty"`
	EncryptedSuffix         string         `yaml:"encrypted_suffix,omitempty"`
	UnencryptedRegex        string         `yaml:"unencrypted_regex,omitempty"`
	EncryptedRegex          string         `yaml:"encrypted_regex,omitempty"`
	UnencryptedCommentRegex string         `yaml:"unencrypted_comment_regex,omitempty"`
	EncryptedCommentRegex   string         `yaml:"encrypted_comment_regex,omitempty"`
	MACOnlyEncrypted        bool           `yaml:"mac_only_encrypted,omitempty"`
	Version                 string         `yaml:"version"`
}

type keyGroup struct {
	PGPKeys           []yaml.Node    `yaml:"pgp,omitempty"`
	KMSKeys           []yaml.Node    `yaml:"kms,omitempty"`
	GCPKMSKeys        []yaml.Node    `yaml:"gcp_kms,omitempty"`
	AzureKeyVaultKeys []yaml.Node    `yaml:"azure_kv,omitempty"`
	VaultKeys         []yaml.Node    `yaml:"hc_vault"`
	AgeKeys           []ageKeyRecord `yaml:"age"`
}

type ageKeyRecord struct {
	Recipient        string `yaml:"recipient"`
	EncryptedDataKey string `yaml:"enc"`
}

// rules decides which values are encrypted (sops.Tree.shouldBeEncrypted
// for files without comment rules).
type rules struct {
	unencryptedSuffix, encryptedSuffix string
	unencryptedRegex, encryptedRegex   *regexp.Regexp
	macOnlyEncrypted                   bool
}

func (m *metadata) rules() (rules, error) {
	if m.UnencryptedCommentRegex != "" || m.EncryptedCommentRegex != "" {
		return rules{}, errors.New("the file selects values by comment (encrypted_comment_regex or unencrypted_comment_regex), which hubfleet does not read: decrypt it with the sops CLI and let hubfleet write it again")
	}
	n := 0
	for _, s := range []string{m.UnencryptedSuffix, m.EncryptedSuffix, m.UnencryptedRegex, m.EncryptedRegex} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return rules{}, errors.New("the sops metadata sets more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex and unencrypted_regex")
	}
	r := rules{unencryptedSuffix: m.UnencryptedSuffix, encryptedSuffix: m.EncryptedSuffix, macOnlyEncrypted: m.MACOnlyEncrypted}
	if n == 0 {
		r.unencryptedSuffix = defaultUnencryptedSuffix
	}
	var err error
	if m.UnencryptedRegex != "" {
		if r.unencryptedRegex, err = regexp.Compile(m.UnencryptedRegex); err != nil {
			return rules{}, fmt.Errorf("sops metadata unencrypted_regex: %w", err)
		}
	}
	if m.EncryptedRegex != "" {
		if r.encryptedRegex, err = regexp.Compile(m.EncryptedRegex); err != nil {
			return rules{}, fmt.Errorf("sops metadata encrypted_regex: %w", err)
		}
	}
	return r, nil
}

func (r rules) encrypted(path []string) bool {
	enc := true
	if r.unencryptedSuffix != "" {
		for _, p := range path {
			if strings.HasSuffix(p, r.unencryptedSuffix) {
				enc = false
				break
			}
		}
	}
	if r.encryptedSuffix != "" {
		enc = false
		for _, p := range path {
			if strings.HasSuffix(p, r.encryptedSuffix) {
				enc = true
				break
			}
		}
	}
	if r.unencryptedRegex != nil {
		for _, p := range path {
			if r.unencryptedRegex.MatchString(p) {
				enc = false
				break
			}
		}
	}
	if r.encryptedRegex != nil {
		enc = false
		for _, p := range path {
			if r.encryptedRegex.MatchString(p) {
				enc = true
				break
			}
		}
	}
	return enc
}

// A tree is one YAML document as SOPS holds it: ordered mappings
// (branch), sequences ([]any) and scalars (string, int, float64, bool,
// nil). Comments are dropped: they are neither in the MAC nor in a Secret.
type branch []item

type item struct {
	key   string
	value any
}

func (b branch) get(key string) (any, bool) {
	for _, it := range b {
		if it.key == key {
			return it.value, true
		}
	}
	return nil, false
}

// nodeToValue converts a YAML node as SOPS's YAML store does.
func nodeToValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return branch{}, nil
		}
		return nodeToValue(n.Content[0])
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeToValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(branch, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			var k any
			if err := n.Content[i].Decode(&k); err != nil {
				return nil, fmt.Errorf("line %d: %w", n.Content[i].Line, err)
			}
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("line %d: key %v is not a string (SOPS supports string keys only)", n.Content[i].Line, k)
			}
			v, err := nodeToValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out = append(out, item{key: ks, value: v})
		}
		return out, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	case yaml.AliasNode:
		return nodeToValue(n.Alias)
	}
	return nil, nil
}

// valueToNode converts a tree value back to a YAML node as SOPS's YAML
// store does, so the output is formatted as sops formats it.
func valueToNode(v any) (*yaml.Node, error) {
	switch v := v.(type) {
	case branch:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, it := range v {
			k := &yaml.Node{}
			if err := k.Encode(it.key); err != nil {
				return nil, err
			}
			val, err := valueToNode(it.value)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, k, val)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range v {
			c, err := valueToNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	default:
		n := &yaml.Node{}
		if err := n.Encode(v); err != nil {
			return nil, err
		}
		return n, nil
	}
}

// walk visits every scalar leaf in SOPS's order with the path of mapping
// keys leading to it (sequence items share their parent's path) and
// replaces it with what leaf returns. Nil values are not visited.
func walk(v any, path []string, leaf func(v any, path []string) (any, error)) (any, error) {
	switch x := v.(type) {
	case branch:
		for i := range x {
			nv, err := walk(x[i].value, append(path[:len(path):len(path)], x[i].key), leaf)
			if err != nil {
				return nil, err
			}
			x[i].value = nv
		}
		return x, nil
	case []any:
		for i := range x {
			nv, err := walk(x[i], path, leaf)
			if err != nil {
				return nil, err
			}
			x[i] = nv
		}
		return x, nil
	case nil:
		return nil, nil
	case string, int, float64, bool, time.Time:
		return leaf(x, path)
	default:
		return nil, fmt.Errorf("%s: value of unsupported type %T", strings.Join(path, "."), v)
	}
}

// toBytes is sops.ToBytes: what the MAC hashes and the cipher encrypts.
func toBytes(v any) ([]byte, string, error) {
	switch v := v.(type) {
	case string:
		return []byte(v), "str", nil
	case int:
		return []byte(strconv.Itoa(v)), "int", nil
	case float64:
		return []byte(strconv.FormatFloat(v, 'f', -1, 64)), "float", nil
	case bool:
		if v {
			return []byte("True"), "bool", nil
		}
		return []byte("False"), "bool", nil
	case time.Time:
		b, err := v.MarshalText()
		return b, "time", err
	}
	return nil, "", fmt.Errorf("cannot convert a value of type %T", v)
}

var encryptedValue = regexp.MustCompile(`^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]`)

// encryptValue is SOPS's AES-GCM value cipher: a 32-byte random nonce, the
// path (or the MAC's timestamp) as additional data.
func encryptValue(v any, key []byte, aad string) (string, error) {
	plain, typ, err := toBytes(v)
	if err != nil {
		return "", err
	}
	if typ == "str" && len(plain) == 0 {
		return "", nil
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCMWithNonceSize(block, ivSize)
	if err != nil {
		return "", err
	}
	iv := make([]byte, ivSize)
	if _, err := rand.Read(iv); err != nil {
		return "", fmt.Errorf("generate nonce: %w", err)
	}
	out := gcm.Seal(nil, iv, plain, []byte(aad))
	n := len(out) - gcm.Overhead()
	return fmt.Sprintf("ENC[AES256_GCM,data:%s,iv:%s,tag:%s,type:%s]",
		base64.StdEncoding.EncodeToString(out[:n]),
		base64.StdEncoding.EncodeToString(iv),
		base64.StdEncoding.EncodeToString(out[n:]),
		typ), nil
}

func decryptValue(s string, key []byte, aad string) (any, error) {
	if s == "" {
		return "", nil
	}
	m := encryptedValue.FindStringSubmatch(s)
	if m == nil {
		return nil, errors.New("the value is not in SOPS's ENC[AES256_GCM,...] form")
	}
	var parts [3][]byte
	for i := range parts {
		b, err := base64.StdEncoding.DecodeString(m[i+1])
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", [3]string{"data", "iv", "tag"}[i], err)
		}
		parts[i] = b
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCMWithNonceSize(block, len(parts[1]))
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, parts[1], append(parts[0], parts[2]...), []byte(aad))
	if err != nil {
		return nil, errors.New("AES-GCM authentication failed (wrong key, or the value was changed or moved)")
	}
	switch m[4] {
	case "str":
		return string(plain), nil
	case "int":
		return strconv.Atoi(string(plain))
	case "float":
		return strconv.ParseFloat(string(plain), 64)
	case "bytes":
		return string(plain), nil
	case "bool":
		return strconv.ParseBool(string(plain))
	case "time":
		var t time.Time
		err := t.UnmarshalText(plain)
		return t, err
	case "comment":
		return string(plain), nil
	}
	return nil, fmt.Errorf("unknown SOPS value type %q", m[4])
}

// encryptFile encrypts a plain YAML document for the age recipients, as
// `sops --encrypt --age <recipients> --encrypted-regex <regex>
// --indent 2` does.
func encryptFile(plain []byte, recipients []string, meta metadata, now time.Time) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(plain, &doc); err != nil {
		return nil, fmt.Errorf("parse the plain document: %w", err)
	}
	v, err := nodeToValue(&doc)
	if err != nil {
		return nil, err
	}
	tree, ok := v.(branch)
	if !ok {
		return nil, errors.New("the plain document is not a mapping")
	}
	if _, ok := tree.get(metadataKey); ok {
		return nil, errors.New("the document already has a sops key: it is encrypted")
	}
	rl, err := meta.rules()
	if err != nil {
		return nil, err
	}

	dataKey := make([]byte, 32)
	if _, err := rand.Read(dataKey); err != nil {
		return nil, fmt.Errorf("generate data key: %w", err)
	}
	keys, err := sopsage.MasterKeysFromRecipients(strings.Join(recipients, ","))
	if err != nil {
		return nil, fmt.Errorf("parsing age recipients: %w", err)
	}
	for _, k := range keys {
		if err := k.Encrypt(dataKey); err != nil {
			return nil, fmt.Errorf("encrypting the data key for %s: %w", k.Recipient, err)
		}
		meta.AgeKeys = append(meta.AgeKeys, ageKeyRecord{Recipient: k.Recipient, EncryptedDataKey: k.EncryptedKey})
	}

	mac := sha512.New()
	if rl.macOnlyEncrypted {
		mac.Write(macOnlyEncryptedInit)
	}
	if _, err := walk(tree, nil, func(v any, path []string) (any, error) {
		enc := rl.encrypted(path)
		if !rl.macOnlyEncrypted || enc {
			b, _, err := toBytes(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", strings.Join(path, "."), err)
			}
			mac.Write(b)
		}
		if !enc {
			return v, nil
		}
		return encryptValue(v, dataKey, strings.Join(path, ":")+":")
	}); err != nil {
		return nil, fmt.Errorf("encrypting: %w", err)
	}
	lastModified := now.UTC().Truncate(time.Second).Format(time.RFC3339)
	meta.LastModified = lastModified
	if meta.MAC, err = encryptValue(fmt.Sprintf("%X", mac.Sum(nil)), dataKey, lastModified); err != nil {
		return nil, fmt.Errorf("encrypting the MAC: %w", err)
	}

	root, err := valueToNode(tree)
	if err != nil {
		return nil, err
	}
	metaKey, metaVal := &yaml.Node{}, &yaml.Node{}
	if err := metaKey.Encode(metadataKey); err != nil {
		return nil, err
	}
	if err := metaVal.Encode(meta); err != nil {
		return nil, err
	}
	root.Content = append(root.Content, metaKey, metaVal)
	var out bytes.Buffer
	if err := encodeNode(&out, root); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// encodeNode writes one YAML document indented by two spaces (sops
// --indent 2, the indentation of the Secrets hubfleet writes).
func encodeNode(w io.Writer, root *yaml.Node) error {
	e := yaml.NewEncoder(w)
	e.SetIndent(2)
	if err := e.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return err
	}
	return e.Close()
}

// decryptFile decrypts a single-document SOPS YAML file and verifies its
// MAC, as `sops --decrypt` does. The age identity is found as the sops
// CLI finds it (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, SSH
// keys, the user's sops/age/keys.txt).
func decryptFile(enc []byte) (branch, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(enc))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("the file holds more than one YAML document; hubfleet writes one Secret per file")
	}
	v, err := nodeToValue(&doc)
	if err != nil {
		return nil, err
	}
	tree, ok := v.(branch)
	if !ok {
		return nil, errors.New("the file is not a YAML mapping")
	}
	var holder struct {
		Sops *metadata `yaml:"sops"`
	}
	if err := yaml.Unmarshal(enc, &holder); err != nil {
		return nil, fmt.Errorf("sops metadata: %w", err)
	}
	if holder.Sops == nil {
		return nil, errors.New("the file has no sops metadata: it is not SOPS-encrypted")
	}
	meta := holder.Sops
	var body branch
	for _, it := range tree {
		if it.key != metadataKey {
			body = append(body, it)
		}
	}
	lastModified, err := time.Parse(time.RFC3339, meta.LastModified)
	if err != nil {
		return nil, fmt.Errorf("sops metadata lastmodified: %w", err)
	}
	rl, err := meta.rules()
	if err != nil {
		return nil, err
	}
	dataKey, err := meta.dataKey()
	if err != nil {
		return nil, err
	}
	mac := sha512.New()
	if rl.macOnlyEncrypted {
		mac.Write(macOnlyEncryptedInit)
	}
	if _, err := walk(body, nil, func(v any, path []string) (any, error) {
		enc := rl.encrypted(path)
		if enc {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s: value should be encrypted but is a %T", strings.Join(path, "."), v)
			}
			if v, err = decryptValue(s, dataKey, strings.Join(path, ":")+":"); err != nil {
				return nil, fmt.Errorf("%s: %w", strings.Join(path, "."), err)
			}
		}
		if !rl.macOnlyEncrypted || enc {
			b, _, err := toBytes(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", strings.Join(path, "."), err)
			}
			mac.Write(b)
		}
		return v, nil
	}); err != nil {
		return nil, fmt.Errorf("decrypting: %w", err)
	}
	want, err := decryptValue(meta.MAC, dataKey, lastModified.Format(time.RFC3339))
	if err != nil {
		return nil, fmt.Errorf("decrypting the MAC: %w", err)
	}
	if want != fmt.Sprintf("%X", mac.Sum(nil)) {
		return nil, errors.New("the MAC does not match the values: the file was changed after it was encrypted")
	}
	return body, nil
}

// dataKey recovers the data key with the first age recipient whose
// identity is available.
func (m *metadata) dataKey() ([]byte, error) {
	records := m.AgeKeys
	if len(m.KeyGroups) > 1 {
		return nil, errors.New("the file splits its data key over several key groups (Shamir), which hubfleet does not read: decrypt it with the sops CLI")
	}
	if len(m.KeyGroups) == 1 {
		records = append(records, m.KeyGroups[0].AgeKeys...)
	}
	if len(records) == 0 {
		return nil, errors.New("the file has no age recipient; hubfleet decrypts with age keys only")
	}
	var errs []error
	for _, r := range records {
		k := &sopsage.MasterKey{Recipient: r.Recipient, EncryptedKey: r.EncryptedDataKey}
		key, err := k.Decrypt()
		if err == nil {
			if len(key) != 32 {
				return nil, fmt.Errorf("the data key for %s has %d bytes, want 32", r.Recipient, len(key))
			}
			return key, nil
		}
		errs = append(errs, fmt.Errorf("age recipient %s: %w", r.Recipient, err))
	}
	return nil, fmt.Errorf("no age identity decrypts the data key: %w", errors.Join(errs...))
}
