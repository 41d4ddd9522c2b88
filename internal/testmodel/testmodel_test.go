package testmodel

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/testmodel/onnxpb"
)

func TestValidate(t *testing.T) {
	if err := Tiny().Validate(); err != nil {
		t.Fatalf("Tiny(): %v", err)
	}
	for name, tc := range map[string]struct {
		edit func(*Spec)
		want string
	}{
		"model type":   {func(s *Spec) { s.ModelType = "gpt2" }, "model type"},
		"heads":        {func(s *Spec) { s.Heads = 3 }, "not a multiple"},
		"zero hidden":  {func(s *Spec) { s.Hidden = 0 }, "positive"},
		"input type":   {func(s *Spec) { s.InputType = onnxpb.Float }, "input type"},
		"output type":  {func(s *Spec) { s.OutputType = onnxpb.Int64 }, "output type"},
		"seq > maxpos": {func(s *Spec) { s.SeqLen = 65 }, "exceeds the 64 position"},
		"negative dim": {func(s *Spec) { s.Batch = -1 }, "want ≥ 0"},
		"same names":   {func(s *Spec) { s.MaskName = "input_ids" }, "not distinct"},
		"extra clash":  {func(s *Spec) { s.ExtraInputs = []onnxpb.ValueInfo{{Name: "token_type_ids"}} }, "already an input"},
	} {
		s := Tiny()
		tc.edit(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, tc.want)
		}
		if _, err := Build(&bytes.Buffer{}, s); err == nil {
			t.Errorf("%s: Build wrote an invalid spec", name)
		}
	}
}

func TestInputNames(t *testing.T) {
	s := Tiny()
	if got := s.InputNames(); !slices.Equal(got, []string{"input_ids", "attention_mask", "token_type_ids"}) {
		t.Errorf("default names %v", got)
	}
	s.MaskName, s.TypeIDsName = "input_mask", "segment_ids"
	if got := s.InputNames(); !slices.Equal(got, []string{"input_ids", "input_mask", "segment_ids"}) {
		t.Errorf("TF names %v", got)
	}
	s.TypeVocab, s.NoMask = 0, true
	if got := s.InputNames(); !slices.Equal(got, []string{"input_ids"}) {
		t.Errorf("ids only %v", got)
	}
}

// The same Spec gives the same bytes; the seed and the interface options
// change them.
func TestBuildDeterministic(t *testing.T) {
	build := func(s Spec) []byte {
		var b bytes.Buffer
		n, err := Build(&b, s)
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(b.Len()) {
			t.Fatalf("Build says %d bytes, wrote %d", n, b.Len())
		}
		return b.Bytes()
	}
	base := build(Tiny())
	if !bytes.Equal(base, build(Tiny())) {
		t.Error("two builds of Tiny() differ")
	}
	if want := 4 * Tiny().NumParams(); int64(len(base)) < want {
		t.Errorf("%d bytes for %d float parameters", len(base), Tiny().NumParams())
	}
	for name, edit := range map[string]func(*Spec){
		"seed":    func(s *Spec) { s.Seed = 2 },
		"int32":   func(s *Spec) { s.InputType = onnxpb.Int32 },
		"names":   func(s *Spec) { s.MaskName = "input_mask" },
		"fixed":   func(s *Spec) { s.SeqLen = 64 },
		"fp16":    func(s *Spec) { s.OutputType = onnxpb.Float16 },
		"dynamic": func(s *Spec) { s.OutputLabelsParam = "num_labels" },
	} {
		s := Tiny()
		edit(&s)
		if bytes.Equal(base, build(s)) {
			t.Errorf("%s: same bytes as Tiny()", name)
		}
	}
	// InputType 0 and Int64, OutputType 0 and Float are the same model.
	s := Tiny()
	s.InputType, s.OutputType = onnxpb.Int64, onnxpb.Float
	if !bytes.Equal(base, build(s)) {
		t.Error("explicit int64/float differ from the defaults")
	}
}
