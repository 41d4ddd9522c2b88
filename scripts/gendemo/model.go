package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/nerbench/nerbench/scripts/gendemo/onnxpb"
)

// labels are the CoNLL-2003 BIO tags the demo classifiers predict.
var labels = []string{"O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"}

const (
	opsetVersion = 17
	irVersion    = 8
	maskFill     = -10000.0 // added to attention scores of padded positions
)

// arch is the shape of one demo backbone.
type arch struct {
	Backbone     string // name in the HPO tree: tiny, distilbert, bert
	ModelType    string // config.json model_type: bert or distilbert
	Layers       int
	Hidden       int
	Heads        int
	Intermediate int
	Vocab        int // rows of the word embedding; 0 = the tokenizer's vocabulary size
	MaxPos       int
	TypeVocab    int // 0: no token_type_ids input (DistilBERT)
	LayerNormEps float64
}

var archs = []arch{
	{Backbone: "tiny", ModelType: "bert", Layers: 2, Hidden: 128, Heads: 2, Intermediate: 512, Vocab: 0, MaxPos: 512, TypeVocab: 2, LayerNormEps: 1e-12},
	{Backbone: "distilbert", ModelType: "distilbert", Layers: 6, Hidden: 768, Heads: 12, Intermediate: 3072, Vocab: 30522, MaxPos: 512, TypeVocab: 0, LayerNormEps: 1e-12},
	{Backbone: "bert", ModelType: "bert", Layers: 12, Hidden: 768, Heads: 12, Intermediate: 3072, Vocab: 30522, MaxPos: 512, TypeVocab: 2, LayerNormEps: 1e-12},
}

func archByName(name string) (arch, bool) {
	for _, a := range archs {
		if a.Backbone == name {
			return a, true
		}
	}
	return arch{}, false
}

// withVocab returns a with Vocab set to the tokenizer's size when it is 0.
func (a arch) withVocab(tokenizerVocab int) arch {
	if a.Vocab == 0 {
		a.Vocab = tokenizerVocab
	}
	return a
}

// names maps the model's parameters to Hugging Face-style initializer names.
// Linear weights are stored as [in, out] (what MatMul wants, as exporters
// write them), not PyTorch's [out, in].
type names struct{ a arch }

func (n names) emb(which string) string {
	root := "bert"
	if n.a.ModelType == "distilbert" {
		root = "distilbert"
	}
	return root + ".embeddings." + which
}

// layer returns the name of parameter p ("q", "k", "v", "o", "ln1", "ffn1",
// "ffn2", "ln2") of layer i, suffix ".weight" or ".bias".
func (n names) layer(i int, p, suffix string) string {
	is := strconv.Itoa(i)
	if n.a.ModelType == "distilbert" {
		m := map[string]string{"q": "attention.q_lin", "k": "attention.k_lin", "v": "attention.v_lin", "o": "attention.out_lin",
			"ln1": "sa_layer_norm", "ffn1": "ffn.lin1", "ffn2": "ffn.lin2", "ln2": "output_layer_norm"}
		return "distilbert.transformer.layer." + is + "." + m[p] + suffix
	}
	m := map[string]string{"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value", "o": "attention.output.dense",
		"ln1": "attention.output.LayerNorm", "ffn1": "intermediate.dense", "ffn2": "output.dense", "ln2": "output.LayerNorm"}
	return "bert.encoder.layer." + is + "." + m[p] + suffix
}

const initStd = 0.02

// params lists every initializer of the model in the order it is written.
func (a arch) params() []paramSpec {
	n := names{a}
	H, I := int64(a.Hidden), int64(a.Intermediate)
	w := func(name string, dims ...int64) paramSpec {
		return paramSpec{name: name, dims: dims, kind: initNormal, std: initStd}
	}
	ln := func(prefix string) []paramSpec {
		return []paramSpec{
			{name: prefix + ".weight", dims: []int64{H}, kind: initOnes},
			{name: prefix + ".bias", dims: []int64{H}, kind: initZeros},
		}
	}
	ps := []paramSpec{
		w(n.emb("word_embeddings.weight"), int64(a.Vocab), H),
		w(n.emb("position_embeddings.weight"), int64(a.MaxPos), H),
	}
	if a.TypeVocab > 0 {
		ps = append(ps, w(n.emb("token_type_embeddings.weight"), int64(a.TypeVocab), H))
	}
	ps = append(ps, ln(n.emb("LayerNorm"))...)
	for i := range a.Layers {
		for _, p := range []string{"q", "k", "v", "o"} {
			ps = append(ps, w(n.layer(i, p, ".weight"), H, H), w(n.layer(i, p, ".bias"), H))
		}
		ps = append(ps, ln(n.layer(i, "ln1", ""))...)
		ps = append(ps, w(n.layer(i, "ffn1", ".weight"), H, I), w(n.layer(i, "ffn1", ".bias"), I))
		ps = append(ps, w(n.layer(i, "ffn2", ".weight"), I, H), w(n.layer(i, "ffn2", ".bias"), H))
		ps = append(ps, ln(n.layer(i, "ln2", ""))...)
	}
	L := int64(len(labels))
	ps = append(ps, w("classifier.weight", H, L), w("classifier.bias", L))
	return ps
}

// numParams is the number of float parameters of the model.
func (a arch) numParams() int64 {
	var n int64
	for _, p := range a.params() {
		n += p.numel()
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

// buildModel returns the ONNX model of a with weights seeded by seed. The
// initializers are streamed when the model is written.
func buildModel(a arch, seed uint64) *onnxpb.Model {
	g := &graphBuilder{count: map[string]int{}}
	n := names{a}
	H, nh := int64(a.Hidden), int64(a.Heads)
	dh := H / nh

	// Embeddings: word + position (+ token type), then LayerNorm.
	x := g.op("/embeddings/word", "Gather", []string{n.emb("word_embeddings.weight"), "input_ids"})
	shape := g.op("/embeddings", "Shape", []string{"input_ids"})
	seqLen := g.op("/embeddings", "Gather", []string{shape, g.constI64("/embeddings", nil, 1)}, onnxpb.AttrInt("axis", 0))
	positions := g.op("/embeddings", "Range", []string{g.constI64("/embeddings", nil, 0), seqLen, g.constI64("/embeddings", nil, 1)})
	pos := g.op("/embeddings/position", "Gather", []string{n.emb("position_embeddings.weight"), positions})
	x = g.op("/embeddings", "Add", []string{x, pos})
	if a.TypeVocab > 0 {
		tt := g.op("/embeddings/token_type", "Gather", []string{n.emb("token_type_embeddings.weight"), "token_type_ids"})
		x = g.op("/embeddings", "Add", []string{x, tt})
	}
	eps := onnxpb.AttrFloat("epsilon", float32(a.LayerNormEps))
	layerNorm := func(scope, prefix, in string) string {
		return g.op(scope, "LayerNormalization", []string{in, prefix + ".weight", prefix + ".bias"}, onnxpb.AttrInt("axis", -1), eps)
	}
	h := layerNorm("/embeddings/LayerNorm", n.emb("LayerNorm"), x)

	// Extended attention mask: (1 - mask) * -10000, shaped [B, 1, 1, S].
	m := g.op("/mask", "Cast", []string{"attention_mask"}, onnxpb.AttrInt("to", onnxpb.Float))
	m = g.op("/mask", "Unsqueeze", []string{m, g.constI64("/mask", []int64{2}, 1, 2)})
	m = g.op("/mask", "Sub", []string{g.constF32("/mask", 1), m})
	mask := g.op("/mask", "Mul", []string{m, g.constF32("/mask", maskFill)})

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
	for i := range a.Layers {
		s := fmt.Sprintf("/encoder/layer.%d", i)
		proj := func(p string, perm ...int64) string {
			y := linear(s+"/attention/"+p, h, n.layer(i, p, ".weight"), n.layer(i, p, ".bias"))
			y = g.op(s+"/attention/"+p, "Reshape", []string{y, headsShape})
			return g.op(s+"/attention/"+p, "Transpose", []string{y}, onnxpb.AttrInts("perm", perm...))
		}
		q := proj("q", 0, 2, 1, 3) // [B, nh, S, dh]
		k := proj("k", 0, 2, 3, 1) // [B, nh, dh, S]
		v := proj("v", 0, 2, 1, 3) // [B, nh, S, dh]
		sc := g.op(s+"/attention", "MatMul", []string{q, k})
		sc = g.op(s+"/attention", "Mul", []string{sc, scale})
		sc = g.op(s+"/attention", "Add", []string{sc, mask})
		p := g.op(s+"/attention", "Softmax", []string{sc}, onnxpb.AttrInt("axis", -1))
		c := g.op(s+"/attention", "MatMul", []string{p, v})
		c = g.op(s+"/attention", "Transpose", []string{c}, onnxpb.AttrInts("perm", 0, 2, 1, 3))
		c = g.op(s+"/attention", "Reshape", []string{c, hiddenShape})
		o := linear(s+"/attention/output", c, n.layer(i, "o", ".weight"), n.layer(i, "o", ".bias"))
		o = g.op(s+"/attention/output", "Add", []string{o, h})
		h1 := layerNorm(s+"/attention/output/LayerNorm", n.layer(i, "ln1", ""), o)

		// Feed-forward with GELU, erf form: 0.5·x·(1 + erf(x/√2)).
		f := linear(s+"/intermediate", h1, n.layer(i, "ffn1", ".weight"), n.layer(i, "ffn1", ".bias"))
		e := g.op(s+"/intermediate/gelu", "Div", []string{f, sqrt2})
		e = g.op(s+"/intermediate/gelu", "Erf", []string{e})
		e = g.op(s+"/intermediate/gelu", "Add", []string{e, one})
		f = g.op(s+"/intermediate/gelu", "Mul", []string{f, e})
		f = g.op(s+"/intermediate/gelu", "Mul", []string{f, half})
		o = linear(s+"/output", f, n.layer(i, "ffn2", ".weight"), n.layer(i, "ffn2", ".bias"))
		o = g.op(s+"/output", "Add", []string{o, h1})
		h = layerNorm(s+"/output/LayerNorm", n.layer(i, "ln2", ""), o)
	}
	linear("/classifier", h, "classifier.weight", "classifier.bias")
	g.nodes[len(g.nodes)-1].Outputs[0] = "logits" // the classifier's Add is the graph output

	var inits []*onnxpb.Tensor
	for _, p := range a.params() {
		inits = append(inits, &onnxpb.Tensor{
			Name: p.name, DataType: onnxpb.Float, Dims: p.dims, RawLen: 4 * p.numel(),
			Fill: func(w io.Writer) error { return p.fill(seed, w) },
		})
	}
	dyn := []onnxpb.Dim{{Param: "batch"}, {Param: "sequence"}}
	inputs := []onnxpb.ValueInfo{
		{Name: "input_ids", ElemType: onnxpb.Int64, Dims: dyn},
		{Name: "attention_mask", ElemType: onnxpb.Int64, Dims: dyn},
	}
	if a.TypeVocab > 0 {
		inputs = append(inputs, onnxpb.ValueInfo{Name: "token_type_ids", ElemType: onnxpb.Int64, Dims: dyn})
	}
	return &onnxpb.Model{
		IRVersion:       irVersion,
		ProducerName:    "nerbench-gendemo",
		ProducerVersion: generatorVersion,
		Doc:             "Demo " + a.Backbone + " token-classification model with RANDOM weights: outputs are meaningless.",
		Opsets:          []onnxpb.Opset{{Version: opsetVersion}},
		Graph: onnxpb.Graph{
			Name:         "main_graph",
			Nodes:        g.nodes,
			Inputs:       inputs,
			Outputs:      []onnxpb.ValueInfo{{Name: "logits", ElemType: onnxpb.Float, Dims: []onnxpb.Dim{{Param: "batch"}, {Param: "sequence"}, {Value: int64(len(labels))}}}},
			Initializers: inits,
		},
	}
}

// hfConfig returns config.json for a, with the real Hugging Face key names
// of its model type.
func hfConfig(a arch) map[string]any {
	id2label := map[string]string{}
	label2id := map[string]int{}
	for i, l := range labels {
		id2label[strconv.Itoa(i)] = l
		label2id[l] = i
	}
	c := map[string]any{
		"model_type":              a.ModelType,
		"vocab_size":              a.Vocab,
		"max_position_embeddings": a.MaxPos,
		"initializer_range":       initStd,
		"pad_token_id":            0,
		"id2label":                id2label,
		"label2id":                label2id,
		"torch_dtype":             "float32",
		"random_weights":          true,
		"_note":                   "nerbench demo checkpoint generated by scripts/gendemo: the weights are random and the model's outputs are meaningless; it exists only to benchmark inference speed.",
	}
	switch a.ModelType {
	case "distilbert":
		c["architectures"] = []string{"DistilBertForTokenClassification"}
		c["activation"] = "gelu"
		c["dim"] = a.Hidden
		c["hidden_dim"] = a.Intermediate
		c["n_layers"] = a.Layers
		c["n_heads"] = a.Heads
		c["dropout"] = 0.1
		c["attention_dropout"] = 0.1
		c["qa_dropout"] = 0.1
		c["seq_classif_dropout"] = 0.2
		c["sinusoidal_pos_embds"] = false
		c["tie_weights_"] = true
	default:
		c["architectures"] = []string{"BertForTokenClassification"}
		c["hidden_size"] = a.Hidden
		c["intermediate_size"] = a.Intermediate
		c["num_hidden_layers"] = a.Layers
		c["num_attention_heads"] = a.Heads
		c["hidden_act"] = "gelu"
		c["hidden_dropout_prob"] = 0.1
		c["attention_probs_dropout_prob"] = 0.1
		c["classifier_dropout"] = nil
		c["layer_norm_eps"] = a.LayerNormEps
		c["position_embedding_type"] = "absolute"
		c["type_vocab_size"] = a.TypeVocab
	}
	return c
}
