package main

import (
	"math"

	"github.com/nerbench/nerbench/internal/testmodel"
)

// refModel is a plain Go forward pass of the demo architecture, computed in
// float64 from the same seeded parameters the ONNX writer streams. It checks
// the graph (wiring, shapes, mask, GELU, LayerNorm) independently of it.
type refModel struct {
	a arch
	n testmodel.Spec // initializer names
	w map[string][]float32
}

func newRefModel(a arch, seed uint64) *refModel {
	m := &refModel{a: a, n: a.spec(seed), w: map[string][]float32{}}
	for _, p := range m.n.Params() {
		m.w[p.Name] = p.Values(seed)
	}
	return m
}

// linear returns x·W + b for x [S, in], W [in, out].
func linear(x [][]float64, w, b []float32, out int) [][]float64 {
	y := make([][]float64, len(x))
	for s, row := range x {
		y[s] = make([]float64, out)
		for o := range out {
			y[s][o] = float64(b[o])
		}
		for i, xi := range row {
			wr := w[i*out : (i+1)*out]
			for o, wv := range wr {
				y[s][o] += xi * float64(wv)
			}
		}
	}
	return y
}

func layerNorm(x [][]float64, gamma, beta []float32, eps float64) [][]float64 {
	y := make([][]float64, len(x))
	for s, row := range x {
		var mean, vr float64
		for _, v := range row {
			mean += v
		}
		mean /= float64(len(row))
		for _, v := range row {
			vr += (v - mean) * (v - mean)
		}
		vr /= float64(len(row))
		inv := 1 / math.Sqrt(vr+eps)
		y[s] = make([]float64, len(row))
		for i, v := range row {
			y[s][i] = (v-mean)*inv*float64(gamma[i]) + float64(beta[i])
		}
	}
	return y
}

func addInPlace(x, y [][]float64) [][]float64 {
	for s := range x {
		for i := range x[s] {
			x[s][i] += y[s][i]
		}
	}
	return x
}

// forward returns the logits [S][labels] of one sequence.
func (m *refModel) forward(ids, typeIDs, mask []int64) [][]float64 {
	a, n, w := m.a, m.n, m.w
	S, H := len(ids), a.Hidden
	x := make([][]float64, S)
	for s := range S {
		x[s] = make([]float64, H)
		we := w[n.EmbName("word_embeddings.weight")][int(ids[s])*H:]
		pe := w[n.EmbName("position_embeddings.weight")][s*H:]
		for i := range H {
			x[s][i] = float64(we[i]) + float64(pe[i])
		}
		if a.TypeVocab > 0 {
			te := w[n.EmbName("token_type_embeddings.weight")][int(typeIDs[s])*H:]
			for i := range H {
				x[s][i] += float64(te[i])
			}
		}
	}
	h := layerNorm(x, w[n.EmbName("LayerNorm.weight")], w[n.EmbName("LayerNorm.bias")], a.LayerNormEps)

	nh := a.Heads
	dh := H / nh
	scale := 1 / math.Sqrt(float64(dh))
	for l := range a.Layers {
		lin := func(x [][]float64, p string, out int) [][]float64 {
			return linear(x, w[n.LayerName(l, p, ".weight")], w[n.LayerName(l, p, ".bias")], out)
		}
		q, k, v := lin(h, "q", H), lin(h, "k", H), lin(h, "v", H)
		ctx := make([][]float64, S)
		for s := range S {
			ctx[s] = make([]float64, H)
		}
		scores := make([]float64, S)
		for hd := range nh {
			off := hd * dh
			for i := range S {
				mx := math.Inf(-1)
				for j := range S {
					var d float64
					for e := range dh {
						d += q[i][off+e] * k[j][off+e]
					}
					scores[j] = d*scale + (1-float64(mask[j]))*testmodel.MaskFill
					mx = max(mx, scores[j])
				}
				var sum float64
				for j := range S {
					scores[j] = math.Exp(scores[j] - mx)
					sum += scores[j]
				}
				for j := range S {
					p := scores[j] / sum
					for e := range dh {
						ctx[i][off+e] += p * v[j][off+e]
					}
				}
			}
		}
		o := addInPlace(lin(ctx, "o", H), h)
		h1 := layerNorm(o, w[n.LayerName(l, "ln1", ".weight")], w[n.LayerName(l, "ln1", ".bias")], a.LayerNormEps)
		f := lin(h1, "ffn1", a.Intermediate)
		for s := range f {
			for i, z := range f[s] {
				f[s][i] = 0.5 * z * (1 + math.Erf(z/math.Sqrt2))
			}
		}
		o = addInPlace(lin(f, "ffn2", H), h1)
		h = layerNorm(o, w[n.LayerName(l, "ln2", ".weight")], w[n.LayerName(l, "ln2", ".bias")], a.LayerNormEps)
	}
	return linear(h, w["classifier.weight"], w["classifier.bias"], len(labels))
}
