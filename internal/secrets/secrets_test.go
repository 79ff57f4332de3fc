package secrets

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/getsops/sops/v3"
	sopsaes "github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/decrypt"
	sopsyaml "github.com/getsops/sops/v3/stores/yaml"
	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// The SOPS library appears only in these tests: it is the reference the
// package's own SOPS format code is checked against, and it never enters
// the hubfleet binary.

func TestEncryptRoundTripsThroughSOPS(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	other, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	value := []byte("a-client-secret-0123456789")
	enc, err := Encrypt(Secret{Name: "oauth-client-secret", Namespace: "daskhub", Key: "client_secret", Value: value},
		[]string{id.Recipient().String(), other.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(enc, value) {
		t.Fatal("the encrypted file holds the secret in plain text")
	}
	for _, want := range []string{"kind: Secret", "name: oauth-client-secret", "namespace: daskhub", "client_secret: ENC[AES256_GCM,", "encrypted_regex: ^(data|stringData)$"} {
		if !strings.Contains(string(enc), want) {
			t.Errorf("encrypted file lacks %q (kustomize and Flux must read its metadata):\n%s", want, enc)
		}
	}
	for _, key := range []*age.X25519Identity{id, other} {
		t.Setenv("SOPS_AGE_KEY", key.String())
		plain, err := decrypt.Data(enc, "yaml")
		if err != nil {
			t.Fatalf("sops cannot decrypt with recipient %s: %v", key.Recipient(), err)
		}
		var sec struct {
			StringData map[string]string `json:"stringData"`
		}
		if err := yaml.Unmarshal(plain, &sec); err != nil {
			t.Fatal(err)
		}
		if sec.StringData["client_secret"] != string(value) {
			t.Errorf("decrypted %q", sec.StringData["client_secret"])
		}
		got, err := Decrypt(enc)
		if err != nil {
			t.Fatalf("Decrypt with recipient %s: %v", key.Recipient(), err)
		}
		if diff := cmp.Diff(map[string]string{"client_secret": string(value)}, got); diff != "" {
			t.Errorf("Decrypt (-want +got):\n%s", diff)
		}
	}
	stranger, _ := age.GenerateX25519Identity()
	t.Setenv("SOPS_AGE_KEY", stranger.String())
	if _, err := decrypt.Data(enc, "yaml"); err == nil {
		t.Error("a key that is not a recipient decrypted the secret")
	}
	if _, err := Decrypt(enc); err == nil || !strings.Contains(err.Error(), "no age identity decrypts the data key") {
		t.Errorf("Decrypt with a stranger's key: err = %v", err)
	}
}

// TestDecryptsFilesWrittenBefore reads files the previous implementation
// (the SOPS library's EncryptTree and YAML store, sops 3.11.0) wrote and
// that are committed in testdata with a test-only identity.
func TestDecryptsFilesWrittenBefore(t *testing.T) {
	key, err := os.ReadFile(filepath.Join("testdata", "test-only-identity.agekey"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOPS_AGE_KEY", string(key))
	for file, want := range map[string]map[string]string{
		"oauth-client-secret.sops-3.11.sops.yaml": {"client_secret": "fixture-client-secret-0123456789"},
		"hubfleet-secrets.sops-3.11.sops.yaml":    {"client_secret": "fixture-one", "proxy_token": "fixture-two: with colon", "yes": "true"},
	} {
		t.Run(file, func(t *testing.T) {
			enc, err := os.ReadFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decrypt(enc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// The identity file read the way the sops CLI and kustomize-controller
	// users point at it.
	t.Setenv("SOPS_AGE_KEY", "")
	os.Unsetenv("SOPS_AGE_KEY")
	t.Setenv("SOPS_AGE_KEY_FILE", filepath.Join("testdata", "test-only-identity.agekey"))
	enc, _ := os.ReadFile(filepath.Join("testdata", "oauth-client-secret.sops-3.11.sops.yaml"))
	if _, err := Decrypt(enc); err != nil {
		t.Errorf("with SOPS_AGE_KEY_FILE: %v", err)
	}
}

// sopsLibraryEncrypt is what EncryptData did with the SOPS library.
func sopsLibraryEncrypt(t *testing.T, plain []byte, recipients []string, regex string, macOnlyEncrypted bool) []byte {
	t.Helper()
	keys, err := sopsage.MasterKeysFromRecipients(strings.Join(recipients, ","))
	if err != nil {
		t.Fatal(err)
	}
	var group sops.KeyGroup
	for _, k := range keys {
		group = append(group, k)
	}
	store := sopsyaml.NewStore(&config.YAMLStoreConfig{Indent: 2})
	branches, err := store.LoadPlainFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	tree := sops.Tree{Branches: branches, Metadata: sops.Metadata{KeyGroups: []sops.KeyGroup{group}, EncryptedRegex: regex, Version: "3.11.0", MACOnlyEncrypted: macOnlyEncrypted}}
	if regex == "" {
		tree.Metadata.UnencryptedSuffix = "_unencrypted"
	}
	dataKey, errs := tree.GenerateDataKey()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	c := sopsaes.NewCipher()
	mac, err := tree.Encrypt(dataKey, c)
	if err != nil {
		t.Fatal(err)
	}
	tree.Metadata.LastModified = time.Now().UTC()
	if tree.Metadata.MessageAuthenticationCode, err = c.Encrypt(mac, dataKey, tree.Metadata.LastModified.Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	out, err := store.EmitEncryptedFile(tree)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	encValue   = regexp.MustCompile(`ENC\[AES256_GCM,data:[^,]*,iv:[^,]*,tag:[^,]*,type:(\w+)\]`)
	ageBlock   = regexp.MustCompile(`(?s)-----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----`)
	lastModRe  = regexp.MustCompile(`lastmodified: "[^"]*"`)
	mixedPlain = []byte(`apiVersion: v1
kind: Secret
metadata:
  name: mixed
  labels:
    app: "1"
    enabled: "true"
type: Opaque
replicas: 3
ratio: 0.5
on: true
nothing: null
list:
  - a
  - 2
stringData:
  token: s3cr3t
  count: 42
  pi: 3.25
  flag: false
  empty: ""
  nested:
    deep: value
    items:
      - one
      - 2
      - true
data:
  key: c2VjcmV0
`)
)

// normalize replaces what is random in an encrypted file (ciphertexts,
// nonces, wrapped keys, the timestamp) so two encryptions compare.
func normalize(b []byte) string {
	s := encValue.ReplaceAllString(string(b), "ENC[$1]")
	s = ageBlock.ReplaceAllString(s, "AGE")
	return lastModRe.ReplaceAllString(s, "lastmodified: T")
}

// TestWritesWhatTheSOPSLibraryWrites compares the package's output with the
// SOPS library's for the same document, byte for byte up to the random
// parts, and checks each decrypts the other's output.
func TestWritesWhatTheSOPSLibraryWrites(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	recipients := []string{id.Recipient().String(), other.Recipient().String()}
	t.Setenv("SOPS_AGE_KEY", id.String())
	for _, tc := range []struct {
		regex   string
		macOnly bool
	}{{EncryptedRegex, false}, {"", false}, {EncryptedRegex, true}} {
		regex := tc.regex
		t.Run(fmt.Sprintf("regex=%s,mac_only_encrypted=%v", regex, tc.macOnly), func(t *testing.T) {
			meta := metadata{EncryptedRegex: regex, Version: sopsFormatVersion, MACOnlyEncrypted: tc.macOnly}
			if regex == "" {
				// No rule given: sops writes its default unencrypted_suffix.
				meta.UnencryptedSuffix = defaultUnencryptedSuffix
			}
			ours, err := encryptFile(mixedPlain, recipients, meta, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			theirs := sopsLibraryEncrypt(t, mixedPlain, recipients, regex, tc.macOnly)
			if diff := cmp.Diff(normalize(theirs), normalize(ours)); diff != "" {
				t.Errorf("output differs from the SOPS library's (-sops +ours):\n%s", diff)
			}
			want, err := decrypt.Data(theirs, "yaml")
			if err != nil {
				t.Fatal(err)
			}
			got, err := decrypt.Data(ours, "yaml")
			if err != nil {
				t.Fatalf("the SOPS library cannot decrypt our file: %v\n%s", err, ours)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("decrypted by sops (-theirs +ours):\n%s", diff)
			}
			for name, f := range map[string][]byte{"ours": ours, "sops": theirs} {
				tree, err := decryptFile(f)
				if err != nil {
					t.Fatalf("decrypting the %s file: %v", name, err)
				}
				var wantTree any
				var doc = []byte(want)
				if err := yaml.Unmarshal(doc, &wantTree); err != nil {
					t.Fatal(err)
				}
				var gotTree any
				root, err := valueToNode(tree)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := encodeNode(&buf, root); err != nil {
					t.Fatal(err)
				}
				if err := yaml.Unmarshal(buf.Bytes(), &gotTree); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantTree, gotTree); diff != "" {
					t.Errorf("decrypting the %s file (-sops +ours):\n%s", name, diff)
				}
			}
		})
	}
}

// TestRefusesTamperedFiles: a changed ciphertext, a value moved to another
// key, or a changed plain field fails, as it does for sops.
func TestRefusesTamperedFiles(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	t.Setenv("SOPS_AGE_KEY", id.String())
	enc, err := EncryptData("s", "daskhub", map[string]string{"a": "value-a", "b": "value-b"}, []string{id.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(enc), "\n")
	var aLine, bLine int
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "  a: "):
			aLine = i
		case strings.HasPrefix(l, "  b: "):
			bLine = i
		}
	}
	swapped := append([]string(nil), lines...)
	swapped[aLine] = "  a: " + strings.TrimPrefix(lines[bLine], "  b: ")
	swapped[bLine] = "  b: " + strings.TrimPrefix(lines[aLine], "  a: ")
	for name, tc := range map[string]struct {
		file string
		want string
	}{
		"value moved to another key": {strings.Join(swapped, "\n"), "AES-GCM authentication failed"},
		"plain field changed":        {strings.Replace(string(enc), "namespace: daskhub", "namespace: other", 1), "MAC does not match"},
		"ciphertext changed":         {strings.Replace(string(enc), "a: ENC[AES256_GCM,data:", "a: ENC[AES256_GCM,data:AA", 1), "stringData.a"},
		"not encrypted":              {"apiVersion: v1\nkind: Secret\nstringData:\n  a: b\n", "no sops metadata"},
		"two documents":              {string(enc) + "---\na: b\n", "more than one YAML document"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Decrypt([]byte(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), "value-a") || strings.Contains(err.Error(), "value-b")) {
				t.Errorf("the error quotes a secret value: %v", err)
			}
		})
	}
	if _, err := Decrypt(enc); err != nil {
		t.Errorf("the untouched file: %v", err)
	}
}

func TestEncryptRefusesWithoutRecipients(t *testing.T) {
	t.Parallel()
	_, err := Encrypt(Secret{Name: "s", Namespace: "n", Key: "k", Value: []byte("v")}, nil)
	if !errors.Is(err, ErrNoRecipients) {
		t.Errorf("err = %v, want ErrNoRecipients", err)
	}
	if _, err := Encrypt(Secret{Name: "s", Namespace: "n", Key: "k", Value: []byte("v")}, []string{"not-a-key"}); err == nil {
		t.Error("an invalid recipient was accepted")
	}
}
