// Package engine runs ONNX models on ONNX Runtime through
// github.com/yalue/onnxruntime_go. It is the only package of nerbench that
// uses cgo, so that every other package builds and tests without the
// shared library.
//
// One environment serves the whole process (Init, then Shutdown). A Session
// discovers the model's inputs and outputs; a Batch holds every input and
// output tensor of one batch, bound once, so that Session.Run does nothing
// but run the graph: no Go allocation, no copy, no tensor creation.
package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// LibraryEnv names the environment variable that overrides the library path.
const LibraryEnv = "ONNXRUNTIME_LIB"

// SetupCommand is what a user runs to install the shared library.
const SetupCommand = "scripts/setup-ort.sh (or make ort)"

// DefaultVersion is the ONNX Runtime version the set-up script installs.
const DefaultVersion = "1.30.0"

// LibraryPath returns the shared library to load: $ONNXRUNTIME_LIB, else
// .cache/onnxruntime/<DefaultVersion>/libonnxruntime.so.1 in the first
// folder, from the module root (the first folder from the working
// directory up that holds go.mod) up, that has one. Looking above the
// module root lets a module nested in a nerbench checkout (such as
// examples/plugin) use the checkout's library; any other module sets
// ONNXRUNTIME_LIB. A library that is not there is an error naming the
// set-up command.
func LibraryPath() (string, error) {
	if p := os.Getenv(LibraryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w; unset it to use the library installed by %s", LibraryEnv, p, err, SetupCommand)
		}
		return p, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("ONNX Runtime shared library not found: %v to find .cache/onnxruntime in; run %s in the nerbench checkout or set %s", err, SetupCommand, LibraryEnv)
	}
	rel := filepath.Join(".cache", "onnxruntime", DefaultVersion, "libonnxruntime.so.1")
	for dir := root; ; {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	p := filepath.Join(root, rel)
	return "", fmt.Errorf("ONNX Runtime shared library not found at %s (nor in a folder above): run %s from %s, or set %s to a libonnxruntime.so", p, SetupCommand, root, LibraryEnv)
}

// ModuleRoot returns the first folder, from the working directory up, that
// holds a go.mod: the nerbench checkout when run by go test or from it.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

var env struct {
	sync.Mutex
	refs    int
	version string
	path    string
}

// Init loads the shared library at path ("" means LibraryPath()) and
// creates the process's ONNX Runtime environment. Calls nest: each Init
// needs a Shutdown, and the environment is destroyed by the last one.
// It returns the library's version.
func Init(path string) (string, error) {
	env.Lock()
	defer env.Unlock()
	if env.refs > 0 {
		env.refs++
		return env.version, nil
	}
	if path == "" {
		var err error
		if path, err = LibraryPath(); err != nil {
			return "", err
		}
	}
	ort.SetSharedLibraryPath(path)
	// Errors come back as Go errors, without colour codes (ortError); ONNX
	// Runtime's own log would print each one again, raw and coloured.
	if err := ort.InitializeEnvironment(ort.WithLogLevelFatal()); err != nil {
		return "", fmt.Errorf("loading ONNX Runtime from %s: %w (reinstall with %s)", path, err, SetupCommand)
	}
	env.refs = 1
	env.version = ort.GetVersion()
	env.path = path
	return env.version, nil
}

// Shutdown releases one Init; the last one destroys the environment.
func Shutdown() error {
	env.Lock()
	defer env.Unlock()
	if env.refs == 0 {
		return nil
	}
	env.refs--
	if env.refs > 0 {
		return nil
	}
	return ort.DestroyEnvironment()
}

// Version returns the loaded library's version ("" before Init).
func Version() string {
	env.Lock()
	defer env.Unlock()
	return env.version
}

// Role says what an input carries.
type Role int

const (
	RoleInputIDs Role = iota
	RoleAttentionMask
	RoleTokenTypeIDs
)

func (r Role) String() string {
	return [...]string{"input ids", "attention mask", "token type ids"}[r]
}

// roleOf maps an input name to what it carries: names as Hugging Face,
// TF/Vespa and older BERT exports spell them.
func roleOf(name string) (Role, bool) {
	n := strings.ToLower(name)
	n, _, _ = strings.Cut(n, ":") // TF-style "input_ids:0"
	switch n {
	case "input_ids", "ids", "input", "inputs", "tokens", "token_ids", "input_word_ids":
		return RoleInputIDs, true
	case "attention_mask", "input_mask", "mask", "attention_masks":
		return RoleAttentionMask, true
	case "token_type_ids", "segment_ids", "type_ids", "input_type_ids", "token_types":
		return RoleTokenTypeIDs, true
	}
	return 0, false
}

// Input is one model input nerbench feeds.
type Input struct {
	Name string
	Role Role
	// Int32 says the input is int32 rather than int64.
	Int32 bool
	// Dims as the model declares them; -1 marks a dynamic dimension.
	Dims []int64
}

// Output is one model output.
type Output struct {
	Name     string
	DataType ort.TensorElementDataType
	Dims     []int64
}

// Options configure a Session.
type Options struct {
	// Device is "cpu", "cuda" or "auto" (CUDA where the library and machine
	// have it, else CPU). "" means "auto".
	Device string
	// IntraOpThreads and InterOpThreads set ONNX Runtime's thread pools;
	// 0 leaves ONNX Runtime's default (one intra-op thread per physical core).
	IntraOpThreads int
	InterOpThreads int
	// GraphOptimization is the graph optimization level: "all",
	// "extended", "basic" or "disabled"; "" leaves ONNX Runtime's default
	// (all).
	GraphOptimization string
}

var graphLevels = map[string]ort.GraphOptimizationLevel{
	"all": ort.GraphOptimizationLevelEnableAll, "extended": ort.GraphOptimizationLevelEnableExtended,
	"basic": ort.GraphOptimizationLevelEnableBasic, "disabled": ort.GraphOptimizationLevelDisableAll,
}

// Session is one loaded model.
type Session struct {
	// Path is the model file.
	Path    string
	Inputs  []Input
	Outputs []Output
	// Device is the device actually used: "cpu" or "cuda".
	Device string
	// FixedBatch and FixedSeqLen are the batch size and sequence length the
	// model demands, or 0 where that dimension is dynamic.
	FixedBatch, FixedSeqLen int

	sess *ort.DynamicAdvancedSession
}

// Open loads the model at path. The environment must be initialized.
func Open(path string, opts Options) (_ *Session, err error) {
	defer recovered(path, &err)
	ins, outs, err := ort.GetInputOutputInfo(path)
	if err != nil {
		return nil, fmt.Errorf("reading inputs and outputs of %s: %w", path, errors.New(CleanMessage(err.Error())))
	}
	s := &Session{Path: path}
	if err := s.discover(ins, outs); err != nil {
		return nil, err
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	if opts.IntraOpThreads > 0 {
		if err := so.SetIntraOpNumThreads(opts.IntraOpThreads); err != nil {
			return nil, fmt.Errorf("intra-op threads %d: %w", opts.IntraOpThreads, err)
		}
	}
	if opts.InterOpThreads > 0 {
		if err := so.SetInterOpNumThreads(opts.InterOpThreads); err != nil {
			return nil, fmt.Errorf("inter-op threads %d: %w", opts.InterOpThreads, err)
		}
	}
	if opts.GraphOptimization != "" {
		level, ok := graphLevels[opts.GraphOptimization]
		if !ok {
			return nil, fmt.Errorf("graph optimization %q: want all, extended, basic or disabled", opts.GraphOptimization)
		}
		if err := so.SetGraphOptimizationLevel(level); err != nil {
			return nil, fmt.Errorf("graph optimization %s: %w", opts.GraphOptimization, err)
		}
	}
	if s.Device, err = chooseDevice(so, opts.Device); err != nil {
		return nil, err
	}
	names := func(n int, name func(int) string) []string {
		out := make([]string, n)
		for i := range n {
			out[i] = name(i)
		}
		return out
	}
	s.sess, err = ort.NewDynamicAdvancedSession(path,
		names(len(s.Inputs), func(i int) string { return s.Inputs[i].Name }),
		names(len(s.Outputs), func(i int) string { return s.Outputs[i].Name }), so)
	if err != nil {
		return nil, fmt.Errorf("creating ONNX Runtime session for %s: %w", path, errors.New(CleanMessage(err.Error())))
	}
	return s, nil
}

// chooseDevice appends the CUDA execution provider for "cuda" and "auto"
// and returns the device the session will use.
func chooseDevice(so *ort.SessionOptions, device string) (string, error) {
	switch device {
	case "cpu":
		return "cpu", nil
	case "", "auto":
		// ONNX Runtime loads CUDA support from a provider library beside
		// its own; without one, trying would only log an error.
		if !cudaProviderPresent() {
			return "cpu", nil
		}
	case "cuda":
		if !cudaProviderPresent() {
			return "", fmt.Errorf("device cuda: no %s beside the ONNX Runtime library %s (a CPU-only build, like the npm package's); use device cpu, or point %s at a CUDA build of ONNX Runtime", cudaProviderLib, env.path, LibraryEnv)
		}
	default:
		return "", fmt.Errorf("device %q: want auto, cpu or cuda", device)
	}
	err := appendCUDA(so)
	if err == nil {
		return "cuda", nil
	}
	if device == "cuda" {
		return "", fmt.Errorf("device cuda: this ONNX Runtime library (%s) has no usable CUDA execution provider: %v; use device cpu, or point %s at a CUDA build of ONNX Runtime", Version(), err, LibraryEnv)
	}
	return "cpu", nil
}

const cudaProviderLib = "libonnxruntime_providers_cuda.so"

func cudaProviderPresent() bool {
	env.Lock()
	defer env.Unlock()
	_, err := os.Stat(filepath.Join(filepath.Dir(env.path), cudaProviderLib))
	return err == nil
}

func appendCUDA(so *ort.SessionOptions) error {
	cuda, err := ort.NewCUDAProviderOptions()
	if err != nil {
		return err
	}
	defer cuda.Destroy()
	return so.AppendExecutionProviderCUDA(cuda)
}

// discover fills Inputs and Outputs, checking that every input is one
// nerbench can feed.
func (s *Session) discover(ins, outs []ort.InputOutputInfo) error {
	seen := map[Role]string{}
	for _, in := range ins {
		role, ok := roleOf(in.Name)
		if !ok {
			return fmt.Errorf("%s: input %q (%s) is not one nerbench can feed: want input_ids, attention_mask or input_mask, token_type_ids or segment_ids", s.Path, in.Name, in.String())
		}
		if prev, dup := seen[role]; dup {
			return fmt.Errorf("%s: inputs %q and %q both look like the %s", s.Path, prev, in.Name, role)
		}
		seen[role] = in.Name
		if in.OrtValueType != ort.ONNXTypeTensor {
			return fmt.Errorf("%s: input %q is a %s, want a tensor", s.Path, in.Name, in.OrtValueType)
		}
		var int32in bool
		switch in.DataType {
		case ort.TensorElementDataTypeInt64:
		case ort.TensorElementDataTypeInt32:
			int32in = true
		default:
			return fmt.Errorf("%s: input %q is %s, want int64 or int32", s.Path, in.Name, in.DataType)
		}
		if len(in.Dimensions) != 2 {
			return fmt.Errorf("%s: input %q has shape %v, want [batch, sequence]", s.Path, in.Name, in.Dimensions)
		}
		if err := s.fix(&s.FixedBatch, in.Dimensions[0], in.Name, "batch size"); err != nil {
			return err
		}
		if err := s.fix(&s.FixedSeqLen, in.Dimensions[1], in.Name, "sequence length"); err != nil {
			return err
		}
		s.Inputs = append(s.Inputs, Input{Name: in.Name, Role: role, Int32: int32in, Dims: in.Dimensions.Clone()})
	}
	if _, ok := seen[RoleInputIDs]; !ok {
		return fmt.Errorf("%s: no input_ids input among %s", s.Path, inputNames(ins))
	}
	for _, out := range outs {
		if out.OrtValueType != ort.ONNXTypeTensor {
			return fmt.Errorf("%s: output %q is a %s; nerbench handles tensor outputs only", s.Path, out.Name, out.OrtValueType)
		}
		if _, err := elemSize(out.DataType); err != nil {
			return fmt.Errorf("%s: output %q: %w", s.Path, out.Name, err)
		}
		s.Outputs = append(s.Outputs, Output{Name: out.Name, DataType: out.DataType, Dims: out.Dimensions.Clone()})
	}
	if len(s.Outputs) == 0 {
		return fmt.Errorf("%s: the model has no outputs", s.Path)
	}
	return nil
}

func (s *Session) fix(dst *int, dim int64, input, what string) error {
	if dim <= 0 {
		return nil
	}
	if *dst != 0 && *dst != int(dim) {
		return fmt.Errorf("%s: input %q fixes the %s at %d, another input at %d", s.Path, input, what, dim, *dst)
	}
	*dst = int(dim)
	return nil
}

func inputNames(ins []ort.InputOutputInfo) string {
	var names []string
	for _, in := range ins {
		names = append(names, fmt.Sprintf("%q", in.Name))
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// HasInput reports whether the model takes an input of the given role.
func (s *Session) HasInput(r Role) bool {
	for _, in := range s.Inputs {
		if in.Role == r {
			return true
		}
	}
	return false
}

// Destroy frees the session.
func (s *Session) Destroy() error {
	if s == nil || s.sess == nil {
		return nil
	}
	err := s.sess.Destroy()
	s.sess = nil
	return err
}

// Run runs the model on a bound batch. It makes no Go allocation (but on
// failure, for its error).
func (s *Session) Run(b *Batch) error {
	if err := s.sess.RunWithBinding(b.binding); err != nil {
		return ortError(s.Path, err)
	}
	return nil
}

// BatchBytes returns the memory one bound batch of size × seqLen holds:
// its input tensors and its pre-created output tensors.
func (s *Session) BatchBytes(size, seqLen int) (int64, error) {
	var n int64
	for _, in := range s.Inputs {
		e := int64(8)
		if in.Int32 {
			e = 4
		}
		n += int64(size) * int64(seqLen) * e
	}
	for _, out := range s.Outputs {
		dims, err := outputShape(out, size, seqLen)
		if err != nil {
			return 0, err
		}
		e, err := elemSize(out.DataType)
		if err != nil {
			return 0, err
		}
		size := int64(e)
		for _, d := range dims {
			size *= d
		}
		n += size
	}
	return n, nil
}

// Batch is one batch's input and output tensors, bound to its session.
type Batch struct {
	Size, SeqLen int
	binding      *ort.IoBinding
	inputs       []ort.Value
	outputs      []ort.Value
	session      *Session
}

// NewBatch builds and binds the tensors of one batch. ids, mask and typeIDs
// are row-major [size, seqLen]; inputs the model lacks are ignored.
func (s *Session) NewBatch(size, seqLen int, ids, mask, typeIDs []int64) (_ *Batch, err error) {
	defer recovered(s.Path, &err)
	if s.FixedBatch > 0 && size != s.FixedBatch {
		return nil, fmt.Errorf("%s: the model fixes the batch size at %d; batch size %d cannot run", s.Path, s.FixedBatch, size)
	}
	if s.FixedSeqLen > 0 && seqLen != s.FixedSeqLen {
		return nil, fmt.Errorf("%s: the model fixes the sequence length at %d, got %d (pad or truncate to it)", s.Path, s.FixedSeqLen, seqLen)
	}
	n := size * seqLen
	if len(ids) != n || len(mask) != n || len(typeIDs) != n {
		return nil, fmt.Errorf("batch %dx%d: got %d ids, %d mask and %d type ids", size, seqLen, len(ids), len(mask), len(typeIDs))
	}
	b := &Batch{Size: size, SeqLen: seqLen, session: s}
	defer func() {
		if err != nil {
			err = errors.Join(err, b.Destroy())
		}
	}()
	if b.binding, err = s.sess.CreateIoBinding(); err != nil {
		return nil, fmt.Errorf("creating I/O binding: %w", err)
	}
	shape := ort.NewShape(int64(size), int64(seqLen))
	for _, in := range s.Inputs {
		data := map[Role][]int64{RoleInputIDs: ids, RoleAttentionMask: mask, RoleTokenTypeIDs: typeIDs}[in.Role]
		var v ort.Value
		if in.Int32 {
			d32 := make([]int32, len(data))
			for i, x := range data {
				d32[i] = int32(x)
			}
			v, err = ort.NewTensor(shape, d32)
		} else {
			v, err = ort.NewTensor(shape, append([]int64(nil), data...))
		}
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", in.Name, err)
		}
		b.inputs = append(b.inputs, v)
		if err = b.binding.BindInput(in.Name, v); err != nil {
			return nil, fmt.Errorf("binding input %q: %w", in.Name, err)
		}
	}
	for _, out := range s.Outputs {
		dims, err := outputShape(out, size, seqLen)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Path, err)
		}
		v, err := newOutput(out.DataType, dims)
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", out.Name, err)
		}
		b.outputs = append(b.outputs, v)
		if err = b.binding.BindOutput(out.Name, v); err != nil {
			return nil, fmt.Errorf("binding output %q: %w", out.Name, err)
		}
	}
	return b, nil
}

// outputShape resolves an output's dynamic dimensions: the first is the
// batch size and the second the sequence length, as in every encoder
// export ([batch, sequence, …] or [batch, …]).
func outputShape(out Output, size, seqLen int) (ort.Shape, error) {
	dims := make(ort.Shape, len(out.Dims))
	for i, d := range out.Dims {
		switch {
		case d > 0:
			dims[i] = d
		case i == 0:
			dims[i] = int64(size)
		case i == 1:
			dims[i] = int64(seqLen)
		default:
			return nil, fmt.Errorf("output %q has shape %v: cannot tell what its dynamic dimension %d is (only [batch, sequence, …] is understood)", out.Name, out.Dims, i)
		}
	}
	return dims, nil
}

func elemSize(t ort.TensorElementDataType) (int, error) {
	switch t {
	case ort.TensorElementDataTypeFloat, ort.TensorElementDataTypeInt32, ort.TensorElementDataTypeUint32:
		return 4, nil
	case ort.TensorElementDataTypeDouble, ort.TensorElementDataTypeInt64, ort.TensorElementDataTypeUint64:
		return 8, nil
	case ort.TensorElementDataTypeFloat16, ort.TensorElementDataTypeBFloat16, ort.TensorElementDataTypeInt16, ort.TensorElementDataTypeUint16:
		return 2, nil
	case ort.TensorElementDataTypeInt8, ort.TensorElementDataTypeUint8, ort.TensorElementDataTypeBool:
		return 1, nil
	}
	return 0, fmt.Errorf("element type %s is not supported", t)
}

func newOutput(t ort.TensorElementDataType, dims ort.Shape) (ort.Value, error) {
	switch t {
	case ort.TensorElementDataTypeFloat:
		return ort.NewEmptyTensor[float32](dims)
	case ort.TensorElementDataTypeInt64:
		return ort.NewEmptyTensor[int64](dims)
	}
	size, err := elemSize(t)
	if err != nil {
		return nil, err
	}
	return ort.NewCustomDataTensor(dims, make([]byte, dims.FlattenedSize()*int64(size)), t)
}

// Fill writes a new batch of the same shape into b's input tensors, in
// place: ids, mask and typeIDs are row-major [Size, SeqLen], as for
// NewBatch. It makes no ONNX Runtime call, so a batch can be reused for
// every batch of its shape.
func (b *Batch) Fill(ids, mask, typeIDs []int64) error {
	n := b.Size * b.SeqLen
	if len(ids) != n || len(mask) != n || len(typeIDs) != n {
		return fmt.Errorf("batch %dx%d: got %d ids, %d mask and %d type ids", b.Size, b.SeqLen, len(ids), len(mask), len(typeIDs))
	}
	for i, in := range b.session.Inputs {
		data := map[Role][]int64{RoleInputIDs: ids, RoleAttentionMask: mask, RoleTokenTypeIDs: typeIDs}[in.Role]
		switch v := b.inputs[i].(type) {
		case *ort.Tensor[int64]:
			copy(v.GetData(), data)
		case *ort.Tensor[int32]:
			d := v.GetData()
			for j, x := range data {
				d[j] = int32(x)
			}
		default:
			return fmt.Errorf("input %q: unexpected tensor type %T", in.Name, b.inputs[i])
		}
	}
	return nil
}

// Float32Output returns a float32 output's data and shape after a Run.
func (b *Batch) Float32Output(name string) ([]float32, []int64, error) {
	for i, out := range b.session.Outputs {
		if out.Name != name {
			continue
		}
		t, ok := b.outputs[i].(*ort.Tensor[float32])
		if !ok {
			return nil, nil, fmt.Errorf("output %q is %s, not float32", name, out.DataType)
		}
		return t.GetData(), t.GetShape(), nil
	}
	return nil, nil, fmt.Errorf("no output %q", name)
}

// Destroy frees the batch's tensors and binding, in reverse order.
func (b *Batch) Destroy() error {
	if b == nil {
		return nil
	}
	var errs []error
	if b.binding != nil {
		errs = append(errs, b.binding.Destroy())
		b.binding = nil
	}
	for i := len(b.outputs) - 1; i >= 0; i-- {
		errs = append(errs, b.outputs[i].Destroy())
	}
	for i := len(b.inputs) - 1; i >= 0; i-- {
		errs = append(errs, b.inputs[i].Destroy())
	}
	b.inputs, b.outputs = nil, nil
	return errors.Join(errs...)
}
