package secretscan

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRealConfigsBaseline(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/real-configs/*/clusters/*/*.yaml")
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := YAML(f, b, nil)
		if err != nil {
			t.Log(err)
		}
		for _, x := range fs {
			t.Logf("%s  secret=%.60q", x, x.Secret)
			n++
		}
	}
	t.Logf("%d files, %d findings", len(files), n)
}
