package site

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/golden"
)

func loadTestFleet(t *testing.T) *Fleet {
	t.Helper()
	data, err := os.ReadFile("testdata/fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := DecodeFleet("testdata/fleet.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateFleet(f); err != nil {
		t.Fatalf("the test fleet must be valid: %v", err)
	}
	return f
}

// check decodes and validates one site file and returns the error list.
func check(t *testing.T, f *Fleet, file string) ErrorList {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := DecodeSite(file, data)
	var list ErrorList
	if err != nil && !errors.As(err, &list) {
		t.Fatalf("%s: error is %T, want ErrorList: %v", file, err, err)
	}
	if s != nil {
		list = append(list, Check(s, f)...)
	}
	list.Sort()
	return list
}

func TestInvalidSitesReportEveryErrorWithFileLineFieldAndFix(t *testing.T) {
	t.Parallel()
	f := loadTestFleet(t)
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("found %d malformed site files, want at least 40", len(files))
	}
	kinds := map[Kind]bool{}
	for _, file := range files {
		list := check(t, f, file)
		if len(list) == 0 {
			t.Errorf("%s: no error reported", file)
			continue
		}
		for _, e := range list {
			kinds[e.Kind] = true
			if e.File != file || e.Msg == "" || e.Fix == "" {
				t.Errorf("%s: error lacks file, message or fix: %#v", file, e)
			}
			if e.Line == 0 && e.Kind != KindRequired && e.Kind != KindHeader {
				t.Errorf("%s: error has no line: %v", file, e)
			}
		}
		golden.Assert(t, strings.TrimSuffix(file, ".yaml")+".golden", list.Error()+"\n")
	}
	t.Logf("%d malformed site files, %d error kinds", len(files), len(kinds))
	if len(kinds) < 15 {
		t.Errorf("malformed files cover %d error kinds, want at least 15: %v", len(kinds), kinds)
	}
}

func TestManyErrorsAreAllReported(t *testing.T) {
	t.Parallel()
	list := check(t, loadTestFleet(t), "testdata/invalid/many-errors-at-once.yaml")
	var got []Kind
	for _, e := range list {
		got = append(got, e.Kind)
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	want := []Kind{KindByteSpec, KindHost, KindImage}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
}

func TestValidSitesPass(t *testing.T) {
	t.Parallel()
	f := loadTestFleet(t)
	files, err := filepath.Glob("testdata/valid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no valid examples")
	}
	for _, file := range files {
		if list := check(t, f, file); len(list) > 0 {
			t.Errorf("%s rejected:\n%v", file, list)
		}
	}
}

func TestInvalidFleetFiles(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/invalid-fleet/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		fl, err := DecodeFleet(file, data)
		if err == nil {
			err = ValidateFleet(fl)
		}
		if err == nil {
			t.Errorf("%s: no error reported", file)
			continue
		}
		golden.Assert(t, strings.TrimSuffix(file, ".yaml")+".golden", err.Error()+"\n")
	}
}

func TestByteSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
		norm    string
	}{
		{in: "2G", want: 2 << 30, norm: "2G"},
		{in: "512M", want: 512 << 20, norm: "512M"},
		{in: "1.5G", want: 3 << 29, norm: "1.5G"},
		{in: "1024", want: 1024, norm: "1024"},
		{in: "24 G", wantErr: true, norm: "24G"},
		{in: "4Gi", wantErr: true, norm: "4G"},
		{in: "8GB", wantErr: true, norm: "8G"},
		{in: "lots", wantErr: true, norm: "lots"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseByteSpec(tt.in)
			if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
				t.Errorf("ParseByteSpec(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if n, _ := NormalizeByteSpec(tt.in); n != tt.norm {
				t.Errorf("NormalizeByteSpec(%q) = %q, want %q", tt.in, n, tt.norm)
			}
		})
	}
}

func TestImageTagFollowsReferenceGrammar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		image  string
		tagged bool
	}{
		{"pangeo/pangeo-notebook:2024.11.11", true},
		{"registry.example.org:5000/pangeo-notebook", false},
		{"registry.example.org:5000/pangeo-notebook:1.0", true},
		{"pangeo/pangeo-notebook", false},
		{"localhost:5000/x/y:tag", true},
	}
	for _, tt := range tests {
		r := &reporter{file: "f"}
		r.checkImage("spec.singleuser.image", tt.image)
		if got := len(r.errs) == 0; got != tt.tagged {
			t.Errorf("%s: accepted=%v, want %v (%v)", tt.image, got, tt.tagged, r.errs)
		}
	}
}

func FuzzDecodeSite(f *testing.F) {
	for _, glob := range []string{"testdata/valid/*.yaml", "testdata/invalid/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err == nil {
				f.Add(data)
			}
		}
	}
	data, err := os.ReadFile("testdata/fleet.yaml")
	if err != nil {
		f.Fatal(err)
	}
	fl, err := DecodeFleet("fleet.yaml", data)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeSite("fuzz.yaml", data)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("decode error is not a non-empty ErrorList: %T %v", err, err)
			}
			return
		}
		_ = Validate(s, fl) // must not panic
	})
}

func TestAliasesAreRefused(t *testing.T) {
	t.Parallel()
	bomb := "apiVersion: hubfleet.dev/v1alpha1\nkind: Site\nmetadata: {name: x}\nspec:\n  values:\n    a: &a [x, x, x, x, x, x, x, x, x]\n    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n    d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	_, err := DecodeSite("bomb.yaml", []byte(bomb))
	var list ErrorList
	if !errors.As(err, &list) || list[0].Kind != KindSyntax || !strings.Contains(err.Error(), "aliases") {
		t.Fatalf("err = %v, want aliases refused", err)
	}
}
