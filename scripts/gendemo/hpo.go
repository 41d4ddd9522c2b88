package main

import (
	"fmt"
	"math"
	"math/rand/v2"
)

const trialsPerBackbone = 3

// trial is one simulated hyperparameter-optimisation trial.
type trial struct {
	Index   int
	Hyper   hyperparameters
	Metrics metrics
}

type hyperparameters struct {
	LearningRate   float64 `json:"learning_rate"`
	BatchSize      int     `json:"batch_size"`
	NumTrainEpochs int     `json:"num_train_epochs"`
	WeightDecay    float64 `json:"weight_decay"`
}

type metrics struct {
	MacroF1  float64 `json:"macro-f1"`
	MicroF1  float64 `json:"micro-f1"`
	Accuracy float64 `json:"accuracy"`
	Loss     float64 `json:"loss"`
}

// quality is the macro-F1 a well-tuned backbone reaches in this simulation.
var quality = map[string]float64{"bert": 0.905, "distilbert": 0.885, "tiny": 0.62}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// simulateTrials returns plausible, seeded trials for a backbone: the
// further the learning rate from the backbone's sweet spot, the lower the
// scores.
func simulateTrials(backbone string) []trial {
	h := uint64(0)
	for _, c := range backbone {
		h = h*131 + uint64(c)
	}
	r := rand.New(rand.NewPCG(0x68706f, h))
	best := quality[backbone]
	sweet := 3e-5
	if backbone == "tiny" {
		sweet = 1e-4
	}
	lrs := []float64{1e-5, 2e-5, 3e-5, 5e-5, 1e-4, 2e-4}
	batches := []int{8, 16, 32}
	var ts []trial
	for i := range trialsPerBackbone {
		hp := hyperparameters{
			LearningRate:   lrs[r.IntN(len(lrs))],
			BatchSize:      batches[r.IntN(len(batches))],
			NumTrainEpochs: 2 + r.IntN(4),
			WeightDecay:    []float64{0, 0.01, 0.1}[r.IntN(3)],
		}
		off := math.Abs(math.Log10(hp.LearningRate / sweet))
		macro := best - 0.04*off - 0.004*float64(5-hp.NumTrainEpochs) + 0.006*(r.Float64()-0.5)
		micro := macro + 0.008 + 0.01*r.Float64()
		acc := 0.94 + 0.05*macro + 0.004*r.Float64()
		loss := 0.03 + 0.5*(1-macro) + 0.01*r.Float64()
		ts = append(ts, trial{
			Index: i,
			Hyper: hp,
			Metrics: metrics{
				MacroF1: round4(macro), MicroF1: round4(min(micro, 0.999)),
				Accuracy: round4(min(acc, 0.999)), Loss: round4(loss),
			},
		})
	}
	return ts
}

// bestTrial returns the index of the trial with the highest macro-F1 (the
// first one on ties).
func bestTrial(ts []trial) int {
	b := 0
	for i, t := range ts {
		if t.Metrics.MacroF1 > ts[b].Metrics.MacroF1 {
			b = i
		}
	}
	return b
}

func trialDir(i int) string { return fmt.Sprintf("trial_%d", i) }
