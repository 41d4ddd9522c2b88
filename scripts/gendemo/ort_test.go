package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/internal/testmodel/wordpiece"
)

var (
	ortOnce sync.Once
	ortErr  error
)

// initORT initialises the ONNX Runtime environment once per test binary;
// TestMain destroys it.
func initORT(t *testing.T) {
	t.Helper()
	ortOnce.Do(func() {
		lib, err := engine.LibraryPath() // names scripts/setup-ort.sh when missing
		if err != nil {
			ortErr = err
			return
		}
		ort.SetSharedLibraryPath(lib)
		ortErr = ort.InitializeEnvironment(ort.WithLogLevelError())
	})
	if ortErr != nil {
		t.Fatalf("onnxruntime: %v", ortErr)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if ort.IsInitialized() {
		if err := ort.DestroyEnvironment(); err != nil {
			fmt.Fprintln(os.Stderr, "destroying onnxruntime environment:", err)
		}
	}
	os.Exit(code)
}

// ortModel is an ONNX Runtime session over a demo model.
type ortModel struct {
	a    arch
	sess *ort.DynamicAdvancedSession
}

func openORT(t *testing.T, path string, a arch, threads int) *ortModel {
	t.Helper()
	initORT(t)
	opts, err := ort.NewSessionOptions()
	if err != nil {
		t.Fatal(err)
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(threads); err != nil {
		t.Fatal(err)
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		t.Fatal(err)
	}
	inputs := []string{"input_ids", "attention_mask"}
	if a.TypeVocab > 0 {
		inputs = append(inputs, "token_type_ids")
	}
	s, err := ort.NewDynamicAdvancedSession(path, inputs, []string{"logits"}, opts)
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	t.Cleanup(func() { s.Destroy() })
	return &ortModel{a: a, sess: s}
}

// run returns the logits of a [B, S] batch and their shape.
func (m *ortModel) run(t *testing.T, B, S int, ids, mask, types []int64) ([]float32, ort.Shape) {
	t.Helper()
	shape := ort.NewShape(int64(B), int64(S))
	var ins []ort.Value
	defer func() {
		for _, v := range ins {
			v.Destroy()
		}
	}()
	for _, data := range [][]int64{ids, mask, types}[:2+min(m.a.TypeVocab, 1)] {
		v, err := ort.NewTensor(shape, data)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, v)
	}
	outs := []ort.Value{nil}
	if err := m.sess.Run(ins, outs); err != nil {
		t.Fatalf("run [%d, %d]: %v", B, S, err)
	}
	defer outs[0].Destroy()
	out, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		t.Fatalf("logits are %T, want *Tensor[float32]", outs[0])
	}
	return slices.Clone(out.GetData()), out.GetShape()
}

// batch pads sequences on the right to the longest and returns the flat
// ids, mask and token type ids.
func batch(seqs [][]int64, types [][]int64) (S int, ids, mask, tt []int64) {
	for _, s := range seqs {
		S = max(S, len(s))
	}
	for i, s := range seqs {
		for j := range S {
			if j < len(s) {
				ids = append(ids, s[j])
				mask = append(mask, 1)
				var ty int64
				if types != nil {
					ty = types[i][j]
				}
				tt = append(tt, ty)
			} else {
				ids, mask, tt = append(ids, wordpiece.PadID), append(mask, 0), append(tt, 0)
			}
		}
	}
	return S, ids, mask, tt
}

func toInt64(ids []int) []int64 {
	out := make([]int64, len(ids))
	for i, v := range ids {
		out[i] = int64(v)
	}
	return out
}

func maxAbsDiff(a []float32, b []float64) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i])-b[i]))
	}
	return d
}

// testSetup returns the corpus-trained vocabulary (shared by the tests).
var testSetup = sync.OnceValues(func() (*generator, error) {
	g := &generator{}
	return g, g.prepare()
})

func demoVocab(t *testing.T) *wordpiece.Vocab {
	t.Helper()
	g, err := testSetup()
	if err != nil {
		t.Fatal(err)
	}
	return g.vocab
}

// checkModel writes a's model, then checks it with ONNX Runtime: its inputs
// and outputs, finite [B, S, 9] logits, masking (a padded sequence gives the
// logits it gives alone), and agreement with the Go reference.
func checkModel(t *testing.T, a arch, seed uint64) {
	v := demoVocab(t)
	a = a.withVocab(v.Len())
	path := filepath.Join(t.TempDir(), "model.onnx")
	size, err := writeModel(path, a, seed)
	if err != nil {
		t.Fatal(err)
	}
	if want := 4 * a.numParams(); size < want || size > want+1<<20 {
		t.Errorf("model is %d bytes, want a little over %d (4 bytes per parameter)", size, want)
	}

	initORT(t)
	ins, outs, err := ort.GetInputOutputInfo(path)
	if err != nil {
		t.Fatalf("GetInputOutputInfo: %v", err)
	}
	wantIn := []string{"input_ids", "attention_mask", "token_type_ids"}[:2+min(a.TypeVocab, 1)]
	var gotIn []string
	for _, in := range ins {
		gotIn = append(gotIn, in.Name)
		if in.DataType != ort.TensorElementDataTypeInt64 || !slices.Equal(in.Dimensions, ort.NewShape(-1, -1)) {
			t.Errorf("input %s: %v %v, want int64 [-1 -1] (symbolic batch, sequence)", in.Name, in.DataType, in.Dimensions)
		}
	}
	if !slices.Equal(gotIn, wantIn) {
		t.Errorf("inputs %v, want %v", gotIn, wantIn)
	}
	if len(outs) != 1 || outs[0].Name != "logits" || outs[0].DataType != ort.TensorElementDataTypeFloat ||
		!slices.Equal(outs[0].Dimensions, ort.NewShape(-1, -1, int64(len(labels)))) {
		t.Errorf("outputs %+v, want logits float [-1 -1 %d]", outs, len(labels))
	}

	m := openORT(t, path, a, 1)
	g, _ := testSetup()
	var long []int64
	for _, text := range g.texts {
		if long = toInt64(v.Encode(text)); len(long) >= 40 {
			break
		}
	}
	long = long[:40]
	long[len(long)-1] = wordpiece.SepID
	short := toInt64(v.Encode("Angela Merkel met Emmanuel Macron in Paris on 3 March 2021 to discuss energy prices."))
	if len(short) >= len(long) {
		t.Fatalf("short sequence has %d tokens, want fewer than %d", len(short), len(long))
	}
	// Token types: zeros, except the second half of the long sequence, to
	// exercise the token type embedding against the reference.
	types := [][]int64{make([]int64, len(long)), make([]int64, len(short))}
	for j := len(long) / 2; j < len(long); j++ {
		types[0][j] = 1
	}
	S, ids, mask, tt := batch([][]int64{long, short}, types)
	L := len(labels)
	logits, shape := m.run(t, 2, S, ids, mask, tt)
	if !slices.Equal(shape, ort.NewShape(2, int64(S), int64(L))) {
		t.Fatalf("logits shape %v, want [2 %d %d]", shape, S, L)
	}
	for i, x := range logits {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			t.Fatalf("logit %d is %v", i, x)
		}
	}

	// Masking: the padded short sequence's real positions match a run alone.
	alone, _ := m.run(t, 1, len(short), short, slices.Repeat([]int64{1}, len(short)), make([]int64, len(short)))
	padded := logits[S*L : S*L+len(short)*L]
	var d float64
	for i := range alone {
		d = max(d, math.Abs(float64(alone[i]-padded[i])))
	}
	if d > 1e-4 {
		t.Errorf("padded vs alone: max |Δlogit| = %g, want ≤ 1e-4 (the attention mask does not work)", d)
	}
	// And the mask matters: attending to the padding changes the logits.
	unmasked, _ := m.run(t, 2, S, ids, slices.Repeat([]int64{1}, len(ids)), tt)
	var dm float64
	for i := range len(short) * L {
		dm = max(dm, math.Abs(float64(unmasked[S*L+i]-padded[i])))
	}
	if dm < 1e-3 {
		t.Errorf("attending to padding changed the logits by only %g; the masking check is not sensitive", dm)
	}
	t.Logf("%s: %.2fM params, %d bytes; padded vs alone max |Δ| %.2g; unmasked vs masked %.2g", a.Backbone, float64(a.numParams())/1e6, size, d, dm)

	// Reference forward pass, every position of both rows.
	ref := newRefModel(a, seed)
	for r := range 2 {
		var want []float64
		for _, row := range ref.forward(ids[r*S:(r+1)*S], tt[r*S:(r+1)*S], mask[r*S:(r+1)*S]) {
			want = append(want, row...)
		}
		if d := maxAbsDiff(logits[r*S*L:(r+1)*S*L], want); d > 1e-4 {
			t.Errorf("row %d: ORT vs Go reference max |Δlogit| = %g, want ≤ 1e-4", r, d)
		} else {
			t.Logf("row %d: ORT vs Go reference max |Δlogit| = %.2g", r, d)
		}
	}
}

func TestTinyModelORT(t *testing.T) {
	a, _ := archByName("tiny")
	checkModel(t, a, modelSeed("tiny", 0))
}

// TestSmallDistilBERTShapeORT checks the DistilBERT graph (no
// token_type_ids) on a small instance of it.
func TestSmallDistilBERTShapeORT(t *testing.T) {
	a, _ := archByName("distilbert")
	a.Backbone, a.Layers, a.Hidden, a.Heads, a.Intermediate, a.Vocab = "distilbert-small", 2, 64, 4, 128, 0
	checkModel(t, a, 7)
}

// TestFullSizeModelsORT generates the distilbert- and bert-base-shaped
// models into a temporary folder, runs each once at batch 1, sequence 128,
// and reports generation and run times. It writes about 700 MB, so it runs
// only with GENDEMO_BIG=1.
func TestFullSizeModelsORT(t *testing.T) {
	if os.Getenv("GENDEMO_BIG") == "" {
		t.Skip("set GENDEMO_BIG=1 to generate and run the full-size models (about 700 MB in the temp folder)")
	}
	v := demoVocab(t)
	g, _ := testSetup()
	for _, name := range []string{"distilbert", "bert"} {
		t.Run(name, func(t *testing.T) {
			a, _ := archByName(name)
			a = a.withVocab(v.Len())
			path := filepath.Join(t.TempDir(), "model.onnx")
			start := time.Now()
			size, err := writeModel(path, a, modelSeed(name, 0))
			if err != nil {
				t.Fatal(err)
			}
			gen := time.Since(start)
			start = time.Now()
			m := openORT(t, path, a, 2)
			load := time.Since(start)

			const S = 128
			var ids []int64
			for _, text := range g.texts {
				if ids = toInt64(v.Encode(text)); len(ids) > S {
					break
				}
			}
			ids = ids[:S]
			ids[S-1] = wordpiece.SepID
			mask := slices.Repeat([]int64{1}, S)
			var runs []time.Duration
			var logits []float32
			var shape ort.Shape
			for range 3 {
				start = time.Now()
				logits, shape = m.run(t, 1, S, ids, mask, make([]int64, S))
				runs = append(runs, time.Since(start))
			}
			if !slices.Equal(shape, ort.NewShape(1, S, int64(len(labels)))) {
				t.Fatalf("logits shape %v, want [1 %d %d]", shape, S, len(labels))
			}
			for i, x := range logits {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					t.Fatalf("logit %d is %v", i, x)
				}
			}
			t.Logf("%s: %.1fM params, model.onnx %.1f MB, generated in %.2fs, session created in %.2fs, runs at batch 1 seq %d (2 threads): %v",
				name, float64(a.numParams())/1e6, float64(size)/1e6, gen.Seconds(), load.Seconds(), S, runs)
		})
	}
}
