package contract

import (
	_ "embed"
	"slices"
)

//go:embed benchmark.schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of benchmark.json,
// benchmark.schema.json in this folder. Package contract/schematest checks
// files against it in tests.
func Schema() []byte { return slices.Clone(schema) }
