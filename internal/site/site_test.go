package site

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/golden"
)

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
		var list ErrorList
		if err != nil && (!errors.As(err, &list) || len(list) == 0) {
			t.Fatalf("decode error is not a non-empty ErrorList: %T %v", err, err)
		}
		if s != nil {
			list = append(list, Check(s, fl)...) // must not panic
		}
		for _, e := range list {
			if e.File != "fuzz.yaml" || e.Msg == "" || e.Fix == "" {
				t.Fatalf("problem lacks file, message or fix: %#v", e)
			}
		}
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

func TestLargeFilesAreRefusedBeforeParsing(t *testing.T) {
	t.Parallel()
	data := make([]byte, MaxFileSize+1)
	for i := range data {
		data[i] = '#'
	}
	s, err := DecodeSite("big.yaml", data)
	var list ErrorList
	if s != nil || !errors.As(err, &list) || len(list) != 1 || list[0].Kind != KindSize || list[0].Line != 1 {
		t.Fatalf("DecodeSite of %d bytes = %v, %v; want one %s error", len(data), s, err, KindSize)
	}
}

func TestDecodeStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := DecodeSiteContext(ctx, "big.yaml", bigSite(100_000)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
