package benchmarks

import (
	"testing"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/shard"
)

// The shard comes from -nerbench.shard, else $NERBENCH_SHARD; the flag
// wins. An invalid one is an error.
func TestShardingFlagAndEnv(t *testing.T) {
	cfg, err := config.LoadTables("testdata/tiny.toml")
	if err != nil {
		t.Fatal(err)
	}
	defer func(old string) { *shardFlag = old }(*shardFlag)
	for _, tc := range []struct {
		flag, env string
		want      shard.Spec
	}{
		{"", "", shard.Spec{}},
		{"", "2/2", shard.Spec{Index: 2, Count: 2}},
		{"1/2", "2/2", shard.Spec{Index: 1, Count: 2}},
	} {
		*shardFlag = tc.flag
		t.Setenv(shard.EnvShard, tc.env)
		spec, plan, err := sharding(cfg)
		if err != nil || spec != tc.want || plan == nil {
			t.Errorf("flag %q, env %q: %v, %v, %v; want %v", tc.flag, tc.env, spec, plan, err, tc.want)
			continue
		}
		if n := len(plan.Of(spec)); spec.IsZero() && n != 2 || !spec.IsZero() && n != 1 {
			t.Errorf("flag %q, env %q: %d cells", tc.flag, tc.env, n)
		}
	}
	*shardFlag = "3/2"
	if _, _, err := sharding(cfg); err == nil {
		t.Error("shard 3/2: no error")
	}
}
