package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/semver/v3"

	"github.com/hubfleet/hubfleet/internal/catalog"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
)

//go:embed templates
var templates embed.FS

// Chart repositories of the fleet's charts.
var defaultRepos = map[string]string{
	"daskhub":     "https://helm.dask.org",
	"jupyterhub":  "https://hub.jupyter.org/helm-chart/",
	"daskGateway": "https://helm.dask.org",
}

// FleetOptions describe a new fleet repository.
type FleetOptions struct {
	// Name is the fleet's metadata.name (a DNS label).
	Name string
	// Action is the hubfleet action the workflows use.
	Action ActionRef
	// Version is the hubfleet version that writes the files (for comments).
	Version string
	// AgeRecipients are the operators' public age keys.
	AgeRecipients []string
	// Repos overrides chart repository URLs, by fleet chart key
	// (daskhub, jupyterhub, daskGateway); tests serve charts on loopback.
	Repos map[string]string
}

// Pin is one chart pin of the new fleet.
type Pin struct {
	Version    string
	Constraint string
}

// Pins are the chart pins a new fleet starts with: the newest version of
// each chart the catalog knows, constrained to that major version (the
// calendar-versioned dask charts: that version or newer).
func Pins() map[string]Pin {
	pins := map[string]Pin{}
	for key, chart := range map[string]string{"daskhub": "daskhub", "jupyterhub": "jupyterhub", "daskGateway": "dask-gateway"} {
		v := catalog.Newest(chart)
		c := ">=" + v
		if chart == "jupyterhub" {
			sv := semver.MustParse(v)
			c = fmt.Sprintf(">=%d.0.0 <%d.0.0", sv.Major(), sv.Major()+1)
		}
		pins[key] = Pin{Version: v, Constraint: c}
	}
	return pins
}

// File is one file to write, relative to the repository root.
type File struct {
	Path string
	Data []byte
	Mode fs.FileMode
}

// Fleet returns the files of a new fleet repository, sorted by path.
func Fleet(o FleetOptions) ([]File, error) {
	repos := map[string]string{}
	for k, v := range defaultRepos {
		repos[k] = v
	}
	for k, v := range o.Repos {
		repos[k] = v
	}
	data := map[string]any{
		"Name": o.Name, "Version": o.Version, "AgeRecipients": o.AgeRecipients,
		"Charts": Pins(), "Repos": repos,
		"Action": o.Action.Uses(), "ActionRepo": o.Action.Repo, "ActionComment": o.Action.Describe(),
	}
	files := []File{{Path: path.Join(fleet.ClustersDir, ".gitkeep"), Data: nil}}
	add := func(tmpl, dst string) error {
		b, err := execute(tmpl, data)
		if err != nil {
			return err
		}
		files = append(files, File{Path: dst, Data: b})
		return nil
	}
	for tmpl, dst := range map[string]string{
		"fleet.yaml": fleet.FleetFile, "sops.yaml": ".sops.yaml", "gitignore": ".gitignore", "README.md": "README.md",
	} {
		if err := add(tmpl, dst); err != nil {
			return nil, err
		}
	}
	wfs, err := fs.ReadDir(templates, "templates/workflows")
	if err != nil {
		return nil, err
	}
	for _, wf := range wfs {
		if err := add("workflows/"+wf.Name(), ".github/workflows/"+wf.Name()); err != nil {
			return nil, err
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

var funcs = template.FuncMap{"join": strings.Join}

func execute(name string, data any) ([]byte, error) {
	t, err := template.New(path.Base(name)).Delims("[[", "]]").
		Funcs(funcs).
		Option("missingkey=error").
		ParseFS(templates, "templates/"+name)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// CheckEmpty returns an error when dir exists and holds anything but a
// .git directory: init writes into an empty directory or a fresh clone.
func CheckEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if e.Name() != ".git" {
			names = append(names, e.Name())
		}
	}
	if len(names) > 0 {
		if len(names) > 3 {
			names = append(names[:3], "...")
		}
		return fmt.Errorf("%s is not empty (%s): choose an empty directory, or pass --force to add the fleet's files (existing files of the same name are kept unless --overwrite)", dir, strings.Join(names, ", "))
	}
	return nil
}

// Write writes files under root through a secure join. Existing files are
// kept, and reported in skipped, unless overwrite is set.
func Write(root string, files []File, overwrite bool) (written, skipped []string, err error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, nil, err
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range files {
		if !overwrite {
			if _, err := os.Lstat(filepath.Join(abs, filepath.FromSlash(f.Path))); err == nil {
				skipped = append(skipped, f.Path)
				continue
			}
		}
		if err := flux.WriteFile(abs, f.Path, f.Data); err != nil {
			return written, skipped, err
		}
		written = append(written, f.Path)
	}
	return written, skipped, nil
}

// FleetName turns a directory name into a DNS label for metadata.name:
// lower case, runs of other characters as one dash, at most 63 characters.
func FleetName(dir string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(dir) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 63 {
		s = strings.Trim(s[:63], "-")
	}
	if s == "" {
		s = "fleet"
	}
	return s
}
