package shard

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"unicode"
)

// Machine returns the machine label to record: label when given (it must
// be one printable line), else DefaultMachine(device).
func Machine(label, device string) (string, error) {
	if label == "" {
		return DefaultMachine(device), nil
	}
	if err := CheckMachine(label); err != nil {
		return "", err
	}
	return label, nil
}

// CheckMachine reports whether label can be a machine label: not empty,
// at most 120 characters, printable, with no comma (a merged file lists
// several labels comma-separated) and no leading or trailing space.
func CheckMachine(label string) error {
	bad := label == "" || len(label) > 120 || strings.TrimSpace(label) != label || strings.Contains(label, ",")
	for _, r := range label {
		if !unicode.IsPrint(r) {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("machine label %q: want one printable line of at most 120 characters, without commas or surrounding space", label)
	}
	return nil
}

// DefaultMachine returns the label of this machine: the CPU model and the
// number of logical CPUs ("AMD EPYC 7763 64-Core Processor x4"), and, when
// device is "cuda", the GPU's name as nvidia-smi gives it
// ("… x8 + cuda NVIDIA A10G").
func DefaultMachine(device string) string {
	label := fmt.Sprintf("%s x%d", cpuModel(), runtime.NumCPU())
	if device == "cuda" {
		gpu := "unknown GPU"
		if out, err := exec.Command("nvidia-smi", "--query-gpu=name", "--format=csv,noheader").Output(); err == nil {
			if first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n"); first != "" {
				gpu = first
			}
		}
		label += " + cuda " + gpu
	}
	return clean(label)
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or the
// architecture when it says none.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == "model name" && strings.TrimSpace(v) != "" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOOS + "/" + runtime.GOARCH
}

// clean makes s a valid label: printable, commas as ';', single spaces.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == ',':
			return ';'
		case !unicode.IsPrint(r):
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = strings.TrimSpace(strings.ToValidUTF8(s[:120], ""))
	}
	return s
}
