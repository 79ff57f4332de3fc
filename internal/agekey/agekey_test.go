package agekey

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"
)

func TestSetRecipientKeepsComments(t *testing.T) {
	t.Parallel()
	in := "# my site\napiVersion: hubfleet.dev/v1alpha1\nkind: Site\nspec:\n  host: h.example.org # the host\n  auth: {provider: native}\n"
	got, err := SetRecipient([]byte(in), "age1new")
	if err != nil {
		t.Fatal(err)
	}
	want := "# my site\napiVersion: hubfleet.dev/v1alpha1\nkind: Site\nspec:\n  host: h.example.org # the host\n  auth: {provider: native}\n  secrets:\n    ageRecipient: age1new\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	again, err := SetRecipient(got, "age1other")
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := Recipient(again); r != "age1other" || strings.Count(string(again), "ageRecipient") != 1 {
		t.Errorf("replacing the recipient:\n%s", again)
	}
}

func TestWritePrivate(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	outside := t.TempDir()
	id, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	data := KeyFile(id, time.Unix(0, 0))
	// Inside the repository, directly or through a symlink: refused.
	link := filepath.Join(outside, "link")
	if err := os.Symlink(repo, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(repo, "k.agekey"), filepath.Join(repo, "sub/../k.agekey"), filepath.Join(link, "k.agekey")} {
		if err := WritePrivate(p, repo, data); err == nil || !strings.Contains(err.Error(), "inside the fleet repository") {
			t.Errorf("WritePrivate(%s) = %v, want a refusal", p, err)
		}
	}
	p := filepath.Join(outside, "keys", "k.agekey")
	if err := WritePrivate(p, repo, data); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if err := WritePrivate(p, repo, data); err == nil {
		t.Error("an existing key file was overwritten")
	}
	// The file is a real age identity file for the recipient.
	f, _ := os.Open(p)
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil || len(ids) != 1 || ids[0].(*age.X25519Identity).Recipient().String() != id.Recipient().String() {
		t.Errorf("key file does not parse back: %v", err)
	}
}
