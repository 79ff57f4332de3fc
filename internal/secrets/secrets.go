package secrets

import (
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// EncryptedRegex limits encryption to a Secret's data so kustomize and Flux
// can still read its kind and metadata.
const EncryptedRegex = "^(data|stringData)$"

// ErrNoRecipients is returned when there is no key to encrypt for.
var ErrNoRecipients = errors.New("no age recipients: set spec.secrets.ageRecipient in the site file (the cluster's public age key) or spec.secrets.ageRecipients in the fleet file")

// Secret is a Kubernetes Secret with one value.
type Secret struct {
	Name, Namespace, Key string
	Value                []byte
}

// Encrypt renders the Secret as YAML and encrypts its data for the age
// recipients. The output is what `sops --encrypt --age ... --encrypted-regex
// '^(data|stringData)$'` writes.
func Encrypt(s Secret, recipients []string) ([]byte, error) {
	if len(s.Value) == 0 {
		return nil, errors.New("the secret value is empty")
	}
	return EncryptData(s.Name, s.Namespace, map[string]string{s.Key: string(s.Value)}, recipients)
}

// Decrypt decrypts a file Encrypt or EncryptData wrote and returns its
// stringData. SOPS finds the age identity as the sops CLI does
// (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, or the user's age key file).
func Decrypt(enc []byte) (map[string]string, error) {
	tree, err := decryptFile(enc)
	if err != nil {
		return nil, err
	}
	sd, _ := tree.get("stringData")
	b, ok := sd.(branch)
	if !ok {
		return nil, nil
	}
	out := make(map[string]string, len(b))
	for _, it := range b {
		s, ok := it.value.(string)
		if !ok {
			return nil, fmt.Errorf("stringData.%s is a %T, not a string", it.key, it.value)
		}
		out[it.key] = s
	}
	return out, nil
}

// EncryptData is Encrypt for a Secret with several keys.
func EncryptData(name, namespace string, data map[string]string, recipients []string) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, ErrNoRecipients
	}
	for k, v := range data {
		if v == "" {
			return nil, fmt.Errorf("the value of %s is empty", k)
		}
	}
	obj := corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Type:       corev1.SecretTypeOpaque,
		StringData: data,
	}
	plain, err := yaml.Marshal(obj)
	if err != nil {
		return nil, err
	}
	plain = []byte(strings.Replace(string(plain), "  creationTimestamp: null\n", "", 1))

	return encryptFile(plain, recipients, metadata{EncryptedRegex: EncryptedRegex, Version: sopsFormatVersion}, time.Now())
}
