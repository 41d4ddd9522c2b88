package testmodel

import (
	"encoding/binary"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
)

// InitKind says how a parameter is initialised.
type InitKind int

const (
	InitNormal InitKind = iota // N(0, Std²)
	InitOnes                   // LayerNorm gamma
	InitZeros                  // LayerNorm beta
)

// Param describes one float32 initializer. Its values are a pure function
// of (model seed, name), so the ONNX writer can stream them and a reference
// implementation can recompute them without reading the file.
type Param struct {
	Name string
	Dims []int64
	Kind InitKind
	Std  float64
}

// Numel is the number of values of the parameter.
func (p Param) Numel() int64 {
	n := int64(1)
	for _, d := range p.Dims {
		n *= d
	}
	return n
}

// normalGen draws standard normal numbers with the Box-Muller transform from
// a PCG stream. Both are fully specified here (math/rand/v2 does not promise
// that NormFloat64 keeps its algorithm), so the same seed gives the same
// bytes on every run.
type normalGen struct {
	r     *rand.PCG
	spare float64
	has   bool
}

func newNormalGen(modelSeed uint64, name string) *normalGen {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &normalGen{r: rand.NewPCG(modelSeed, h.Sum64())}
}

func (g *normalGen) next() float64 {
	if g.has {
		g.has = false
		return g.spare
	}
	u1 := float64(g.r.Uint64()>>11+1) / (1 << 53) // (0, 1]
	u2 := float64(g.r.Uint64()>>11) / (1 << 53)   // [0, 1)
	rad := math.Sqrt(-2 * math.Log(u1))
	s, c := math.Sincos(2 * math.Pi * u2)
	g.spare, g.has = rad*s, true
	return rad * c
}

// Fill writes the parameter's values as little-endian float32, in chunks.
func (p Param) Fill(modelSeed uint64, w io.Writer) error {
	const chunk = 1 << 16
	buf := make([]byte, 0, 4*chunk)
	var g *normalGen
	if p.Kind == InitNormal {
		g = newNormalGen(modelSeed, p.Name)
	}
	for left := p.Numel(); left > 0; {
		n := min(left, chunk)
		buf = buf[:4*n]
		for i := range n {
			var v float32
			switch p.Kind {
			case InitNormal:
				v = float32(g.next() * p.Std)
			case InitOnes:
				v = 1
			}
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		left -= n
	}
	return nil
}

// Values materialises the parameter (for small models and tests).
func (p Param) Values(modelSeed uint64) []float32 {
	out := make([]float32, p.Numel())
	var g *normalGen
	if p.Kind == InitNormal {
		g = newNormalGen(modelSeed, p.Name)
	}
	for i := range out {
		switch p.Kind {
		case InitNormal:
			out[i] = float32(g.next() * p.Std)
		case InitOnes:
			out[i] = 1
		}
	}
	return out
}
