package benchname

import (
	"slices"
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"distilbert_trial_0", "distilbert_trial_0"},
		{"bert.base+v2", "bert.base+v2"},
		{"ABCxyz019", "ABCxyz019"},
		{"a/b", "a_b"},
		{"outputs/hpo/distilbert/trial_0", "outputs_hpo_distilbert_trial_0"},
		{"my model", "my_model"},
		{"lr=3e-5", "lr_3e_5"},
		{"trial-3", "trial_3"},
		{"trial-03", "trial_03"},
		{"-3", "_3"},
		{"bert-base-cased", "bert_base_cased"},
		{"x-", "x_"},
		{"café", "caf_"},
		{"日本語", "___"},
		{"emoji🙂", "emoji_"},
		{"tab\tnew\nline", "tab_new_line"},
		{"a,b;c:d", "a_b_c_d"},
		{"#1", "_1"},
		{"", "_"},
		{"\xff\xfe", "__"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := Sanitize(tt.name)
			if got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.name, got, tt.want)
			}
			if !Valid(got) {
				t.Errorf("Valid(Sanitize(%q)) = false", tt.name)
			}
			if again := Sanitize(got); again != got {
				t.Errorf("Sanitize not idempotent: %q -> %q", got, again)
			}
			for _, bad := range []string{"/", " ", "=", "\t", "\n"} {
				if strings.Contains(got, bad) {
					t.Errorf("Sanitize(%q) = %q contains %q", tt.name, got, bad)
				}
			}
		})
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"distilbert_trial_0", true},
		{"a.b+c", true},
		{"", false},
		{"a/b", false},
		{"a b", false},
		{"a=b", false},
		{"trial-3", false},
		{"trial-", false}, // '-' itself is outside the allowed set
		{"é", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.s); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.s, got, tt.want)
		}
		if got := Sanitize(tt.s) == tt.s; got != tt.want {
			t.Errorf("Sanitize(%q) == %q is %v, want %v", tt.s, tt.s, got, tt.want)
		}
	}
}

func TestEndsInProcSuffix(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"x-3", true},
		{"x-123", true},
		{"-1", true},
		{"x-", false},
		{"x3", false},
		{"x_3", false},
		{"x-3a", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := endsInProcSuffix(tt.s); got != tt.want {
			t.Errorf("endsInProcSuffix(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestCollisions(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  []Collision
	}{
		{"none", []string{"a", "b", "a_c"}, nil},
		{"empty", nil, nil},
		{"same name twice is not a collision", []string{"a/b", "a/b"}, nil},
		{"slash and space", []string{"a/b", "x", "a b"},
			[]Collision{{BenchName: "a_b", Names: []string{"a/b", "a b"}}}},
		{"sanitized name given as is", []string{"trial-1", "trial_1"},
			[]Collision{{BenchName: "trial_1", Names: []string{"trial-1", "trial_1"}}}},
		{"three and two", []string{"p q", "m=1", "p/q", "m 1", "p=q"},
			[]Collision{
				{BenchName: "p_q", Names: []string{"p q", "p/q", "p=q"}},
				{BenchName: "m_1", Names: []string{"m=1", "m 1"}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Collisions(tt.names)
			if !slices.EqualFunc(got, tt.want, func(a, b Collision) bool {
				return a.BenchName == b.BenchName && slices.Equal(a.Names, b.Names)
			}) {
				t.Errorf("Collisions(%q) = %+v, want %+v", tt.names, got, tt.want)
			}
		})
	}
}

func TestUnique(t *testing.T) {
	if err := Unique([]string{"a", "b", "a"}); err != nil {
		t.Errorf("Unique without collisions: %v", err)
	}
	err := Unique([]string{"a/b", "a b"})
	want := `model names "a/b" and "a b" share the bench name "a_b"; rename one of them`
	if err == nil || err.Error() != want {
		t.Errorf("Unique = %v, want %q", err, want)
	}
	err = Unique([]string{"p q", "p/q", "p=q", "x-1", "x_1"})
	want = `model names "p q", "p/q" and "p=q" share the bench name "p_q"; rename all but one of them` + "\n" +
		`model names "x-1" and "x_1" share the bench name "x_1"; rename one of them`
	if err == nil || err.Error() != want {
		t.Errorf("Unique = %v, want %q", err, want)
	}
}
