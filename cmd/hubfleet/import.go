package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/importer"
)

type importOptions struct {
	site         string
	host         string
	contactEmail string
	ageRecipient string
	write        bool
	chartCache   string
}

func newImportCmd(g *globalOptions, s streams) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import VALUES.yaml [VALUES.yaml...] --site NAME",
		Short: "Turn an existing daskhub values.yaml into a site file",
		Long: `Import reads daskhub values files (several are merged in order, like helm -f a
-f b) and writes the equivalent site file. It reports what it kept, what it
migrated to today's charts and what it dropped:

  - secrets are never copied: the OAuth client secret moves to
    'hubfleet secret set', and the proxy/gateway tokens the charts now generate
    (openssl rand -hex 32 in the old guides) are dropped;
  - OAuthenticator keys are mapped onto spec.auth, so the site gets the keys of
    the chart version it runs;
  - byte sizes such as "24 G" are normalised;
  - everything else is kept under spec.values.

Without --write the site file is printed; with --write it is saved as
clusters/<site>/site.yaml (an existing file is never overwritten).`,
		Example: `  hubfleet import values.yaml --site egi-pangeo
  hubfleet import dh-config.yaml dh-auth.yaml --site heliocloud --host daskhub.example.org --write`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd.Context(), g, o, s, args)
		},
	}
	cmd.Flags().StringVar(&o.site, "site", "", "name of the new site (required)")
	cmd.Flags().StringVar(&o.host, "host", "", "the hub's public DNS name, if the values do not name it")
	cmd.Flags().StringVar(&o.contactEmail, "contact-email", "", "Let's Encrypt account e-mail, for values without an ingress")
	cmd.Flags().StringVar(&o.ageRecipient, "age-recipient", "", "the public age key of the site's cluster (age1...), for spec.secrets.ageRecipient")
	cmd.Flags().BoolVar(&o.write, "write", false, "write clusters/<site>/site.yaml instead of printing it")
	addChartCacheFlag(cmd, &o.chartCache)
	_ = cmd.MarkFlagRequired("site")
	return cmd
}

func runImport(ctx context.Context, g *globalOptions, o *importOptions, s streams, args []string) error {
	files := map[string][]byte{}
	for _, a := range args {
		b, err := os.ReadFile(a)
		if err != nil {
			return err
		}
		files[a] = b
	}
	st, report, err := importer.Import(files, args, importer.Options{Name: o.site, Host: o.host, ContactEmail: o.contactEmail, AgeRecipient: o.ageRecipient})
	if err != nil {
		return err
	}
	out, err := importer.Encode(st, strings.Join(args, ", "))
	if err != nil {
		return err
	}
	fmt.Fprint(s.err, report.String())
	typos, err := checkImported(ctx, g.root, o.chartCache, fleet.SitePath(o.site), out)
	if err != nil {
		return err
	}
	if w := typos.Warnings(); len(w) > 0 {
		fmt.Fprintln(s.err, w.Error())
	}
	if !o.write {
		if _, err := s.out.Write(out); err != nil {
			return err
		}
		if errs := typos.Errors(); len(errs) > 0 {
			return problems("%s\n%d problem(s) found: fix them in the values file or in the site file", errs.Error(), len(errs))
		}
		return nil
	}
	abs, err := filepath.Abs(g.root)
	if err != nil {
		return err
	}
	rel := fleet.SitePath(o.site)
	if _, err := os.Stat(filepath.Join(abs, rel)); err == nil {
		return fmt.Errorf("%s already exists: import never overwrites a site (remove it first, or import under another --site)", rel)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := flux.WriteFile(abs, rel, out); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "wrote %s\n", rel)
	if _, err := loadFleetChecked(ctx, g.root, o.chartCache, s); err != nil {
		var p *errProblems
		if errors.As(err, &p) {
			return problems("%s\nthe imported site needs the fixes above before 'hubfleet render'", p.msg)
		}
		return err
	}
	return nil
}
