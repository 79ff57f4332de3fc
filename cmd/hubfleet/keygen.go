package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/agekey"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/output"
)

// keygenDoc is the output of hubfleet secret keygen (schema: keygen.json).
// It holds no secret: the private key is only in KeyFile.
type keygenDoc struct {
	output.Header
	Site      string `json:"site"`
	Recipient string `json:"recipient"`
	SiteFile  string `json:"siteFile"`
	KeyFile   string `json:"keyFile"`
	Command   string `json:"command"`
}

func (d keygenDoc) WriteText(w io.Writer, st output.Style) error {
	_, err := fmt.Fprintf(w, "%s %s: spec.secrets.ageRecipient: %s\n%s %s (mode 0600; keep it safe, never commit it)\nStore it in the cluster:\n  %s\n",
		st.Good("updated"), d.SiteFile, d.Recipient, st.Good("wrote private key"), d.KeyFile, d.Command)
	return err
}

type keygenOptions struct {
	site   string
	out    string
	force  bool
	output string
}

func newSecretKeygenCmd(g *globalOptions, s streams) *cobra.Command {
	o := &keygenOptions{}
	cmd := &cobra.Command{
		Use:   "keygen --site NAME",
		Short: "Make a site cluster's age key: public half into the site, private half outside the repository",
		Long: `Keygen generates the age key that Flux on the site's cluster decrypts the
site's secrets with. The public key goes into clusters/<site>/site.yaml as
spec.secrets.ageRecipient (the file's comments are kept). The private key is
written with mode 0600 to --out, which must be outside the fleet repository
(default: <user config dir>/hubfleet/age/<fleet>/<site>.agekey), and is never
printed. Keygen prints the one kubectl command that stores it in the cluster.

A site that already has a recipient keeps it unless --force; after replacing
a key, run 'hubfleet secret set' again so the secrets are encrypted for it.`,
		Example: `  hubfleet secret keygen --site egi-hub
  hubfleet secret keygen --site egi-hub --out ~/secure/egi-hub.agekey`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := output.ParseFormat(o.output, output.Machine)
			if err != nil {
				return err
			}
			return runKeygen(g, o, f, s)
		},
	}
	cmd.Flags().StringVar(&o.site, "site", "", "the site (required)")
	cmd.Flags().StringVar(&o.out, "out", "", "where to write the private key, outside the repository")
	cmd.Flags().BoolVar(&o.force, "force", false, "replace the site's existing ageRecipient")
	outputFlag(cmd, &o.output, output.Machine)
	_ = cmd.MarkFlagRequired("site")
	_ = cmd.RegisterFlagCompletionFunc("site", completeSites(g))
	return cmd
}

func runKeygen(g *globalOptions, o *keygenOptions, f output.Format, s streams) error {
	root, err := filepath.Abs(g.root)
	if err != nil {
		return err
	}
	rel := fleet.SitePath(o.site)
	siteFile := filepath.Join(root, filepath.FromSlash(rel))
	data, err := os.ReadFile(siteFile)
	if err != nil {
		return fmt.Errorf("no site %s: %w (add it with 'hubfleet site new %s')", o.site, err, o.site)
	}
	old, err := agekey.Recipient(data)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	if old != "" && !o.force {
		return fmt.Errorf("%s already has spec.secrets.ageRecipient %s: keep it, or pass --force to replace it (then run 'hubfleet secret set' again)", rel, old)
	}
	keyFile := o.out
	if keyFile == "" {
		if keyFile, err = defaultKeyFile(root, o.site); err != nil {
			return fmt.Errorf("%w: pass --out", err)
		}
	}
	if keyFile, err = filepath.Abs(keyFile); err != nil {
		return err
	}
	id, err := agekey.Generate()
	if err != nil {
		return err
	}
	edited, err := agekey.SetRecipient(data, id.Recipient().String())
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	// The key file first: a site pointing at a key nobody has would make
	// every secret undecryptable.
	if err := agekey.WritePrivate(keyFile, root, agekey.KeyFile(id, time.Now())); err != nil {
		return err
	}
	if err := flux.WriteFile(root, rel, edited); err != nil {
		return err
	}
	context := o.site
	if fl, err := fleet.LoadDir(root); err == nil {
		if st := fl.Site(o.site); st != nil && st.Spec.Kubernetes.Context != "" {
			context = st.Spec.Kubernetes.Context
		}
	}
	doc := keygenDoc{Header: output.NewHeader("keygen"), Site: o.site, Recipient: id.Recipient().String(),
		SiteFile: rel, KeyFile: keyFile,
		Command: fmt.Sprintf("kubectl --context %s -n flux-system create secret generic sops-age --from-file=age.agekey=%s", context, keyFile)}
	return output.Print(s.out, f, doc, g.style(s.out))
}

// defaultKeyFile is where keygen writes a site's private age key when not
// told (--out), and where secret set looks for it: <user config
// dir>/hubfleet/age/<fleet>/<site>.agekey.
func defaultKeyFile(root, site string) (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no user config directory (%w)", err)
	}
	fleetName := filepath.Base(root)
	if fl, err := fleet.LoadDir(root); fl != nil && fl.Config != nil && err == nil {
		fleetName = fl.Config.Metadata.Name
	}
	return filepath.Join(dir, "hubfleet", "age", fleetName, site+".agekey"), nil
}
