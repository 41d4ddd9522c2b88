// Package onnxparams counts the parameters of an ONNX model: the elements of
// the tensors stored as the main graph's initializers.
//
// It reads the protobuf wire format directly (google.golang.org/protobuf's
// protowire), walking only ModelProto.graph → GraphProto.initializer and
// GraphProto.sparse_initializer → TensorProto.dims. Tensor contents
// (raw_data, float_data, …) are skipped, not read into memory: on a file the
// reader seeks past them, so counting a 440 MB model reads little more than
// its headers.
//
// What is counted as a parameter:
//   - every dense initializer holding weights contributes the product of its
//     dims (a scalar, with no dims, counts 1). Weights are tensors of a
//     floating-point type or of the small integer types that quantized
//     models store weights and biases in (int4, int8, int16, int32 and their
//     unsigned forms). Tensors of int64, uint64, bool, string and complex
//     types are shapes, axes, indices and buffers such as BERT's
//     position_ids, not learned weights: their elements are counted apart,
//     in Count.Other;
//   - every sparse initializer contributes the product of its dense shape
//     (SparseTensorProto.dims), the size of the parameter it stands for, not
//     the number of stored non-zero values;
//   - weights kept outside the file (external data) count too: their dims
//     are in the model file.
//
// Not counted: Constant nodes and the graphs nested inside If/Loop/Scan
// nodes and training or function definitions. Exporters of inference models
// (torch.onnx, optimum, tf2onnx) put the weights in initializers.
package onnxparams

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of onnx.proto used here.
const (
	modelGraph             = 7  // ModelProto.graph
	graphNode              = 1  // GraphProto.node
	nodeInput              = 1  // NodeProto.input
	nodeOutput             = 2  // NodeProto.output
	nodeOpType             = 4  // NodeProto.op_type
	graphInitializer       = 5  // GraphProto.initializer
	graphSparseInitializer = 15 // GraphProto.sparse_initializer
	tensorDims             = 1  // TensorProto.dims
	tensorDataType         = 2  // TensorProto.data_type
	tensorName             = 8  // TensorProto.name
	sparseValues           = 1  // SparseTensorProto.values
	sparseDims             = 3  // SparseTensorProto.dims
)

// Limits on what is read into memory.
const (
	maxPackedDims = 1 << 16 // bytes of one packed dims field
	maxName       = 1 << 12 // bytes of a tensor name kept for messages
	maxNode       = 1 << 16 // bytes of a node read to find Gathers
)

// Count is what the model's initializers hold.
type Count struct {
	// Parameters is the sum of the element counts of the initializers that
	// hold weights.
	Parameters int64
	// Other is the sum of the element counts of the other initializers
	// (int64, uint64, bool, string, complex: shapes, indices, buffers).
	Other int64
	// Initializers is the number of dense initializers.
	Initializers int
	// SparseInitializers is the number of sparse initializers.
	SparseInitializers int
}

// File counts the parameters of the ONNX model at path. Errors name the file.
func File(path string) (Count, error) {
	f, err := os.Open(path)
	if err != nil {
		return Count{}, err
	}
	defer f.Close()
	c, err := Read(f)
	if err != nil {
		return Count{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Gather is a Gather node of the main graph, Data[Indices] (as an
// embedding lookup is), or, with Op "Cast", "Identity" or "Mul", a node
// that passes its Inputs on as Output (Mul: ids times the mask, as some
// exports do).
type Gather struct {
	Op, Data, Indices, Output string
	Inputs                    []string
}

// node reads a NodeProto; ok when it is a Gather with two inputs or a
// Cast or Identity.
func (d *decoder) node(end int64) (Gather, bool, error) {
	var inputs, outputs []string
	var op string
	err := d.message(end, func(f field) (bool, error) {
		if f.typ != protowire.BytesType || f.num != nodeInput && f.num != nodeOutput && f.num != nodeOpType {
			return false, nil
		}
		b, err := d.bytes(f.end - d.off)
		switch f.num {
		case nodeInput:
			inputs = append(inputs, string(b))
		case nodeOutput:
			outputs = append(outputs, string(b))
		default:
			op = string(b)
		}
		return true, err
	})
	switch {
	case err != nil || len(outputs) != 1:
		return Gather{}, false, err
	case op == "Gather" && len(inputs) == 2:
		return Gather{Op: op, Data: inputs[0], Indices: inputs[1], Output: outputs[0]}, true, nil
	case (op == "Cast" || op == "Identity") && len(inputs) == 1, op == "Mul" && len(inputs) == 2:
		return Gather{Op: op, Inputs: inputs, Output: outputs[0]}, true, nil
	}
	return Gather{}, false, nil
}

// Graph returns the dense initializers of at most two dimensions and the
// Gather nodes of the ONNX model at path. Errors name the file.
func Graph(path string) ([]Tensor, []Gather, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	ts, gs := []Tensor{}, []Gather{}
	d := newDecoder(f)
	d.tensors, d.gathers = &ts, &gs
	if _, err := d.count(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return ts, gs, nil
}

// Tensors returns the dense initializers of at most two dimensions of the
// ONNX model at path (embedding tables, biases, …), in file order, reading
// as File reads. Errors name the file.
func Tensors(path string) ([]Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ts := []Tensor{}
	if _, err := read(f, &ts); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ts, nil
}

// Read counts the parameters of the ONNX model read from r. When r is an
// io.Seeker (an *os.File), tensor contents are skipped by seeking.
func Read(r io.Reader) (Count, error) { return read(r, nil) }

func read(r io.Reader, tensors *[]Tensor) (Count, error) {
	d := newDecoder(r)
	d.tensors = tensors
	return d.count()
}

func newDecoder(r io.Reader) *decoder {
	d := &decoder{src: r, br: bufio.NewReaderSize(r, 64<<10), size: -1}
	if s, ok := r.(io.Seeker); ok {
		cur, err1 := s.Seek(0, io.SeekCurrent)
		end, err2 := s.Seek(0, io.SeekEnd)
		_, err3 := s.Seek(cur, io.SeekStart)
		if err := errors.Join(err1, err2, err3); err == nil {
			d.seeker, d.size = s, end-cur
		}
	}
	return d
}

func (d *decoder) count() (Count, error) {
	var c Count
	err := d.message(d.size, func(f field) (bool, error) {
		if f.num != modelGraph || f.typ != protowire.BytesType {
			return false, nil
		}
		if err := d.graph(f.end, &c); err != nil {
			return true, fmt.Errorf("graph: %w", err)
		}
		return true, nil
	})
	if err != nil {
		return Count{}, err
	}
	if d.off == 0 {
		return Count{}, errors.New("empty file, not an ONNX model")
	}
	return c, nil
}

func (d *decoder) graph(end int64, c *Count) error {
	return d.message(end, func(f field) (bool, error) {
		if f.typ != protowire.BytesType {
			return false, nil
		}
		switch f.num {
		case graphNode:
			if d.gathers == nil || f.end-d.off > maxNode {
				return false, nil
			}
			g, ok, err := d.node(f.end)
			if ok {
				*d.gathers = append(*d.gathers, g)
			}
			return true, err
		case graphInitializer:
			t, err := d.tensor(f.end)
			if err != nil {
				return true, fmt.Errorf("initializer %d%s: %w", c.Initializers, quoted(t.name), err)
			}
			c.Initializers++
			if d.tensors != nil && len(t.dims) <= 2 {
				*d.tensors = append(*d.tensors, Tensor{Name: t.name, DataType: t.dataType, Dims: t.dims})
			}
			return true, c.add(t)
		case graphSparseInitializer:
			t, err := d.sparse(f.end)
			if err != nil {
				return true, fmt.Errorf("sparse_initializer %d%s: %w", c.SparseInitializers, quoted(t.name), err)
			}
			c.SparseInitializers++
			return true, c.add(t)
		}
		return false, nil
	})
}

func (c *Count) add(t tensorInfo) error {
	sum := &c.Other
	if isWeightType(t.dataType) {
		sum = &c.Parameters
	}
	if t.elements > math.MaxInt64-*sum {
		return errors.New("element count overflows int64")
	}
	*sum += t.elements
	return nil
}

// isWeightType reports whether a TensorProto.DataType holds weights.
func isWeightType(dt uint64) bool {
	switch dt {
	case 7, // INT64
		8,      // STRING
		9,      // BOOL
		13,     // UINT64
		14, 15: // COMPLEX64, COMPLEX128
		return false
	}
	// UNDEFINED (0), FLOAT (1), UINT8 (2), INT8 (3), UINT16 (4), INT16 (5),
	// INT32 (6), FLOAT16 (10), DOUBLE (11), UINT32 (12), BFLOAT16 (16),
	// the float8, int4 and float4 types (17–23) and any later type.
	return true
}

// tensorInfo is what is kept of a TensorProto.
type tensorInfo struct {
	name     string
	dataType uint64
	elements int64
	dims     []int64
}

// Tensor is one dense initializer's name, ONNX data type and shape.
type Tensor struct {
	Name     string
	DataType uint64 // TensorProto.DataType: 1 FLOAT, 10 FLOAT16, 16 BFLOAT16, …
	Dims     []int64
}

func quoted(name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" %q", name)
}

// tensor reads a TensorProto.
func (d *decoder) tensor(end int64) (tensorInfo, error) {
	var t tensorInfo
	var dims []int64
	err := d.message(end, func(f field) (bool, error) {
		switch {
		case f.num == tensorDims:
			var err error
			dims, err = d.int64s(f, dims)
			return true, err
		case f.num == tensorDataType && f.typ == protowire.VarintType:
			var err error
			t.dataType, err = d.varint()
			return true, err
		case f.num == tensorName && f.typ == protowire.BytesType && f.end-d.off <= maxName:
			b, err := d.bytes(f.end - d.off)
			t.name = string(b)
			return true, err
		}
		return false, nil
	})
	if err != nil {
		return t, err
	}
	t.dims = dims
	t.elements, err = product(dims)
	return t, err
}

// sparse reads a SparseTensorProto: its dense shape, and the name and data
// type of its values tensor (the initializer's name and type).
func (d *decoder) sparse(end int64) (tensorInfo, error) {
	var t tensorInfo
	var dims []int64
	err := d.message(end, func(f field) (bool, error) {
		switch {
		case f.num == sparseDims:
			var err error
			dims, err = d.int64s(f, dims)
			return true, err
		case f.num == sparseValues && f.typ == protowire.BytesType:
			values, err := d.tensor(f.end)
			t.name, t.dataType = values.name, values.dataType
			if err != nil {
				return true, fmt.Errorf("values: %w", err)
			}
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return t, err
	}
	t.elements, err = product(dims)
	return t, err
}

// product returns the element count of a tensor of shape dims.
func product(dims []int64) (int64, error) {
	n := int64(1)
	for i, v := range dims {
		if v < 0 {
			return 0, fmt.Errorf("dims[%d] = %d is negative", i, v)
		}
		if v != 0 && n > math.MaxInt64/v {
			return 0, fmt.Errorf("dims %v: element count overflows int64", dims)
		}
		n *= v
	}
	return n, nil
}

// int64s appends the values of a repeated int64 field, packed or not.
func (d *decoder) int64s(f field, dst []int64) ([]int64, error) {
	switch f.typ {
	case protowire.VarintType:
		v, err := d.varint()
		return append(dst, int64(v)), err
	case protowire.BytesType:
		n := f.end - d.off
		if n > maxPackedDims {
			return dst, fmt.Errorf("dims: packed field of %d bytes is implausibly long", n)
		}
		b, err := d.bytes(n)
		if err != nil {
			return dst, err
		}
		for len(b) > 0 {
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return dst, fmt.Errorf("dims: %w", protowire.ParseError(m))
			}
			dst = append(dst, int64(v))
			b = b[m:]
		}
		return dst, nil
	}
	return dst, fmt.Errorf("dims: wire type %d, want varint or packed", f.typ)
}

// decoder reads protobuf fields from a stream, tracking its offset.
type decoder struct {
	src    io.Reader
	br     *bufio.Reader
	seeker io.Seeker // src as a Seeker, or nil
	size   int64     // bytes from the start to the end of src, or -1
	off    int64     // bytes consumed
	// tensors, when set, receives the dense initializers of ≤ 2 dims.
	tensors *[]Tensor
	// gathers, when set, receives the main graph's Gather nodes.
	gathers *[]Gather
}

// field is one field's key; for length-delimited fields, end is the offset
// just past its value (the length has been read).
type field struct {
	num protowire.Number
	typ protowire.Type
	end int64
}

var errTruncated = errors.New("truncated: unexpected end of file")

// message reads the fields of a message ending at offset end (-1: at end of
// input), calling fn for each. fn consumes the field's value and returns
// true, or returns false to have it skipped.
func (d *decoder) message(end int64, fn func(field) (bool, error)) error {
	for end < 0 || d.off < end {
		start := d.off
		tag, err := d.varint()
		if err == io.EOF && end < 0 && d.off == start {
			return nil
		}
		if err != nil {
			return fmt.Errorf("offset %d: %w", start, err)
		}
		num, typ := protowire.DecodeTag(tag)
		if !num.IsValid() {
			return fmt.Errorf("offset %d: invalid field number %d: not an ONNX (protobuf) file", start, num)
		}
		f := field{num: num, typ: typ, end: -1}
		if typ == protowire.BytesType {
			n, err := d.varint()
			if err != nil {
				return fmt.Errorf("offset %d: field %d: %w", start, num, err)
			}
			if n > math.MaxInt64-uint64(d.off) {
				return fmt.Errorf("offset %d: field %d: length %d is too large", start, num, n)
			}
			f.end = d.off + int64(n)
			if end >= 0 && f.end > end {
				return fmt.Errorf("offset %d: field %d: length %d overruns its message", start, num, n)
			}
		}
		handled, err := fn(f)
		if err != nil {
			return err
		}
		if !handled {
			if err := d.skipValue(f); err != nil {
				return fmt.Errorf("offset %d: field %d: %w", start, num, err)
			}
		} else if f.end >= 0 && d.off != f.end {
			return fmt.Errorf("offset %d: field %d: value does not end where its length says", start, num)
		}
		if end >= 0 && d.off > end {
			return fmt.Errorf("offset %d: field %d overruns its message", start, num)
		}
	}
	return nil
}

func (d *decoder) skipValue(f field) error {
	switch f.typ {
	case protowire.VarintType:
		_, err := d.varint()
		return err
	case protowire.Fixed32Type:
		return d.skip(4)
	case protowire.Fixed64Type:
		return d.skip(8)
	case protowire.BytesType:
		return d.skip(f.end - d.off)
	}
	return fmt.Errorf("wire type %d is not used by ONNX: not an ONNX (protobuf) file", f.typ)
}

func (d *decoder) varint() (uint64, error) {
	var x uint64
	for i := range 10 {
		b, err := d.br.ReadByte()
		if err != nil {
			if err == io.EOF && i > 0 {
				err = errTruncated
			}
			return 0, err
		}
		d.off++
		if i == 9 && b > 1 {
			return 0, errors.New("varint overflows 64 bits")
		}
		x |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return x, nil
		}
	}
	return 0, errors.New("varint overflows 64 bits")
}

func (d *decoder) bytes(n int64) ([]byte, error) {
	b := make([]byte, n)
	m, err := io.ReadFull(d.br, b)
	d.off += int64(m)
	if err != nil {
		return nil, errTruncated
	}
	return b, nil
}

// skip discards n bytes, seeking past them when it can.
func (d *decoder) skip(n int64) error {
	if d.size >= 0 && d.off+n > d.size {
		return errTruncated
	}
	if buf := int64(d.br.Buffered()); n > buf && d.seeker != nil {
		d.br.Discard(int(buf))
		if _, err := d.seeker.Seek(n-buf, io.SeekCurrent); err != nil {
			return err
		}
		d.br.Reset(d.src)
		d.off += n
		return nil
	}
	m, err := io.CopyN(io.Discard, d.br, n)
	d.off += m
	if err == io.EOF {
		return errTruncated
	}
	return err
}
