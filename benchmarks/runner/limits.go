package runner

import (
	"bufio"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/nerbench/nerbench/internal/selection/onnxparams"
)

// graphTables is what a model's initializers say about its inputs.
type graphTables struct {
	// Vocab is the number of rows of the word embedding table; 0 when no
	// table is recognized.
	Vocab     int
	VocabName string
	// Positions is the number of rows of the position embedding table; 0
	// when none is recognized.
	Positions     int
	PositionsName string
}

// readGraphTables finds the embedding tables among the model's 2-D
// initializers: the word embeddings by name ("word_embeddings", as Hugging
// Face and TF exports name them), else as the table that a Gather node
// indexes with the ids input (idsInput) itself; and the position
// embeddings as the table named "position_embeddings", else one whose name
// holds "position" with fewer rows than the word embeddings.
func readGraphTables(path, idsInput string) (graphTables, error) {
	ts, gathers, err := onnxparams.Graph(path)
	if err != nil {
		return graphTables{}, err
	}
	var g graphTables
	for _, t := range ts {
		if len(t.Dims) == 2 && strings.Contains(strings.ToLower(t.Name), "word_embeddings") && t.Dims[0] > int64(g.Vocab) {
			g.Vocab, g.VocabName = int(t.Dims[0]), t.Name
		}
	}
	if g.Vocab == 0 && idsInput != "" {
		ids := map[string]bool{idsInput: true} // the ids and their casts
		for changed := true; changed; {
			changed = false
			for _, n := range gathers {
				if n.Op != "Gather" && !ids[n.Output] && slices.ContainsFunc(n.Inputs, func(in string) bool { return ids[in] }) {
					ids[n.Output], changed = true, true
				}
			}
		}
		for _, gt := range gathers {
			if gt.Op != "Gather" || !ids[gt.Indices] {
				continue
			}
			for _, t := range ts {
				if t.Name == gt.Data && len(t.Dims) == 2 && t.Dims[0] > 0 {
					g.Vocab, g.VocabName = int(t.Dims[0]), t.Name
				}
			}
		}
	}
	exact := false
	for _, t := range ts {
		name := strings.ToLower(t.Name)
		if len(t.Dims) != 2 || !strings.Contains(name, "position") || t.Dims[0] < 1 {
			continue
		}
		switch {
		case strings.Contains(name, "position_embeddings"):
			// Named as Hugging Face and TF exports name it: trusted.
			if !exact {
				g.Positions, g.PositionsName, exact = int(t.Dims[0]), t.Name, true
			}
		case !exact && g.Positions == 0 && g.Vocab > 0 && t.Dims[0] < int64(g.Vocab):
			// Another table named for positions, smaller than the
			// vocabulary.
			g.Positions, g.PositionsName = int(t.Dims[0]), t.Name
		}
	}
	return g, nil
}

// MemoryLimit is the most memory, in bytes, that Prepare lets the bound
// batches of one batch size take; 0 means DefaultMemoryLimit. The suite's
// -nerbench.memory-limit and nerbench run's --memory-limit set it.
var MemoryLimit int64

// DefaultMemoryLimit returns half of the memory available now
// (MemAvailable of /proc/meminfo), or 8 GiB where that cannot be read.
func DefaultMemoryLimit() int64 {
	if avail, err := availableMemory(); err == nil && avail > 0 {
		return avail / 2
	}
	return 8 << 30
}

func availableMemory() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no MemAvailable in /proc/meminfo")
}

// ErrTooMuchMemory is wrapped by Prepare's error for batches that would
// take more memory than the limit.
var ErrTooMuchMemory = errors.New("too much memory")
