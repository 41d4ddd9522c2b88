package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/benchmarks/checkpoint"
	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/stats"
	"github.com/nerbench/nerbench/internal/testmodel"
	"github.com/nerbench/nerbench/internal/testmodel/onnxpb"
	"github.com/nerbench/nerbench/internal/testmodel/wordpiece"
)

// tinyDemo is the tiny demo checkpoint that make demo-tiny generates.
const tinyDemo = "../../outputs/hpo/tiny/trial_0/checkpoint"

func TestMain(m *testing.M) {
	if _, err := engine.Init(""); err != nil {
		fmt.Fprintln(os.Stderr, "runner tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	if err := engine.Shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, "runner tests:", err)
		code = 1
	}
	os.Exit(code)
}

// texts have different lengths, so that padding to the longest of a batch
// shows; the first is the golden text of Tribuo's tiny BERT (see the
// fixtures tests).
var texts = []string{
	"It is a truth universally acknowledged,",
	"the cat sat",
	"that a single man in possession of a good fortune, must be in want of a wife.",
	"yes",
	"however little known the feelings or views of such a man may be",
}

// ownVocab is a cased WordPiece vocabulary trained on texts counted twice,
// so that every word of them is one token, with the special tokens where
// Tribuo's tiny BERT has them: [UNK]=0 [SEP]=1 [PAD]=2 [CLS]=3, so that a
// pad id of 0 cannot hide wrong padding.
func ownVocab(t *testing.T) *wordpiece.Vocab {
	t.Helper()
	toks := wordpiece.Train(append(slices.Clone(texts), texts...), 1<<20).Tokens()
	copy(toks, []string{"[UNK]", "[SEP]", "[PAD]", "[CLS]"})
	v, err := wordpiece.New(toks)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// ownTokenizer writes ownVocab's tokenizer.json into a temporary folder.
func ownTokenizer(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := ownVocab(t).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func settings() config.Settings {
	s := config.DefaultSettings()
	s.Device, s.IntraOpThreads, s.InterOpThreads = "cpu", 1, 1
	return s
}

// checkpointDir makes a checkpoint folder: the model written by model, a
// copy of the tokenizer file, and config.json when cfg is not nil.
func checkpointDir(t *testing.T, model func(path string) error, tokenizer string, cfg map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	if err := model(filepath.Join(dir, "model.onnx")); err != nil {
		t.Fatal(err)
	}
	copyFile(t, tokenizer, filepath.Join(dir, "tokenizer.json"))
	if cfg != nil {
		b, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func specModel(spec testmodel.Spec) func(string) error {
	return func(path string) error { return testmodel.WriteFile(path, spec) }
}

func open(t *testing.T, dir string, s config.Settings) *Model {
	t.Helper()
	m, err := Open(filepath.Base(dir), dir, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return m
}

func encode(t *testing.T, m *Model, texts []string) *Encoded {
	t.Helper()
	enc, err := m.Encode(texts)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func prepare(t *testing.T, m *Model, enc *Encoded, size int) *Batches {
	t.Helper()
	bs, err := m.Prepare(enc, size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := bs.Close(); err != nil {
			t.Error(err)
		}
	})
	return bs
}

// echoOutputs are the outputs of the echo model, one per input role.
var echoOutputs = [...]string{"ids_echo", "mask_echo", "types_echo"}

// echoModel writes a model whose outputs are its inputs input_ids,
// attention_mask and token_type_ids cast to float: running a batch shows
// exactly what the runner fed. seq > 0 fixes the sequence length.
func echoModel(seq int) func(string) error {
	return func(path string) error {
		dims := []onnxpb.Dim{{Param: "batch"}, {Param: "sequence"}}
		if seq > 0 {
			dims[1] = onnxpb.Dim{Value: int64(seq)}
		}
		g := onnxpb.Graph{Name: "echo"}
		for i, in := range []string{"input_ids", "attention_mask", "token_type_ids"} {
			g.Inputs = append(g.Inputs, onnxpb.ValueInfo{Name: in, ElemType: onnxpb.Int64, Dims: dims})
			g.Outputs = append(g.Outputs, onnxpb.ValueInfo{Name: echoOutputs[i], ElemType: onnxpb.Float, Dims: dims})
			g.Nodes = append(g.Nodes, onnxpb.Node{Name: "cast_" + in, OpType: "Cast", Inputs: []string{in},
				Outputs: []string{echoOutputs[i]}, Attrs: []onnxpb.Attr{onnxpb.AttrInt("to", onnxpb.Float)}})
		}
		m := &onnxpb.Model{IRVersion: testmodel.IRVersion, ProducerName: "nerbench-runner-test",
			Opsets: []onnxpb.Opset{{Version: testmodel.OpsetVersion}}, Graph: g}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if _, err := m.WriteTo(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// fed runs batch k and returns what the echo model saw: ids, mask and
// token type ids, row-major.
func fed(t *testing.T, bs *Batches, k int) [3][]int64 {
	t.Helper()
	if err := bs.Run(k); err != nil {
		t.Fatal(err)
	}
	var got [3][]int64
	for i, name := range echoOutputs {
		out, _, err := bs.items[k].Float32Output(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out {
			got[i] = append(got[i], int64(v))
		}
	}
	return got
}

// expectBatch lays out the separately encoded rows as the runner must:
// padded to the longest row, or to fixed when it is > 0.
func expectBatch(t *testing.T, m *Model, rows []string, fixed int) (seq int, want [3][]int64) {
	t.Helper()
	var encs [][]int64
	for _, text := range rows {
		e, err := m.Tokenizer.Encode(text, m.MaxLength)
		if err != nil {
			t.Fatal(err)
		}
		encs = append(encs, e.IDs)
		seq = max(seq, len(e.IDs))
	}
	if fixed > 0 {
		seq = fixed
	}
	for _, ids := range encs {
		for i := range seq {
			if i < len(ids) {
				want[0], want[1], want[2] = append(want[0], ids[i]), append(want[1], 1), append(want[2], 0)
			} else {
				want[0], want[1], want[2] = append(want[0], m.Tokenizer.PadID), append(want[1], 0), append(want[2], m.Tokenizer.PadTypeID)
			}
		}
	}
	return seq, want
}

// A pass is ceil(n/size) batches; batch k holds texts k·size …
// k·size+size−1 (mod n), padded to its own longest text.
func TestPrepareRotation(t *testing.T) {
	m := open(t, checkpointDir(t, echoModel(0), ownTokenizer(t), nil), settings())
	if m.Tokenizer.PadID != 2 {
		t.Fatalf("the test tokenizer's pad id is %d, want 2: a pad id of 0 would not show wrong padding", m.Tokenizer.PadID)
	}
	for _, tc := range []struct {
		n, size, batches int
	}{
		{5, 1, 5},
		{5, 2, 3}, // batch 2 wraps: texts 4, 0
		{5, 5, 1},
		{5, 7, 1}, // larger than the test set: texts 0…4, 0, 1
		{4, 2, 2},
		{4, 6, 1},
		{3, 2, 2},
	} {
		t.Run(fmt.Sprintf("n=%d/size=%d", tc.n, tc.size), func(t *testing.T) {
			set := texts[:tc.n]
			enc := encode(t, m, set)
			bs := prepare(t, m, enc, tc.size)
			if want := (tc.n + tc.size - 1) / tc.size; bs.Len() != want || want != tc.batches {
				t.Fatalf("%d batches, want %d (table says %d)", bs.Len(), want, tc.batches)
			}
			tokens, padded := 0, 0
			for k := range bs.Len() {
				var rows []string
				for j := range tc.size {
					rows = append(rows, set[(k*tc.size+j)%tc.n])
				}
				seq, want := expectBatch(t, m, rows, 0)
				b := bs.items[k]
				if b.Size != tc.size || b.SeqLen != seq {
					t.Errorf("batch %d is %dx%d, want %dx%d (padded to its longest text)", k, b.Size, b.SeqLen, tc.size, seq)
				}
				got := fed(t, bs, k)
				for i, what := range []string{"ids", "mask", "token type ids"} {
					if !slices.Equal(got[i], want[i]) {
						t.Errorf("batch %d (texts %v) %s:\n got %v\nwant %v", k, rows, what, got[i], want[i])
					}
				}
				for _, v := range want[1] {
					tokens += int(v)
				}
				padded += tc.size * seq
			}
			if bs.Tokens != tokens || bs.PaddedTokens != padded {
				t.Errorf("Tokens %d, PaddedTokens %d; want %d, %d", bs.Tokens, bs.PaddedTokens, tokens, padded)
			}
		})
	}
	if _, err := m.Prepare(encode(t, m, texts), 0); err == nil {
		t.Error("batch size 0: no error")
	}
	if _, err := m.Encode(nil); err == nil {
		t.Error("no texts: no error")
	}
}

// A model that fixes the sequence length lowers max_length to it, and
// every batch is padded to it.
func TestFixedSequenceLength(t *testing.T) {
	const fixed = 16
	m := open(t, checkpointDir(t, echoModel(fixed), ownTokenizer(t), nil), settings())
	if m.MaxLength != fixed || m.Session.FixedSeqLen != fixed {
		t.Fatalf("MaxLength %d, fixed %d; want %d", m.MaxLength, m.Session.FixedSeqLen, fixed)
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "fixes the sequence length at 16") || !strings.Contains(m.Warnings[0], "512") {
		t.Errorf("warnings %q, want one saying max_length 512 was lowered to 16", m.Warnings)
	}
	enc := encode(t, m, texts)
	if enc.Truncated != 1 { // only texts[2] has more than 16 tokens
		t.Errorf("%d texts truncated, want 1", enc.Truncated)
	}
	for i, e := range enc.Encodings {
		if len(e.IDs) > fixed {
			t.Errorf("text %d has %d tokens, more than %d", i, len(e.IDs), fixed)
		}
	}
	bs := prepare(t, m, enc, 2)
	for k := range bs.Len() {
		rows := []string{texts[(2*k)%5], texts[(2*k+1)%5]}
		_, want := expectBatch(t, m, rows, fixed)
		if bs.items[k].SeqLen != fixed {
			t.Errorf("batch %d has sequence length %d, want %d", k, bs.items[k].SeqLen, fixed)
		}
		if got := fed(t, bs, k); !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
			t.Errorf("batch %d:\n got %v\nwant %v", k, got[0], want[0])
		}
	}

	// A lower max_length is left alone, without a warning.
	s := settings()
	s.MaxLength = 8
	m = open(t, checkpointDir(t, echoModel(fixed), ownTokenizer(t), nil), s)
	if m.MaxLength != 8 || len(m.Warnings) != 0 {
		t.Errorf("max_length 8 on a model fixed at 16: MaxLength %d, warnings %q", m.MaxLength, m.Warnings)
	}
	bs = prepare(t, m, encode(t, m, texts), 2)
	if bs.items[0].SeqLen != fixed {
		t.Errorf("sequence length %d, want the model's %d", bs.items[0].SeqLen, fixed)
	}
}

func TestMaxPositionEmbeddings(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fixed     int
		maxPos    int
		maxLength int
		want      int
		warnings  []string
	}{
		{"config lowers", 0, 12, 512, 12, []string{"max_position_embeddings allows 12 tokens: max_length 512 lowered to it"}},
		{"config above max_length", 0, 600, 512, 512, nil},
		{"max_length below both", 16, 12, 10, 10, nil},
		{"fixed then config", 16, 12, 512, 12, []string{"fixes the sequence length at 16: max_length 512", "max_position_embeddings allows 12 tokens: max_length 16 lowered to it"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := settings()
			s.MaxLength = tc.maxLength
			dir := checkpointDir(t, echoModel(tc.fixed), ownTokenizer(t), map[string]any{"max_position_embeddings": tc.maxPos})
			m := open(t, dir, s)
			if m.MaxLength != tc.want {
				t.Errorf("MaxLength %d, want %d", m.MaxLength, tc.want)
			}
			if len(m.Warnings) != len(tc.warnings) {
				t.Fatalf("warnings %q, want %d", m.Warnings, len(tc.warnings))
			}
			for i, w := range tc.warnings {
				if !strings.Contains(m.Warnings[i], w) {
					t.Errorf("warning %q should say %q", m.Warnings[i], w)
				}
			}
			if tc.maxPos < tc.maxLength && !strings.Contains(strings.Join(m.Warnings, "\n"), filepath.Join(m.Checkpoint.Dir, "config.json")) {
				t.Errorf("warnings %q should name config.json", m.Warnings)
			}
			enc := encode(t, m, texts)
			for i, e := range enc.Encodings {
				if len(e.IDs) > tc.want {
					t.Errorf("text %d has %d tokens, more than %d", i, len(e.IDs), tc.want)
				}
			}
		})
	}
}

func TestVocabSizeWarning(t *testing.T) {
	n := ownVocab(t).Len()
	for _, tc := range []struct {
		vocab int
		warn  bool
	}{{n - 1, true}, {n, false}, {30522, false}} {
		dir := checkpointDir(t, echoModel(0), ownTokenizer(t), map[string]any{"vocab_size": tc.vocab})
		m := open(t, dir, settings())
		got := strings.Join(m.Warnings, "\n")
		if tc.warn != (got != "") {
			t.Errorf("vocab_size %d with a %d-token tokenizer: warnings %q", tc.vocab, n, m.Warnings)
		}
		if tc.warn && (!strings.Contains(got, fmt.Sprintf("%d tokens", n)) || !strings.Contains(got, fmt.Sprintf("vocab_size %d", n-1)) || !strings.Contains(got, "tokenizer.json")) {
			t.Errorf("warning %q should name the tokenizer, its %d tokens and vocab_size %d", got, n, n-1)
		}
	}
}

// tinyDemoDir returns the tiny demo checkpoint, failing when it has not
// been generated.
func tinyDemoDir(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(tinyDemo, "model.onnx")); err != nil {
		t.Fatalf("tiny demo checkpoint missing (%v): run make demo-tiny (go run ./scripts/gendemo -only tiny)", err)
	}
	return tinyDemo
}

func TestMeasure(t *testing.T) {
	m := open(t, tinyDemoDir(t), settings())
	if len(m.Warnings) != 0 {
		t.Errorf("the demo checkpoint gives warnings %q", m.Warnings)
	}
	enc := encode(t, m, texts)
	const warmup, iterations, size = 2, 7, 2
	bs := prepare(t, m, enc, size)
	r, err := Measure(bs, warmup, iterations)
	if err != nil {
		t.Fatal(err)
	}
	// 7 iterations are rounded up to whole passes of ceil(len(texts)/2)
	// batches.
	pass := (len(texts) + size - 1) / size
	timed := (iterations + pass - 1) / pass * pass
	if timed < iterations || timed%pass != 0 {
		t.Fatalf("test: %d timed iterations are not whole passes of %d", timed, pass)
	}
	if r.BatchSize != size || r.Iterations != timed || len(r.SamplesNs) != timed {
		t.Fatalf("result: batch %d, %d iterations, %d samples; want %d, %d, %d", r.BatchSize, r.Iterations, len(r.SamplesNs), size, timed, timed)
	}
	if r.Workload == "" || r.Workload != bs.Workload || !(r.FirstRunNs > 0) || !(r.LoadNs > 0) || !r.HasDuring {
		t.Errorf("result: workload %q (batches %q), first run %v ns, load %v ns, conditions taken %v", r.Workload, bs.Workload, r.FirstRunNs, r.LoadNs, r.HasDuring)
	}
	if want := float64(bs.PaddedTokens) / float64(bs.Len()); r.MeanPadded != want || r.MeanPadded < r.MeanTokens {
		t.Errorf("MeanPadded %v, want %v (≥ MeanTokens %v)", r.MeanPadded, want, r.MeanTokens)
	}
	for i, v := range r.SamplesNs {
		if !(v > 0) || math.IsInf(v, 0) {
			t.Errorf("sample %d = %v ns, want > 0", i, v)
		}
	}
	if want := stats.Summarize(r.SamplesNs, size); r.Summary != want {
		t.Errorf("Summary %+v, want stats.Summarize's %+v", r.Summary, want)
	}
	if r.Summary.N != timed || r.Summary.MinNs > r.Summary.MedianNs || r.Summary.MedianNs > r.Summary.MaxNs {
		t.Errorf("implausible summary %+v", r.Summary)
	}
	if want := float64(bs.Tokens) / float64(bs.Len()); r.MeanTokens != want || want <= 0 {
		t.Errorf("MeanTokens %v, want %v", r.MeanTokens, want)
	}
	if _, err := Measure(bs, 0, 0); err == nil {
		t.Error("0 iterations: no error")
	}
}

// The timed loop makes no Go allocation.
func TestTimeDoesNotAllocate(t *testing.T) {
	m := open(t, tinyDemoDir(t), settings())
	bs := prepare(t, m, encode(t, m, texts[:3]), 2)
	samples := make([]float64, 4)
	var err error
	allocs := testing.AllocsPerRun(10, func() { err = bs.Time(samples, 1) })
	if err != nil {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Errorf("Time makes %v allocations per call, want 0", allocs)
	}
	for i, v := range samples {
		if !(v > 0) {
			t.Errorf("sample %d = %v", i, v)
		}
	}
}

// wordLevelTokenizer writes a lower-casing WordLevel tokenizer.json of
// fewer than 20 entries, for models whose embedding has 20 rows.
func wordLevelTokenizer(t *testing.T) string {
	t.Helper()
	words := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "a", "man", "yes", "of", "is", "it", ","}
	vocab := map[string]int{}
	var added []map[string]any
	for i, w := range words {
		vocab[w] = i
		if strings.HasPrefix(w, "[") {
			added = append(added, map[string]any{"id": i, "content": w, "special": true, "single_word": false,
				"lstrip": false, "rstrip": false, "normalized": false})
		}
	}
	doc := map[string]any{
		"version":        "1.0",
		"truncation":     nil,
		"padding":        nil,
		"added_tokens":   added,
		"normalizer":     map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": true, "lowercase": true},
		"pre_tokenizer":  map[string]any{"type": "BertPreTokenizer"},
		"post_processor": map[string]any{"type": "BertProcessing", "sep": []any{"[SEP]", 3}, "cls": []any{"[CLS]", 2}},
		"model":          map[string]any{"type": "WordLevel", "vocab": vocab, "unk_token": "[UNK]"},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// endToEnd is one checkpoint of an end-to-end test.
type endToEnd struct {
	name      string
	dir       func(t *testing.T) string
	output    string
	maxLength int // MaxLength expected after Open
	maxID     int64
}

// runEndToEnd runs each checkpoint end to end: open, encode, prepare, warm
// up, time, with finite outputs.
func runEndToEnd(t *testing.T, cases []endToEnd) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := open(t, tc.dir(t), settings())
			if m.MaxLength != tc.maxLength {
				t.Errorf("MaxLength %d, want %d (warnings %q)", m.MaxLength, tc.maxLength, m.Warnings)
			}
			enc := encode(t, m, texts)
			for i, e := range enc.Encodings {
				for _, id := range e.IDs {
					if id < 0 || id >= tc.maxID {
						t.Fatalf("text %d: id %d outside the model's vocabulary of %d", i, id, tc.maxID)
					}
				}
			}
			const size = 2
			bs := prepare(t, m, enc, size)
			r, err := Measure(bs, 1, 5)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range r.SamplesNs {
				if !(v > 0) {
					t.Errorf("sample %d = %v", i, v)
				}
			}
			for k := range bs.Len() {
				if err := bs.Run(k); err != nil {
					t.Fatal(err)
				}
				out, shape, err := bs.items[k].Float32Output(tc.output)
				if err != nil {
					t.Fatal(err)
				}
				if len(out) == 0 || shape[0] != size {
					t.Fatalf("batch %d: output %s shape %v", k, tc.output, shape)
				}
				for _, v := range out {
					if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
						t.Fatalf("batch %d: non-finite output %v", k, v)
					}
				}
			}
		})
	}
}

// The demo model and generated variants, each as a checkpoint with a
// compatible tokenizer, run end to end.
func TestCheckpointsEndToEnd(t *testing.T) {
	n := ownVocab(t).Len()
	// The Hugging Face interface, with a vocabulary covering the test
	// tokenizer's.
	hf := testmodel.Tiny()
	hf.Vocab = n
	// The same with int32 inputs named as TF exports name them, and a fixed
	// sequence length of 32.
	variant := hf
	variant.InputType, variant.MaskName, variant.TypeIDsName, variant.SeqLen = onnxpb.Int32, "input_mask", "segment_ids", 32
	noTypes := hf
	noTypes.TypeVocab, noTypes.MaxPos = 0, 10
	// A DistilBERT-shaped model without token types whose embedding has 20
	// rows, fed by a WordLevel tokenizer of fewer entries.
	small := testmodel.Tiny()
	small.ModelType, small.TypeVocab, small.Vocab, small.OutputName = "distilbert", 0, 20, "output_0"

	runEndToEnd(t, []endToEnd{
		{"tiny-hf-interface", func(t *testing.T) string {
			return checkpointDir(t, specModel(hf), ownTokenizer(t), nil)
		}, "logits", 64, int64(n)}, // max_length lowered to the 64 position rows of the graph
		{"distilbert-wordlevel-tokenizer", func(t *testing.T) string {
			return checkpointDir(t, specModel(small), wordLevelTokenizer(t), nil)
		}, "output_0", 64, 20},
		{"demo-tiny", func(t *testing.T) string { return tinyDemoDir(t) }, "logits", 512, 1 << 20},
		{"int32-tf-names-seq32", func(t *testing.T) string {
			return checkpointDir(t, specModel(variant), ownTokenizer(t), nil)
		}, "logits", 32, int64(n)},
		{"no-token-types-maxpos10", func(t *testing.T) string {
			return checkpointDir(t, specModel(noTypes), ownTokenizer(t), map[string]any{"max_position_embeddings": 10, "vocab_size": n})
		}, "logits", 10, int64(n)},
	})
}

// Text to output through the runner is what the engine gives for the ids
// the tokenizer generator computes itself, and a golden vector of the
// project's own model and tokenizer.
func TestGoldenThroughRunner(t *testing.T) {
	v := ownVocab(t)
	spec := testmodel.Tiny()
	spec.Vocab = v.Len()
	m := open(t, checkpointDir(t, specModel(spec), ownTokenizer(t), nil), settings())
	bs := prepare(t, m, encode(t, m, texts[:1]), 1)
	if err := bs.Run(0); err != nil {
		t.Fatal(err)
	}
	got, _, err := bs.items[0].Float32Output("logits")
	if err != nil {
		t.Fatal(err)
	}

	var ids []int64
	for _, id := range v.Encode(texts[0]) {
		ids = append(ids, int64(id))
	}
	mask := slices.Repeat([]int64{1}, len(ids))
	b, err := m.Session.NewBatch(1, len(ids), ids, mask, make([]int64, len(ids)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Destroy()
	if err := m.Session.Run(b); err != nil {
		t.Fatal(err)
	}
	direct, _, err := b.Float32Output("logits")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, direct) {
		t.Errorf("through the runner:\n %v\nthe engine on the generator's ids %v:\n %v", got[:9], ids, direct[:9])
	}

	// logits[0][0] as ONNX Runtime 1.30 computed them on x86-64.
	want := []float64{0.09126536548137665, 0.14328157901763916, -0.004769397899508476, 0.12262479215860367,
		-0.015470396727323532, -0.0661114752292633, 0.019960615783929825, 0.02722686156630516, 0.10704522579908371}
	if wantIDs := []int64{3, 124, 131, 8, 142, 143, 125, 5, 1}; !slices.Equal(ids, wantIDs) {
		t.Errorf("the generator's ids %v, want %v", ids, wantIDs)
	}
	for i, w := range want {
		if math.Abs(float64(got[i])-w) > 1e-5 {
			t.Errorf("logits[0][0][%d] = %v, want %v", i, got[i], w)
		}
	}
}

// A model that fixes the batch size runs that batch size only, and the
// error for another one names the model and both sizes.
func TestFixedBatchSize(t *testing.T) {
	spec := testmodel.Tiny()
	spec.Vocab, spec.Batch = ownVocab(t).Len(), 1
	m := open(t, checkpointDir(t, specModel(spec), ownTokenizer(t), nil), settings())
	enc := encode(t, m, texts)
	bs := prepare(t, m, enc, 1)
	if bs.Len() != len(texts) {
		t.Errorf("%d batches, want %d", bs.Len(), len(texts))
	}
	if _, err := Measure(bs, 0, 3); err != nil {
		t.Fatal(err)
	}
	_, err := m.Prepare(enc, 4)
	if err == nil {
		t.Fatal("batch size 4 on a model fixed at 1: no error")
	}
	if msg := err.Error(); !strings.Contains(msg, "batch size 4") || !strings.Contains(msg, "at 1") || !strings.Contains(msg, m.Name) {
		t.Errorf("error %q should name the model and both batch sizes", msg)
	}
}

// Ids past a model's embedding table (testmodel.Tiny() has 32 rows, the
// test tokenizer many more tokens, and no config.json to warn from) are
// caught before running, with an error that says the tokenizer and the
// model do not match.
func TestIDsPastTheEmbedding(t *testing.T) {
	m := open(t, checkpointDir(t, specModel(testmodel.Tiny()), ownTokenizer(t), nil), settings())
	_, err := m.Encode(texts)
	if err == nil || !errors.Is(err, ErrMismatch) {
		t.Fatalf("ids up to %d on a 32-row embedding: error %v", ownVocab(t).Len()-1, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "≥ vocabulary 32 of") || !strings.Contains(msg, "model.onnx") || !strings.Contains(msg, "do not match") {
		t.Errorf("error %q should name the id, the vocabulary and the model", msg)
	}
}

// Without config.json, the position embedding table of the graph bounds
// max_length, with a warning, as max_position_embeddings does.
func TestPositionsFromGraph(t *testing.T) {
	spec := testmodel.Tiny()
	spec.Vocab, spec.MaxPos = ownVocab(t).Len(), 12
	m := open(t, checkpointDir(t, specModel(spec), ownTokenizer(t), nil), settings())
	if m.MaxLength != 12 {
		t.Errorf("max_length %d, want 12 (the graph's position rows)", m.MaxLength)
	}
	if w := strings.Join(m.Warnings, "\n"); !strings.Contains(w, "position_embeddings.weight) allow 12 tokens: max_length 512 lowered to it") {
		t.Errorf("warnings: %s", w)
	}
	long := strings.Repeat("the cat sat ", 20)
	enc := encode(t, m, []string{long, texts[0]})
	bs := prepare(t, m, enc, 2)
	if _, err := Measure(bs, 0, 2); err != nil {
		t.Errorf("a long text at the lowered max_length: %v", err)
	}
}

// Batches that would take more memory than the limit are refused before
// anything is allocated.
func TestMemoryLimit(t *testing.T) {
	spec := testmodel.Tiny()
	spec.Vocab = ownVocab(t).Len()
	m := open(t, checkpointDir(t, specModel(spec), ownTokenizer(t), nil), settings())
	enc := encode(t, m, texts)
	old := MemoryLimit
	defer func() { MemoryLimit = old }()
	MemoryLimit = 64 << 10
	_, err := m.Prepare(enc, 4096)
	if !errors.Is(err, ErrTooMuchMemory) || !strings.Contains(err.Error(), "batch size 4096") {
		t.Errorf("Prepare: %v, want ErrTooMuchMemory naming the batch size", err)
	}
	MemoryLimit = 0 // the default: half the available memory
	bs := prepare(t, m, enc, 2)
	if bs.Len() == 0 {
		t.Errorf("%d batches", bs.Len())
	}
	for _, c := range []struct {
		in   string
		want int64
	}{{"512M", 512 << 20}, {"8G", 8 << 30}, {"1.5GiB", 3 << 29}, {"1000", 1000}} {
		if got, err := config.ParseBytes(c.in); err != nil || got != c.want {
			t.Errorf("ParseBytes(%q) = %d, %v", c.in, got, err)
		}
	}
	if _, err := config.ParseBytes("lots"); err == nil {
		t.Error("ParseBytes(lots): no error")
	}
}

func TestUsablePositions(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   int
	}{
		{`{"model_type": "bert", "max_position_embeddings": 512}`, 512},
		{`{"model_type": "roberta", "max_position_embeddings": 514, "pad_token_id": 1}`, 512},
		{`{"model_type": "xlm-roberta", "max_position_embeddings": 514}`, 512},
		{`{"model_type": "distilbert"}`, 0},
	} {
		c, err := checkpoint.ParseConfig([]byte(tc.config))
		if err != nil {
			t.Fatal(err)
		}
		if got := usablePositions(c); got != tc.want {
			t.Errorf("%s: %d usable positions, want %d", tc.config, got, tc.want)
		}
	}
}
