package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/secrets"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

func newSecretCmd(g *globalOptions, s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "Manage a site's encrypted secrets",
		Example: `  hubfleet secret keygen --site egi-pangeo
  printf '%s' "$CLIENT_SECRET" | hubfleet secret set --site egi-pangeo`,
	}
	cmd.AddCommand(newSecretSetCmd(g, s))
	cmd.AddCommand(newSecretKeygenCmd(g, s))
	return cmd
}

type secretSetOptions struct {
	site     string
	key      string
	fromFile string
}

func newSecretSetCmd(g *globalOptions, s streams) *cobra.Command {
	o := &secretSetOptions{}
	cmd := &cobra.Command{
		Use:   "set --site NAME [--key KEY]",
		Short: "Store a site's secret, SOPS-encrypted, in its overlay",
		Long: `Set reads a secret from standard input (or --from-file), wraps it in a
Kubernetes Secret and encrypts it with SOPS for the site's age recipient
(spec.secrets.ageRecipient, the public half of the key Flux decrypts with) and
the fleet's operators (spec.secrets.ageRecipients in bases/daskhub/fleet.yaml).
The site is then re-rendered so its kustomization includes the file.

Without --key it stores the OAuth client secret in
overlays/<site>/oauth-client-secret.sops.yaml. With --key it stores one of the
site's spec.secrets.values (a chart value such as jupyterhub.hub.db.password,
or an environment variable of the hub, the users' servers or the gateway) in
overlays/<site>/hubfleet-secrets.sops.yaml, which holds every key of the site.
Adding a key to an existing file decrypts it first, so you need an age
identity of one of its recipients (SOPS_AGE_KEY_FILE, as for the sops CLI).

The value is never printed, logged or written in plain text.`,
		Example: `  printf '%s' "$CLIENT_SECRET" | hubfleet secret set --site egi-pangeo
  hubfleet secret set --site pangeo-azure --from-file ./client-secret.txt
  printf '%s' "$DB_PASSWORD" | hubfleet secret set --site egi-pangeo --key hub-db-password`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSecretSet(g, o, s)
		},
	}
	cmd.Flags().StringVar(&o.site, "site", "", "the site (required)")
	cmd.Flags().StringVar(&o.key, "key", "", "a key of the site's spec.secrets.values (default: the OAuth client secret)")
	cmd.Flags().StringVar(&o.fromFile, "from-file", "", "read the secret from this file instead of standard input")
	_ = cmd.MarkFlagRequired("site")
	return cmd
}

func runSecretSet(g *globalOptions, o *secretSetOptions, s streams) error {
	fl, err := loadFleet(g.root)
	if err != nil {
		return err
	}
	st := fl.Site(o.site)
	if st == nil {
		return fmt.Errorf("no site named %q in %s/", o.site, fleet.ClustersDir)
	}
	if o.key != "" {
		return runSecretSetKey(g, o, s, fl, st)
	}
	if !site.ClassOf(&st.Spec.Auth).OAuth {
		return fmt.Errorf("site %s uses %s auth: it has no OAuth client secret", o.site, st.Spec.Auth.Provider)
	}
	if st.Spec.Auth.ClientSecret.ExternalSecret != nil {
		return fmt.Errorf("site %s reads its client secret through External Secrets (spec.auth.clientSecret.externalSecret): store it in %s instead", o.site, st.Spec.Auth.ClientSecret.ExternalSecret.Store)
	}
	value, err := readSecretValue(o, s)
	if err != nil {
		return err
	}
	recipients := siteRecipients(fl, st)
	enc, err := secrets.Encrypt(secrets.Secret{
		Name: values.ClientSecretName, Namespace: site.NamespaceOf(st, fl.Config),
		Key: values.ClientSecretKey, Value: value,
	}, recipients)
	if err != nil {
		return fmt.Errorf("site %s: %w", o.site, err)
	}
	abs, err := filepath.Abs(g.root)
	if err != nil {
		return err
	}
	rel := path.Join(fleet.OverlayDir(o.site), flux.ClientSecretFile)
	if err := flux.WriteFile(abs, rel, enc); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "wrote %s (encrypted for %d age recipient(s))\n", rel, len(recipients))
	return runRender(g, &renderOptions{sites: []string{o.site}}, s)
}

// readSecretValue reads the secret from --from-file or standard input,
// without its trailing newline.
func readSecretValue(o *secretSetOptions, s streams) ([]byte, error) {
	var value []byte
	var err error
	if o.fromFile != "" {
		value, err = os.ReadFile(o.fromFile)
	} else {
		value, err = io.ReadAll(s.in)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the secret: %w", err)
	}
	value = bytes.TrimRight(value, "\r\n")
	if len(value) == 0 {
		return nil, errors.New("the secret is empty: pipe it into standard input or use --from-file")
	}
	return value, nil
}

// siteRecipients are the age keys a site's secrets are encrypted for.
func siteRecipients(fl *fleet.Fleet, st *site.Site) []string {
	var recipients []string
	if r := st.Spec.Secrets.AgeRecipient; r != "" {
		recipients = append(recipients, r)
	}
	return append(recipients, fl.Config.Spec.Secrets.AgeRecipients...)
}

// runSecretSetKey stores one key of spec.secrets.values in the site's
// hubfleet-secrets.sops.yaml, keeping the keys already there.
func runSecretSetKey(g *globalOptions, o *secretSetOptions, s streams, fl *fleet.Fleet, st *site.Site) error {
	v, ok := st.Spec.Secrets.Values[o.key]
	if !ok {
		return fmt.Errorf("site %s declares no secret %q: add it to %s first, e.g.\n  spec:\n    secrets:\n      values:\n        %s: {targetPath: jupyterhub.hub.db.password}   # or env: {component: singleuser, name: NAME}",
			o.site, o.key, st.File, o.key)
	}
	if v.ExternalSecret != nil {
		return fmt.Errorf("site %s reads %s through External Secrets (spec.secrets.values.%s.externalSecret): store it in %s instead", o.site, o.key, o.key, v.ExternalSecret.Store)
	}
	value, err := readSecretValue(o, s)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(g.root)
	if err != nil {
		return err
	}
	rel := path.Join(fleet.OverlayDir(o.site), flux.SecretsFile)
	data := map[string]string{}
	if old, err := os.ReadFile(filepath.Join(abs, rel)); err == nil {
		if data, err = decryptWithKeygenKey(abs, o.site, old); err != nil {
			return fmt.Errorf("adding %s to %s needs its other keys, and decrypting it failed (set SOPS_AGE_KEY_FILE to the age identity of one of its recipients; 'hubfleet secret keygen' keeps it in %s): %w", o.key, rel, keygenKeyHint(abs, o.site), err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	data[o.key] = string(value)
	recipients := siteRecipients(fl, st)
	enc, err := secrets.EncryptData(values.SecretsName, site.NamespaceOf(st, fl.Config), data, recipients)
	if err != nil {
		return fmt.Errorf("site %s: %w", o.site, err)
	}
	if err := flux.WriteFile(abs, rel, enc); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "wrote %s: key %s (%d key(s), encrypted for %d age recipient(s))\n", rel, o.key, len(data), len(recipients))
	// A site that declares several values is set one key at a time: until
	// the last is stored, render would only refuse the ones still missing.
	var missing []string
	for k, v := range st.Spec.Secrets.Values {
		if _, ok := data[k]; !ok && v.ExternalSecret == nil {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		fmt.Fprintf(s.out, "not rendered yet: site %s still needs %s; store each with 'hubfleet secret set --site %s --key KEY', then run 'hubfleet render'\n",
			o.site, strings.Join(missing, ", "), o.site)
		return nil
	}
	return runRender(g, &renderOptions{sites: []string{o.site}}, s)
}

// decryptWithKeygenKey decrypts a site's secrets file as sops does
// (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, the user's age key file) and, when
// that finds no identity and neither variable is set, with the key
// 'hubfleet secret keygen' wrote for the site where it writes it by
// default.
func decryptWithKeygenKey(root, site string, enc []byte) (map[string]string, error) {
	data, err := secrets.Decrypt(enc)
	if err == nil || os.Getenv("SOPS_AGE_KEY") != "" || os.Getenv("SOPS_AGE_KEY_FILE") != "" {
		return data, err
	}
	keyFile, kerr := defaultKeyFile(root, site)
	if kerr != nil {
		return nil, err
	}
	if _, serr := os.Stat(keyFile); serr != nil {
		return nil, err
	}
	// sops reads the identity from the environment only: point it at
	// the key for this one call.
	if serr := os.Setenv("SOPS_AGE_KEY_FILE", keyFile); serr != nil {
		return nil, err
	}
	defer os.Unsetenv("SOPS_AGE_KEY_FILE")
	return secrets.Decrypt(enc)
}

// keygenKeyHint is where keygen keeps a site's key, for an error message.
func keygenKeyHint(root, site string) string {
	if p, err := defaultKeyFile(root, site); err == nil {
		return p
	}
	return "the user config directory"
}
