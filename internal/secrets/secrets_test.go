package secrets

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/getsops/sops/v3/decrypt"
	"sigs.k8s.io/yaml"
)

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
	}
	stranger, _ := age.GenerateX25519Identity()
	t.Setenv("SOPS_AGE_KEY", stranger.String())
	if _, err := decrypt.Data(enc, "yaml"); err == nil {
		t.Error("a key that is not a recipient decrypted the secret")
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
