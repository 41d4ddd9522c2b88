package config

import (
	"os"
	"testing"
)

// The bench.toml reader never panics, and what it accepts is valid.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../../bench.toml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"test_data = \"t.json\"\n[[model]]\nname = \"a\"\ncheckpoint = \"c\"\n",
		"batch_sizes = [1, 8]\niterations = 3\n[check]\nalpha = 0.05\n[check.thresholds]\n\"ns/op\" = 0.1\n",
		"[[model]]\nname = \"a\"\n[model]\n", "x = [", "[selection]\ngoal = \"fast\"\n",
		"batch_sizes = [100000000]\n", "iterations = 100000000000\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseTables("bench.toml", data)
		if err != nil {
			if c != nil {
				t.Error("a Config with an error")
			}
			return
		}
		for _, m := range c.Models {
			if err := m.Settings.Validate(); err != nil && m.Settings.TestData != "" {
				t.Errorf("model %q accepted with invalid settings: %v", m.Name, err)
			}
		}
		if err := c.Check.Validate(); err != nil {
			t.Errorf("[check] accepted invalid: %v", err)
		}
	})
}
