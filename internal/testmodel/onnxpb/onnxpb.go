// Package onnxpb writes ONNX models (onnx.proto, IR version 8) with
// protowire, without generated code.
//
// Only the fields a plain inference graph needs are encoded. Initializer data
// can be streamed: a Tensor either holds its raw bytes or a Fill function
// that writes exactly RawLen bytes, so a model with hundreds of megabytes of
// weights is written without holding them in memory. Protobuf needs every
// message's length before its content, which is why streamed tensors must
// know their size up front.
//
// Field numbers follow onnx/onnx.proto:
//
//	ModelProto:        ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7, opset_import 8
//	OperatorSetIdProto: domain 1, version 2
//	GraphProto:        node 1, name 2, initializer 5, doc_string 10, input 11, output 12
//	NodeProto:         input 1, output 2, name 3, op_type 4, attribute 5, domain 7
//	AttributeProto:    name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20
//	TensorProto:       dims 1, data_type 2, name 8, raw_data 9
//	ValueInfoProto:    name 1, type 2
//	TypeProto:         tensor_type 1;  TypeProto.Tensor: elem_type 1, shape 2
//	TensorShapeProto:  dim 1;  Dimension: dim_value 1, dim_param 2
package onnxpb

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Tensor element types (TensorProto.DataType).
const (
	Float   = 1
	Int32   = 6
	Int64   = 7
	Bool    = 9
	Float16 = 10
)

// Attribute types (AttributeProto.AttributeType).
const (
	attrFloat  = 1
	attrInt    = 2
	attrString = 3
	attrTensor = 4
	attrFloats = 6
	attrInts   = 7
)

// Tensor is a TensorProto with raw_data. Set Raw for small tensors, or
// RawLen and Fill for streamed ones.
type Tensor struct {
	Name     string
	DataType int32
	Dims     []int64
	Raw      []byte
	RawLen   int64
	Fill     func(w io.Writer) error // writes exactly RawLen bytes
	Doc      string
}

func (t *Tensor) rawLen() int64 {
	if t.Fill != nil {
		return t.RawLen
	}
	return int64(len(t.Raw))
}

// header encodes every field but raw_data's bytes (it ends with raw_data's
// tag and length).
func (t *Tensor) header() []byte {
	var b []byte
	for _, d := range t.Dims {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(t.DataType))
	if t.Name != "" {
		b = appendString(b, 8, t.Name)
	}
	if t.Doc != "" {
		b = appendString(b, 12, t.Doc)
	}
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(t.rawLen()))
	return b
}

func (t *Tensor) size() int64 { return int64(len(t.header())) + t.rawLen() }

// bytes encodes an in-memory tensor.
func (t *Tensor) bytes() []byte {
	if t.Fill != nil {
		panic("onnxpb: streamed tensor " + t.Name + " used where an in-memory one is needed")
	}
	return append(t.header(), t.Raw...)
}

// Attr is one AttributeProto. Build it with the helpers below.
type Attr struct {
	name   string
	typ    int
	f      float32
	i      int64
	s      string
	t      *Tensor
	floats []float32
	ints   []int64
}

// AttrInt is an INT attribute.
func AttrInt(name string, v int64) Attr { return Attr{name: name, typ: attrInt, i: v} }

// AttrFloat is a FLOAT attribute.
func AttrFloat(name string, v float32) Attr { return Attr{name: name, typ: attrFloat, f: v} }

// AttrString is a STRING attribute.
func AttrString(name, v string) Attr { return Attr{name: name, typ: attrString, s: v} }

// AttrTensor is a TENSOR attribute (e.g. Constant's value); t must hold Raw.
func AttrTensor(name string, t *Tensor) Attr { return Attr{name: name, typ: attrTensor, t: t} }

// AttrInts is an INTS attribute.
func AttrInts(name string, v ...int64) Attr { return Attr{name: name, typ: attrInts, ints: v} }

// AttrFloats is a FLOATS attribute.
func AttrFloats(name string, v ...float32) Attr { return Attr{name: name, typ: attrFloats, floats: v} }

func (a Attr) appendTo(b []byte) []byte {
	b = appendString(b, 1, a.name)
	switch a.typ {
	case attrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.f))
	case attrInt:
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(a.i))
	case attrString:
		b = appendString(b, 4, a.s)
	case attrTensor:
		b = protowire.AppendTag(b, 5, protowire.BytesType)
		b = protowire.AppendBytes(b, a.t.bytes())
	case attrFloats:
		for _, f := range a.floats {
			b = protowire.AppendTag(b, 7, protowire.Fixed32Type)
			b = protowire.AppendFixed32(b, math.Float32bits(f))
		}
	case attrInts:
		for _, v := range a.ints {
			b = protowire.AppendTag(b, 8, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(v))
		}
	}
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(a.typ))
}

// Node is a NodeProto in the default domain unless Domain is set.
type Node struct {
	Name    string
	OpType  string
	Domain  string
	Inputs  []string
	Outputs []string
	Attrs   []Attr
}

func (n *Node) appendTo(b []byte) []byte {
	for _, s := range n.Inputs {
		b = appendString(b, 1, s)
	}
	for _, s := range n.Outputs {
		b = appendString(b, 2, s)
	}
	if n.Name != "" {
		b = appendString(b, 3, n.Name)
	}
	b = appendString(b, 4, n.OpType)
	for _, a := range n.Attrs {
		b = protowire.AppendTag(b, 5, protowire.BytesType)
		b = protowire.AppendBytes(b, a.appendTo(nil))
	}
	if n.Domain != "" {
		b = appendString(b, 7, n.Domain)
	}
	return b
}

// Dim is one dimension of a ValueInfo: a fixed size when Param is empty,
// else a symbolic one.
type Dim struct {
	Value int64
	Param string
}

// ValueInfo is a graph input or output of tensor type.
type ValueInfo struct {
	Name     string
	ElemType int32
	Dims     []Dim
}

func (v *ValueInfo) appendTo(b []byte) []byte {
	var shape []byte
	for _, d := range v.Dims {
		var db []byte
		if d.Param != "" {
			db = appendString(db, 2, d.Param)
		} else {
			db = protowire.AppendTag(db, 1, protowire.VarintType)
			db = protowire.AppendVarint(db, uint64(d.Value))
		}
		shape = protowire.AppendTag(shape, 1, protowire.BytesType)
		shape = protowire.AppendBytes(shape, db)
	}
	var tensor []byte
	tensor = protowire.AppendTag(tensor, 1, protowire.VarintType)
	tensor = protowire.AppendVarint(tensor, uint64(v.ElemType))
	tensor = protowire.AppendTag(tensor, 2, protowire.BytesType)
	tensor = protowire.AppendBytes(tensor, shape)
	var typ []byte
	typ = protowire.AppendTag(typ, 1, protowire.BytesType)
	typ = protowire.AppendBytes(typ, tensor)

	b = appendString(b, 1, v.Name)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendBytes(b, typ)
}

// Graph is a GraphProto.
type Graph struct {
	Name         string
	Doc          string
	Nodes        []Node
	Inputs       []ValueInfo
	Outputs      []ValueInfo
	Initializers []*Tensor
}

// Opset is an OperatorSetIdProto; Domain "" is the default ONNX domain.
type Opset struct {
	Domain  string
	Version int64
}

// Model is a ModelProto.
type Model struct {
	IRVersion       int64
	ProducerName    string
	ProducerVersion string
	Doc             string
	Opsets          []Opset
	Graph           Graph
}

// WriteTo encodes the model to w, streaming initializer data. It returns
// the number of bytes written.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	err := m.write(bw)
	if err == nil {
		err = bw.Flush()
	}
	return cw.n, err
}

func (m *Model) write(w *bufio.Writer) error {
	var head []byte
	head = protowire.AppendTag(head, 1, protowire.VarintType)
	head = protowire.AppendVarint(head, uint64(m.IRVersion))
	if m.ProducerName != "" {
		head = appendString(head, 2, m.ProducerName)
	}
	if m.ProducerVersion != "" {
		head = appendString(head, 3, m.ProducerVersion)
	}
	if m.Doc != "" {
		head = appendString(head, 6, m.Doc)
	}
	for _, o := range m.Opsets {
		var ob []byte
		if o.Domain != "" {
			ob = appendString(ob, 1, o.Domain)
		}
		ob = protowire.AppendTag(ob, 2, protowire.VarintType)
		ob = protowire.AppendVarint(ob, uint64(o.Version))
		head = protowire.AppendTag(head, 8, protowire.BytesType)
		head = protowire.AppendBytes(head, ob)
	}

	// The graph's fixed part: everything except the initializers.
	g := &m.Graph
	var fixed []byte
	for i := range g.Nodes {
		fixed = protowire.AppendTag(fixed, 1, protowire.BytesType)
		fixed = protowire.AppendBytes(fixed, g.Nodes[i].appendTo(nil))
	}
	if g.Name != "" {
		fixed = appendString(fixed, 2, g.Name)
	}
	if g.Doc != "" {
		fixed = appendString(fixed, 10, g.Doc)
	}
	for i := range g.Inputs {
		fixed = protowire.AppendTag(fixed, 11, protowire.BytesType)
		fixed = protowire.AppendBytes(fixed, g.Inputs[i].appendTo(nil))
	}
	for i := range g.Outputs {
		fixed = protowire.AppendTag(fixed, 12, protowire.BytesType)
		fixed = protowire.AppendBytes(fixed, g.Outputs[i].appendTo(nil))
	}
	graphLen := int64(len(fixed))
	for _, t := range g.Initializers {
		s := t.size()
		graphLen += int64(protowire.SizeTag(5)) + int64(protowire.SizeVarint(uint64(s))) + s
	}

	head = protowire.AppendTag(head, 7, protowire.BytesType)
	head = protowire.AppendVarint(head, uint64(graphLen))
	if _, err := w.Write(head); err != nil {
		return err
	}
	if _, err := w.Write(fixed); err != nil {
		return err
	}
	for _, t := range g.Initializers {
		var tb []byte
		tb = protowire.AppendTag(tb, 5, protowire.BytesType)
		tb = protowire.AppendVarint(tb, uint64(t.size()))
		tb = append(tb, t.header()...)
		if _, err := w.Write(tb); err != nil {
			return err
		}
		if t.Fill == nil {
			if _, err := w.Write(t.Raw); err != nil {
				return err
			}
			continue
		}
		lw := &limitCheck{w: w, left: t.RawLen}
		if err := t.Fill(lw); err != nil {
			return fmt.Errorf("initializer %s: %w", t.Name, err)
		}
		if lw.left != 0 {
			return fmt.Errorf("initializer %s: Fill wrote %d bytes, want %d", t.Name, t.RawLen-lw.left, t.RawLen)
		}
	}
	return nil
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

var errOverflow = errors.New("fill wrote more bytes than RawLen")

type limitCheck struct {
	w    io.Writer
	left int64
}

func (l *limitCheck) Write(p []byte) (int, error) {
	if int64(len(p)) > l.left {
		return 0, errOverflow
	}
	n, err := l.w.Write(p)
	l.left -= int64(n)
	return n, err
}
