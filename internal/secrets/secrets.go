package secrets

import (
	"errors"
	"fmt"
	"strings"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/cmd/sops/common"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/decrypt"
	"github.com/getsops/sops/v3/keyservice"
	sopsyaml "github.com/getsops/sops/v3/stores/yaml"
	"github.com/getsops/sops/v3/version"
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
	plain, err := decrypt.Data(enc, "yaml")
	if err != nil {
		return nil, err
	}
	var sec struct {
		StringData map[string]string `json:"stringData"`
	}
	if err := yaml.Unmarshal(plain, &sec); err != nil {
		return nil, err
	}
	return sec.StringData, nil
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

	keys, err := sopsage.MasterKeysFromRecipients(strings.Join(recipients, ","))
	if err != nil {
		return nil, fmt.Errorf("parsing age recipients: %w", err)
	}
	group := make(sops.KeyGroup, 0, len(keys))
	for _, k := range keys {
		group = append(group, k)
	}
	store := sopsyaml.NewStore(&config.YAMLStoreConfig{Indent: 2})
	branches, err := store.LoadPlainFile(plain)
	if err != nil {
		return nil, fmt.Errorf("loading secret for encryption: %w", err)
	}
	tree := sops.Tree{
		Branches: branches,
		Metadata: sops.Metadata{
			KeyGroups:      []sops.KeyGroup{group},
			EncryptedRegex: EncryptedRegex,
			Version:        version.Version,
		},
	}
	dataKey, errs := tree.GenerateDataKeyWithKeyServices([]keyservice.KeyServiceClient{keyservice.NewLocalClient()})
	if len(errs) > 0 {
		return nil, fmt.Errorf("encrypting the data key: %w", errors.Join(errs...))
	}
	if err := common.EncryptTree(common.EncryptTreeOpts{DataKey: dataKey, Tree: &tree, Cipher: aes.NewCipher()}); err != nil {
		return nil, fmt.Errorf("encrypting secret: %w", err)
	}
	return store.EmitEncryptedFile(tree)
}
