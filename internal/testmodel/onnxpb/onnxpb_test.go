package onnxpb

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// field is one decoded protobuf field: val for bytes, u for numbers.
type field struct {
	num protowire.Number
	typ protowire.Type
	val []byte
	u   uint64
}

// fields splits a message into its fields, failing on any malformed one.
func fields(t *testing.T, b []byte) []field {
	t.Helper()
	var out []field
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		f := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.u, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			f.val, n = protowire.ConsumeBytes(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			f.u = uint64(v)
		default:
			t.Fatalf("unexpected wire type %v", typ)
		}
		if n < 0 {
			t.Fatalf("field %d: %v", num, protowire.ParseError(n))
		}
		b = b[n:]
		out = append(out, f)
	}
	return out
}

func TestModelEncoding(t *testing.T) {
	streamed := &Tensor{Name: "big", DataType: Float, Dims: []int64{1000, 3}, RawLen: 12000,
		Fill: func(w io.Writer) error {
			_, err := w.Write(bytes.Repeat([]byte{7}, 12000))
			return err
		}}
	m := &Model{
		IRVersion: 8, ProducerName: "test", Opsets: []Opset{{Version: 17}},
		Graph: Graph{
			Name:    "g",
			Nodes:   []Node{{Name: "n", OpType: "Gather", Inputs: []string{"big", "ids"}, Outputs: []string{"y"}, Attrs: []Attr{AttrInt("axis", 0)}}},
			Inputs:  []ValueInfo{{Name: "ids", ElemType: Int64, Dims: []Dim{{Param: "batch"}, {Value: 4}}}},
			Outputs: []ValueInfo{{Name: "y", ElemType: Float, Dims: []Dim{{Param: "batch"}, {Value: 4}, {Value: 3}}}},
			Initializers: []*Tensor{
				{Name: "small", DataType: Int64, Dims: []int64{1}, Raw: []byte{1, 0, 0, 0, 0, 0, 0, 0}},
				streamed,
			},
		},
	}
	var buf bytes.Buffer
	n, err := m.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Errorf("WriteTo returned %d, wrote %d", n, buf.Len())
	}
	var graph []byte
	for _, f := range fields(t, buf.Bytes()) {
		switch f.num {
		case 1:
			if f.u != 8 {
				t.Errorf("ir_version %d", f.u)
			}
		case 7:
			graph = f.val
		case 8:
			if of := fields(t, f.val); len(of) != 1 || of[0].num != 2 || of[0].u != 17 {
				t.Errorf("opset_import %+v", of)
			}
		}
	}
	if graph == nil {
		t.Fatal("no graph")
	}
	var names []string
	for _, f := range fields(t, graph) {
		if f.num != 5 {
			continue
		}
		var name string
		var raw int
		for _, tf := range fields(t, f.val) {
			switch tf.num {
			case 8:
				name = string(tf.val)
			case 9:
				raw = len(tf.val)
			}
		}
		names = append(names, name)
		if name == "big" && raw != 12000 {
			t.Errorf("big: %d raw bytes", raw)
		}
	}
	if strings.Join(names, ",") != "small,big" {
		t.Errorf("initializers %v", names)
	}

	// A Fill that writes the wrong number of bytes is an error.
	for _, k := range []int{11999, 12001} {
		streamed.Fill = func(w io.Writer) error {
			_, err := w.Write(make([]byte, k))
			return err
		}
		if _, err := m.WriteTo(io.Discard); err == nil {
			t.Errorf("Fill writing %d of 12000 bytes: no error", k)
		}
	}
}
