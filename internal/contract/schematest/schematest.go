// Package schematest checks benchmark.json data against its JSON Schema
// (contract.Schema) in tests, so that every package that writes the file can
// check what it wrote:
//
//	data, _ := os.ReadFile(path)
//	schematest.Validate(t, data)
package schematest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/nerbench/nerbench/internal/contract"
)

const schemaURL = "https://github.com/nerbench/nerbench/internal/contract/benchmark.schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(contract.Schema()))
	if err != nil {
		return nil, fmt.Errorf("benchmark.schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("benchmark.schema.json: %w", err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("benchmark.schema.json: %w", err)
	}
	return s, nil
})

// Check returns an error that lists every way data, the contents of a
// benchmark.json, breaks the schema.
func Check(data []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}

// Validate fails t, naming what is wrong, when data breaks the schema.
func Validate(t testing.TB, data []byte) {
	t.Helper()
	if err := Check(data); err != nil {
		t.Errorf("benchmark.json does not match benchmark.schema.json: %v\n%s", err, data)
	}
}
