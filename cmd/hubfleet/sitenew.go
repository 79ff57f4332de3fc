package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/scaffold"
	"github.com/hubfleet/hubfleet/internal/site"
)

// siteNewDoc is the output of hubfleet site new (schema: site-new.json).
type siteNewDoc struct {
	output.Header
	Site string   `json:"site"`
	File string   `json:"file"`
	Next []string `json:"next"`
}

func (d siteNewDoc) WriteText(w io.Writer, st output.Style) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\nNext:\n", st.Good("created"), d.File)
	for _, n := range d.Next {
		fmt.Fprintf(&b, "  %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func newSiteCmd(g *globalOptions, s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "site",
		Short:   "Add sites to the fleet",
		Example: `  hubfleet site new my-site --provider native --host hub.example.org`,
	}
	cmd.AddCommand(newSiteNewCmd(g, s, nil))
	return cmd
}

// newSiteNewCmd builds 'site new'. prompter answers the questions for
// missing settings; nil means a line prompter on the terminal when standard
// input is one, and no questions otherwise.
func newSiteNewCmd(g *globalOptions, s streams, prompter scaffold.Prompter) *cobra.Command {
	o := &scaffold.SiteOptions{}
	var format string
	var noPrompt bool
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Write a new site, clusters/NAME/site.yaml, from flags (or questions on a terminal)",
		Long: `New writes clusters/NAME/site.yaml from the flags: the login provider
(egi-checkin, cognito, azuread, oidc or native), the host and the TLS mode, and
what the provider needs. On a terminal it asks for whatever the flags leave
out, and only for that; elsewhere a missing setting is an error naming its flag.

The new site is validated before it is written. Next steps: 'hubfleet secret
keygen --site NAME' for the cluster's age key, 'hubfleet secret set --site NAME'
for the OAuth client secret, then 'hubfleet render'.`,
		Example: `  hubfleet site new egi-hub --provider egi-checkin --host hub.example.org \
    --tls cert-manager --client-id my-client --egi-vo vo.example.org
  hubfleet site new dev-hub --provider native --host dev.example.org --tls autohttps --contact-email ops@example.org
  hubfleet site new my-hub                      # on a terminal: asks for the rest`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := output.ParseFormat(format, output.Machine)
			if err != nil {
				return err
			}
			o.Name = args[0]
			p := prompter
			if p == nil && !noPrompt && output.IsTerminal(s.in) {
				p = scaffold.NewLinePrompter(s.in, s.err)
			}
			return runSiteNew(g, o, p, f, s)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Provider, "provider", "", "login provider: "+strings.Join(scaffold.Providers, ", "))
	fs.StringVar(&o.Host, "host", "", "the hub's public DNS name")
	fs.StringVar(&o.TLS, "tls", "", "TLS mode: "+strings.Join(scaffold.TLSModes, ", ")+" (default cert-manager)")
	fs.StringVar(&o.ClusterIssuer, "cluster-issuer", "", "cert-manager ClusterIssuer (default letsencrypt-prod)")
	fs.StringVar(&o.IngressClass, "ingress-class", "", "ingress class (default nginx)")
	fs.StringVar(&o.ContactEmail, "contact-email", "", "Let's Encrypt contact, for --tls autohttps")
	fs.StringVar(&o.SecretName, "tls-secret", "", "the existing TLS Secret, for --tls secret")
	fs.StringVar(&o.ClientID, "client-id", "", "OAuth client id (not a secret)")
	fs.StringSliceVar(&o.Admins, "admin", nil, "hub admin username (repeatable)")
	fs.StringSliceVar(&o.AllowedUsers, "allowed-users", nil, "usernames allowed to log in (repeatable)")
	fs.BoolVar(&o.AllowAll, "allow-all", false, "let everyone the provider authenticates log in")
	fs.StringVar(&o.EGIInstance, "egi-instance", "", "EGI Check-in instance: prod, demo or dev (default prod)")
	fs.StringVar(&o.EGIVO, "egi-vo", "", "EGI VO whose members may log in")
	fs.StringVar(&o.CognitoRegion, "cognito-region", "", "AWS region of the Cognito user pool")
	fs.StringVar(&o.CognitoPool, "cognito-user-pool", "", "Cognito user pool id")
	fs.StringVar(&o.CognitoDomain, "cognito-domain", "", "Cognito domain prefix")
	fs.StringVar(&o.AzureTenant, "azure-tenant", "", "Azure AD directory (tenant) id")
	fs.StringVar(&o.OIDCIssuer, "oidc-issuer", "", "OpenID Connect issuer URL")
	fs.StringVar(&o.Context, "context", "", "kubeconfig context of the site's cluster (default: NAME)")
	fs.StringVar(&o.Image, "image", "", "notebook image with a tag (default "+scaffold.DefaultImage+")")
	fs.StringVar(&o.AgeRecipient, "age-recipient", "", "the cluster's public age key, if it has one (else: hubfleet secret keygen)")
	fs.BoolVar(&noPrompt, "no-prompt", false, "never ask: a missing setting is an error")
	outputFlag(cmd, &format, output.Machine)
	for flag, values := range map[string][]string{"provider": scaffold.Providers, "tls": scaffold.TLSModes, "egi-instance": {site.EGIProd, site.EGIDemo, site.EGIDev}} {
		_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	return cmd
}

func runSiteNew(g *globalOptions, o *scaffold.SiteOptions, p scaffold.Prompter, f output.Format, s streams) error {
	root, err := filepath.Abs(g.root)
	if err != nil {
		return err
	}
	fl, err := fleet.LoadDir(root)
	var list site.ErrorList
	if err != nil && !errors.As(err, &list) {
		return err
	}
	if fl != nil && fl.Site(o.Name) != nil {
		return fmt.Errorf("site %s already exists (%s)", o.Name, fleet.SitePath(o.Name))
	}
	rel := fleet.SitePath(o.Name)
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err == nil {
		return fmt.Errorf("%s already exists", rel)
	}
	if p != nil {
		o.Defaults()
		if err := o.Ask(p); err != nil {
			return err
		}
	}
	data, err := scaffold.Site(*o)
	if err != nil {
		return err
	}
	// Validate before writing: the new site alone, against the fleet.
	st, err := site.DecodeSite(rel, data)
	if err == nil && fl != nil && fl.Config != nil {
		err = withoutPendingKey(site.Validate(st, fl.Config))
	}
	if err != nil {
		return problems("%v\nnothing written", err)
	}
	if err := flux.WriteFile(root, rel, data); err != nil {
		return err
	}
	doc := siteNewDoc{Header: output.NewHeader("site-new"), Site: o.Name, File: rel}
	if o.AgeRecipient == "" {
		doc.Next = append(doc.Next, "hubfleet secret keygen --site "+o.Name)
	}
	if o.Provider != site.AuthNative {
		doc.Next = append(doc.Next, "printf %s \"$CLIENT_SECRET\" | hubfleet secret set --site "+o.Name)
	}
	doc.Next = append(doc.Next, "hubfleet render", "hubfleet plan")
	return output.Print(s.out, f, doc, g.style(s.out))
}

// withoutPendingKey drops the one problem 'site new' leaves for the next
// step, 'secret keygen': a missing spec.secrets.ageRecipient.
func withoutPendingKey(err error) error {
	var list site.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	var keep site.ErrorList
	for _, e := range list {
		if e.Field == "spec.secrets.ageRecipient" && !strings.HasPrefix(e.Msg, "not an age") {
			continue
		}
		keep = append(keep, e)
	}
	return keep.Err()
}
