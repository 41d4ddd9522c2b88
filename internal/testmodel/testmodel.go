// Package testmodel writes BERT-shaped token-classification models as ONNX
// (opset 17, IR version 8) with seeded random weights, in pure Go.
//
// A Spec says the architecture (layers, sizes, Hugging Face initializer
// names of BERT or DistilBERT) and the graph's interface: input names and
// element type, fixed or dynamic batch and sequence dimensions, the
// output's name and element type, and extra inputs. scripts/gendemo writes
// the demo checkpoints with it; tests build small variants of the shapes
// real exports have (int32 inputs, input_mask/segment_ids, a fixed
// sequence length …) to check that nerbench handles them.
//
// The graph: word + position (+ token type) embeddings and LayerNorm; per
// layer, multi-head self-attention with the extended attention mask
// (1 − mask)·−10000, residual and LayerNorm, a GELU (erf) feed-forward,
// residual and LayerNorm; then a linear classifier whose output is the
// graph output [batch, sequence, labels].
package testmodel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/nerbench/nerbench/internal/testmodel/onnxpb"
)

// Labels are the CoNLL-2003 BIO tags the demo classifiers predict; a Spec
// with NumLabels 0 has one output per label.
var Labels = []string{"O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"}

const (
	OpsetVersion = 17
	IRVersion    = 8
	// MaskFill is added to the attention scores of padded positions.
	MaskFill = -10000.0
	// InitStd is the standard deviation of the normal initializers.
	InitStd = 0.02
)

// Default names of the graph's inputs and output.
const (
	DefaultIDsName     = "input_ids"
	DefaultMaskName    = "attention_mask"
	DefaultTypeIDsName = "token_type_ids"
	DefaultOutputName  = "logits"
)

// Spec describes one model. The zero values of the interface fields give
// the Hugging Face export's interface: int64 inputs input_ids,
// attention_mask (and token_type_ids when TypeVocab > 0) of dynamic shape
// [batch, sequence], and a float output logits [batch, sequence, labels].
type Spec struct {
	// ModelType is "bert" or "distilbert"; it chooses the initializer
	// names. "" means "bert".
	ModelType    string
	Layers       int
	Hidden       int
	Heads        int // divides Hidden
	Intermediate int
	Vocab        int // rows of the word embedding
	MaxPos       int // rows of the position embedding
	// TypeVocab is the number of token types; 0 means no token type
	// embedding and no token type input (as DistilBERT).
	TypeVocab    int
	LayerNormEps float64
	// NumLabels is the classifier's output size; 0 means len(Labels).
	NumLabels int
	// Seed seeds every weight (see Param.Values).
	Seed uint64

	// InputType is the element type of the inputs: onnxpb.Int64 (or 0)
	// or onnxpb.Int32. Gather takes int32 indices as they are, so int32
	// inputs need no Cast.
	InputType int32
	// IDsName, MaskName and TypeIDsName name the inputs; "" means
	// input_ids, attention_mask and token_type_ids.
	IDsName, MaskName, TypeIDsName string
	// NoMask leaves out the attention mask input: every position attends
	// to every other.
	NoMask bool
	// Batch and SeqLen, when > 0, fix those dimensions in the inputs and
	// the output; 0 leaves them symbolic ("batch", "sequence").
	Batch, SeqLen int
	// OutputName names the output; "" means logits.
	OutputName string
	// OutputType is onnxpb.Float (or 0), or onnxpb.Float16: the logits are
	// then Cast to float16.
	OutputType int32
	// OutputLabelsParam, when not "", declares the output's last dimension
	// as this symbolic name instead of its size, and hides the size from
	// shape inference (a Tile by a count computed from the input ids, which
	// is always 1), so that ONNX Runtime reports the output's dimensions as
	// unknown, as it does for exports whose shapes ONNX cannot infer.
	OutputLabelsParam string
	// ExtraInputs are declared as graph inputs the graph does not use.
	ExtraInputs []onnxpb.ValueInfo

	// Model metadata.
	ProducerName, ProducerVersion, Doc string
}

// Tiny returns a small BERT Spec for tests: 1 layer, hidden size 16,
// 2 heads, a vocabulary of 32 and 64 positions, with 2 token types.
func Tiny() Spec {
	return Spec{ModelType: "bert", Layers: 1, Hidden: 16, Heads: 2, Intermediate: 32,
		Vocab: 32, MaxPos: 64, TypeVocab: 2, LayerNormEps: 1e-12, Seed: 1}
}

func (s Spec) numLabels() int {
	if s.NumLabels > 0 {
		return s.NumLabels
	}
	return len(Labels)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// InputNames returns the names of the inputs the graph feeds on, in order.
func (s Spec) InputNames() []string {
	names := []string{orDefault(s.IDsName, DefaultIDsName)}
	if !s.NoMask {
		names = append(names, orDefault(s.MaskName, DefaultMaskName))
	}
	if s.TypeVocab > 0 {
		names = append(names, orDefault(s.TypeIDsName, DefaultTypeIDsName))
	}
	return names
}

// Validate reports what makes s unbuildable.
func (s Spec) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch s.ModelType {
	case "", "bert", "distilbert":
	default:
		bad("model type %q: want bert or distilbert", s.ModelType)
	}
	if s.Layers < 0 || s.Hidden < 1 || s.Heads < 1 || s.Intermediate < 1 || s.Vocab < 1 || s.MaxPos < 1 || s.TypeVocab < 0 || s.NumLabels < 0 {
		bad("sizes must be positive (layers ≥ 0, type vocab and labels ≥ 0): %+v", s)
	} else if s.Hidden%s.Heads != 0 {
		bad("hidden size %d is not a multiple of %d heads", s.Hidden, s.Heads)
	}
	switch s.InputType {
	case 0, onnxpb.Int64, onnxpb.Int32:
	default:
		bad("input type %d: want int64 (%d) or int32 (%d)", s.InputType, onnxpb.Int64, onnxpb.Int32)
	}
	switch s.OutputType {
	case 0, onnxpb.Float, onnxpb.Float16:
	default:
		bad("output type %d: want float (%d) or float16 (%d)", s.OutputType, onnxpb.Float, onnxpb.Float16)
	}
	if s.Batch < 0 || s.SeqLen < 0 {
		bad("batch %d, sequence %d: want ≥ 0 (0 is dynamic)", s.Batch, s.SeqLen)
	}
	if s.SeqLen > s.MaxPos {
		bad("fixed sequence length %d exceeds the %d position embeddings", s.SeqLen, s.MaxPos)
	}
	seen := map[string]bool{}
	for _, n := range s.InputNames() {
		seen[n] = true
	}
	for _, in := range s.ExtraInputs {
		if seen[in.Name] || in.Name == "" {
			bad("extra input %q: empty or already an input", in.Name)
		}
		seen[in.Name] = true
	}
	if len(seen) != len(s.InputNames())+len(s.ExtraInputs) {
		bad("input names %v are not distinct", s.InputNames())
	}
	return errors.Join(errs...)
}

// EmbName returns the initializer name of embedding parameter which (e.g.
// "word_embeddings.weight").
func (s Spec) EmbName(which string) string {
	root := "bert"
	if s.ModelType == "distilbert" {
		root = "distilbert"
	}
	return root + ".embeddings." + which
}

// LayerName returns the initializer name of parameter p ("q", "k", "v",
// "o", "ln1", "ffn1", "ffn2", "ln2") of layer i, with suffix ".weight" or
// ".bias". Linear weights are stored as [in, out] (what MatMul wants, as
// exporters write them), not PyTorch's [out, in].
func (s Spec) LayerName(i int, p, suffix string) string {
	is := strconv.Itoa(i)
	if s.ModelType == "distilbert" {
		m := map[string]string{"q": "attention.q_lin", "k": "attention.k_lin", "v": "attention.v_lin", "o": "attention.out_lin",
			"ln1": "sa_layer_norm", "ffn1": "ffn.lin1", "ffn2": "ffn.lin2", "ln2": "output_layer_norm"}
		return "distilbert.transformer.layer." + is + "." + m[p] + suffix
	}
	m := map[string]string{"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value", "o": "attention.output.dense",
		"ln1": "attention.output.LayerNorm", "ffn1": "intermediate.dense", "ffn2": "output.dense", "ln2": "output.LayerNorm"}
	return "bert.encoder.layer." + is + "." + m[p] + suffix
}

// Params lists every initializer of the model in the order it is written.
func (s Spec) Params() []Param {
	H, I := int64(s.Hidden), int64(s.Intermediate)
	w := func(name string, dims ...int64) Param {
		return Param{Name: name, Dims: dims, Kind: InitNormal, Std: InitStd}
	}
	ln := func(prefix string) []Param {
		return []Param{
			{Name: prefix + ".weight", Dims: []int64{H}, Kind: InitOnes},
			{Name: prefix + ".bias", Dims: []int64{H}, Kind: InitZeros},
		}
	}
	ps := []Param{
		w(s.EmbName("word_embeddings.weight"), int64(s.Vocab), H),
		w(s.EmbName("position_embeddings.weight"), int64(s.MaxPos), H),
	}
	if s.TypeVocab > 0 {
		ps = append(ps, w(s.EmbName("token_type_embeddings.weight"), int64(s.TypeVocab), H))
	}
	ps = append(ps, ln(s.EmbName("LayerNorm"))...)
	for i := range s.Layers {
		for _, p := range []string{"q", "k", "v", "o"} {
			ps = append(ps, w(s.LayerName(i, p, ".weight"), H, H), w(s.LayerName(i, p, ".bias"), H))
		}
		ps = append(ps, ln(s.LayerName(i, "ln1", ""))...)
		ps = append(ps, w(s.LayerName(i, "ffn1", ".weight"), H, I), w(s.LayerName(i, "ffn1", ".bias"), I))
		ps = append(ps, w(s.LayerName(i, "ffn2", ".weight"), I, H), w(s.LayerName(i, "ffn2", ".bias"), H))
		ps = append(ps, ln(s.LayerName(i, "ln2", ""))...)
	}
	L := int64(s.numLabels())
	ps = append(ps, w("classifier.weight", H, L), w("classifier.bias", L))
	return ps
}

// NumParams is the number of float parameters of the model.
func (s Spec) NumParams() int64 {
	var n int64
	for _, p := range s.Params() {
		n += p.Numel()
	}
	return n
}

// graphBuilder collects nodes and constants with unique names.
type graphBuilder struct {
	nodes []onnxpb.Node
	count map[string]int
}

// op adds a node and returns its (single) output name, derived from scope.
func (g *graphBuilder) op(scope, opType string, inputs []string, attrs ...onnxpb.Attr) string {
	base := scope + "/" + opType
	k := g.count[base]
	g.count[base]++
	name := base
	if k > 0 {
		name += "_" + strconv.Itoa(k)
	}
	out := name + "_output_0"
	g.nodes = append(g.nodes, onnxpb.Node{Name: name, OpType: opType, Inputs: inputs, Outputs: []string{out}, Attrs: attrs})
	return out
}

func (g *graphBuilder) constI64(scope string, dims []int64, vals ...int64) string {
	raw := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return g.op(scope, "Constant", nil, onnxpb.AttrTensor("value", &onnxpb.Tensor{DataType: onnxpb.Int64, Dims: dims, Raw: raw}))
}

func (g *graphBuilder) constF32(scope string, v float32) string {
	raw := binary.LittleEndian.AppendUint32(nil, math.Float32bits(v))
	return g.op(scope, "Constant", nil, onnxpb.AttrTensor("value", &onnxpb.Tensor{DataType: onnxpb.Float, Raw: raw}))
}

// Model returns the ONNX model of s. The initializers are streamed when the
// model is written.
func Model(s Spec) (*onnxpb.Model, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("bertonnx: %w", err)
	}
	g := &graphBuilder{count: map[string]int{}}
	H, nh := int64(s.Hidden), int64(s.Heads)
	dh := H / nh
	idsName := orDefault(s.IDsName, DefaultIDsName)
	maskName := orDefault(s.MaskName, DefaultMaskName)
	typeName := orDefault(s.TypeIDsName, DefaultTypeIDsName)
	outName := orDefault(s.OutputName, DefaultOutputName)

	// Embeddings: word + position (+ token type), then LayerNorm.
	x := g.op("/embeddings/word", "Gather", []string{s.EmbName("word_embeddings.weight"), idsName})
	shape := g.op("/embeddings", "Shape", []string{idsName})
	seqLen := g.op("/embeddings", "Gather", []string{shape, g.constI64("/embeddings", nil, 1)}, onnxpb.AttrInt("axis", 0))
	positions := g.op("/embeddings", "Range", []string{g.constI64("/embeddings", nil, 0), seqLen, g.constI64("/embeddings", nil, 1)})
	pos := g.op("/embeddings/position", "Gather", []string{s.EmbName("position_embeddings.weight"), positions})
	x = g.op("/embeddings", "Add", []string{x, pos})
	if s.TypeVocab > 0 {
		tt := g.op("/embeddings/token_type", "Gather", []string{s.EmbName("token_type_embeddings.weight"), typeName})
		x = g.op("/embeddings", "Add", []string{x, tt})
	}
	eps := onnxpb.AttrFloat("epsilon", float32(s.LayerNormEps))
	layerNorm := func(scope, prefix, in string) string {
		return g.op(scope, "LayerNormalization", []string{in, prefix + ".weight", prefix + ".bias"}, onnxpb.AttrInt("axis", -1), eps)
	}
	h := layerNorm("/embeddings/LayerNorm", s.EmbName("LayerNorm"), x)

	// Extended attention mask: (1 - mask) * -10000, shaped [B, 1, 1, S].
	var mask string
	if !s.NoMask {
		m := g.op("/mask", "Cast", []string{maskName}, onnxpb.AttrInt("to", onnxpb.Float))
		m = g.op("/mask", "Unsqueeze", []string{m, g.constI64("/mask", []int64{2}, 1, 2)})
		m = g.op("/mask", "Sub", []string{g.constF32("/mask", 1), m})
		mask = g.op("/mask", "Mul", []string{m, g.constF32("/mask", MaskFill)})
	}

	headsShape := g.constI64("/encoder", []int64{4}, 0, 0, nh, dh)
	hiddenShape := g.constI64("/encoder", []int64{3}, 0, 0, H)
	scale := g.constF32("/encoder", float32(1/math.Sqrt(float64(dh))))
	half := g.constF32("/encoder", 0.5)
	one := g.constF32("/encoder", 1)
	sqrt2 := g.constF32("/encoder", float32(math.Sqrt2))

	linear := func(scope, in, weight, bias string) string {
		y := g.op(scope, "MatMul", []string{in, weight})
		return g.op(scope, "Add", []string{y, bias})
	}
	for i := range s.Layers {
		sc := fmt.Sprintf("/encoder/layer.%d", i)
		proj := func(p string, perm ...int64) string {
			y := linear(sc+"/attention/"+p, h, s.LayerName(i, p, ".weight"), s.LayerName(i, p, ".bias"))
			y = g.op(sc+"/attention/"+p, "Reshape", []string{y, headsShape})
			return g.op(sc+"/attention/"+p, "Transpose", []string{y}, onnxpb.AttrInts("perm", perm...))
		}
		q := proj("q", 0, 2, 1, 3) // [B, nh, S, dh]
		k := proj("k", 0, 2, 3, 1) // [B, nh, dh, S]
		v := proj("v", 0, 2, 1, 3) // [B, nh, S, dh]
		scores := g.op(sc+"/attention", "MatMul", []string{q, k})
		scores = g.op(sc+"/attention", "Mul", []string{scores, scale})
		if mask != "" {
			scores = g.op(sc+"/attention", "Add", []string{scores, mask})
		}
		p := g.op(sc+"/attention", "Softmax", []string{scores}, onnxpb.AttrInt("axis", -1))
		c := g.op(sc+"/attention", "MatMul", []string{p, v})
		c = g.op(sc+"/attention", "Transpose", []string{c}, onnxpb.AttrInts("perm", 0, 2, 1, 3))
		c = g.op(sc+"/attention", "Reshape", []string{c, hiddenShape})
		o := linear(sc+"/attention/output", c, s.LayerName(i, "o", ".weight"), s.LayerName(i, "o", ".bias"))
		o = g.op(sc+"/attention/output", "Add", []string{o, h})
		h1 := layerNorm(sc+"/attention/output/LayerNorm", s.LayerName(i, "ln1", ""), o)

		// Feed-forward with GELU, erf form: 0.5·x·(1 + erf(x/√2)).
		f := linear(sc+"/intermediate", h1, s.LayerName(i, "ffn1", ".weight"), s.LayerName(i, "ffn1", ".bias"))
		e := g.op(sc+"/intermediate/gelu", "Div", []string{f, sqrt2})
		e = g.op(sc+"/intermediate/gelu", "Erf", []string{e})
		e = g.op(sc+"/intermediate/gelu", "Add", []string{e, one})
		f = g.op(sc+"/intermediate/gelu", "Mul", []string{f, e})
		f = g.op(sc+"/intermediate/gelu", "Mul", []string{f, half})
		o = linear(sc+"/output", f, s.LayerName(i, "ffn2", ".weight"), s.LayerName(i, "ffn2", ".bias"))
		o = g.op(sc+"/output", "Add", []string{o, h1})
		h = layerNorm(sc+"/output/LayerNorm", s.LayerName(i, "ln2", ""), o)
	}
	logits := linear("/classifier", h, "classifier.weight", "classifier.bias")
	if s.OutputLabelsParam != "" {
		// ONNX Runtime reports an inferred size in place of a symbolic
		// dimension it can infer. Tiling by [1, 1, max(ids)·0 + 1], a
		// repeat count that depends on the input's values, hides it.
		ids := g.op("/classifier/hide", "Cast", []string{idsName}, onnxpb.AttrInt("to", onnxpb.Int64))
		r := g.op("/classifier/hide", "ReduceMax", []string{ids}, onnxpb.AttrInt("keepdims", 0))
		r = g.op("/classifier/hide", "Mul", []string{r, g.constI64("/classifier/hide", nil, 0)})
		r = g.op("/classifier/hide", "Add", []string{r, g.constI64("/classifier/hide", []int64{1}, 1)})
		reps := g.op("/classifier/hide", "Concat", []string{g.constI64("/classifier/hide", []int64{2}, 1, 1), r}, onnxpb.AttrInt("axis", 0))
		logits = g.op("/classifier", "Tile", []string{logits, reps})
	}
	outType := int32(onnxpb.Float)
	if s.OutputType == onnxpb.Float16 {
		outType = onnxpb.Float16
		g.op("/classifier", "Cast", []string{logits}, onnxpb.AttrInt("to", onnxpb.Float16))
	}
	g.nodes[len(g.nodes)-1].Outputs[0] = outName // the last node's output is the graph output

	var inits []*onnxpb.Tensor
	for _, p := range s.Params() {
		inits = append(inits, &onnxpb.Tensor{
			Name: p.Name, DataType: onnxpb.Float, Dims: p.Dims, RawLen: 4 * p.Numel(),
			Fill: func(w io.Writer) error { return p.Fill(s.Seed, w) },
		})
	}
	dim := func(fixed int, param string) onnxpb.Dim {
		if fixed > 0 {
			return onnxpb.Dim{Value: int64(fixed)}
		}
		return onnxpb.Dim{Param: param}
	}
	batchDim, seqDim := dim(s.Batch, "batch"), dim(s.SeqLen, "sequence")
	inType := s.InputType
	if inType == 0 {
		inType = onnxpb.Int64
	}
	var inputs []onnxpb.ValueInfo
	for _, name := range s.InputNames() {
		inputs = append(inputs, onnxpb.ValueInfo{Name: name, ElemType: inType, Dims: []onnxpb.Dim{batchDim, seqDim}})
	}
	inputs = append(inputs, s.ExtraInputs...)
	labelsDim := onnxpb.Dim{Value: int64(s.numLabels())}
	if s.OutputLabelsParam != "" {
		labelsDim = onnxpb.Dim{Param: s.OutputLabelsParam}
	}
	return &onnxpb.Model{
		IRVersion:       IRVersion,
		ProducerName:    orDefault(s.ProducerName, "nerbench-bertonnx"),
		ProducerVersion: s.ProducerVersion,
		Doc:             s.Doc,
		Opsets:          []onnxpb.Opset{{Version: OpsetVersion}},
		Graph: onnxpb.Graph{
			Name:         "main_graph",
			Nodes:        g.nodes,
			Inputs:       inputs,
			Outputs:      []onnxpb.ValueInfo{{Name: outName, ElemType: outType, Dims: []onnxpb.Dim{batchDim, seqDim, labelsDim}}},
			Initializers: inits,
		},
	}, nil
}

// Build writes the ONNX model of s to w and returns the number of bytes
// written.
func Build(w io.Writer, s Spec) (int64, error) {
	m, err := Model(s)
	if err != nil {
		return 0, err
	}
	return m.WriteTo(w)
}

// WriteFile writes the ONNX model of s to path (for tests; gendemo writes
// atomically through Build).
func WriteFile(path string, s Spec) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := Build(f, s); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
