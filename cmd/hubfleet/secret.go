package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

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
	}
	cmd.AddCommand(newSecretSetCmd(g, s))
	cmd.AddCommand(newSecretKeygenCmd(g, s))
	return cmd
}

type secretSetOptions struct {
	site     string
	fromFile string
}

func newSecretSetCmd(g *globalOptions, s streams) *cobra.Command {
	o := &secretSetOptions{}
	cmd := &cobra.Command{
		Use:   "set --site NAME",
		Short: "Store a site's OAuth client secret, SOPS-encrypted, in its overlay",
		Long: `Set reads the OAuth client secret from standard input (or --from-file), wraps it
in a Kubernetes Secret and encrypts it with SOPS for the site's age recipient
(spec.secrets.ageRecipient, the public half of the key Flux decrypts with) and
the fleet's operators (spec.secrets.ageRecipients in bases/daskhub/fleet.yaml).
The encrypted file is written to overlays/<site>/oauth-client-secret.sops.yaml
and the site is re-rendered so its kustomization includes it.

The value is never printed, logged or written in plain text.`,
		Example: `  printf '%s' "$CLIENT_SECRET" | hubfleet secret set --site egi-pangeo
  hubfleet secret set --site pangeo-azure --from-file ./client-secret.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSecretSet(g, o, s)
		},
	}
	cmd.Flags().StringVar(&o.site, "site", "", "the site (required)")
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
	if st.Spec.Auth.Provider == site.AuthNative {
		return fmt.Errorf("site %s uses native auth: it has no OAuth client secret", o.site)
	}
	if st.Spec.Auth.ClientSecret.ExternalSecret != nil {
		return fmt.Errorf("site %s reads its client secret through External Secrets (spec.auth.clientSecret.externalSecret): store it in %s instead", o.site, st.Spec.Auth.ClientSecret.ExternalSecret.Store)
	}
	var value []byte
	if o.fromFile != "" {
		value, err = os.ReadFile(o.fromFile)
	} else {
		value, err = io.ReadAll(s.in)
	}
	if err != nil {
		return fmt.Errorf("reading the secret: %w", err)
	}
	value = bytes.TrimRight(value, "\r\n")
	if len(value) == 0 {
		return errors.New("the secret is empty: pipe the client secret into standard input or use --from-file")
	}
	var recipients []string
	if r := st.Spec.Secrets.AgeRecipient; r != "" {
		recipients = append(recipients, r)
	}
	recipients = append(recipients, fl.Config.Spec.Secrets.AgeRecipients...)
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
