package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestWriteYAMLKeepsOrderAndTypes(t *testing.T) {
	t.Parallel()
	type doc struct {
		Header
		Strings []string       `json:"strings"`
		Number  int            `json:"number"`
		Map     map[string]any `json:"map"`
	}
	in := doc{Header: NewHeader("test"), Strings: []string{"1.0", "true", "null", "a: b", "#x", "plain"}, Number: 3, Map: map[string]any{"k": "0x10"}}
	var b bytes.Buffer
	if err := WriteYAML(&b, in); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("schemaVersion: 1\nkind: test\n")) {
		t.Errorf("the header is not first:\n%s", b.String())
	}
	var got, want any
	if err := yaml.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(in)
	if err := json.Unmarshal(j, &want); err != nil {
		t.Fatal(err)
	}
	// JSON numbers decode as float64, YAML's as int.
	for _, k := range []string{"number", "schemaVersion"} {
		got.(map[string]any)[k] = float64(got.(map[string]any)[k].(int))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("YAML does not read back as the JSON (-json +yaml):\n%s\n%s", diff, b.String())
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	if f, err := ParseFormat("yaml", Machine); err != nil || f != YAML {
		t.Errorf("yaml: %v %v", f, err)
	}
	if _, err := ParseFormat("markdown", Machine); err == nil || err.Error() != `--output "markdown": use text, json or yaml` {
		t.Errorf("markdown where not offered: %v", err)
	}
}

type printed struct {
	Header
	N int `json:"n"`
}

func (p printed) WriteText(w io.Writer, st Style) error {
	_, err := fmt.Fprintf(w, "%s: %d\n", st.Bold("n"), p.N)
	return err
}

func TestPrint(t *testing.T) {
	t.Parallel()
	r := printed{Header: NewHeader("test"), N: 3}
	for _, tc := range []struct {
		f    Format
		want string
	}{
		{Text, "n: 3\n"},
		{JSON, "{\n  \"schemaVersion\": 1,\n  \"kind\": \"test\",\n  \"n\": 3\n}\n"},
		{YAML, "schemaVersion: 1\nkind: test\nn: 3\n"},
	} {
		var b bytes.Buffer
		if err := Print(&b, tc.f, r, Style{}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, b.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.f, diff)
		}
	}
	if err := Print(&bytes.Buffer{}, Markdown, r, Style{}); err == nil {
		t.Errorf("markdown of a result without it: no error")
	}
}
