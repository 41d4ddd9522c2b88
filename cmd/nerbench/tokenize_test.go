package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const tokTestdata = "../../testdata/tokenize/"

// nerbench tokenize prints, id for id and line for line, what the reference
// library gave (scripts/tokref/gen.mjs writes the same format), for every
// tokenizer family, untruncated and truncated; blank texts are skipped with
// their index kept.
func TestTokenizeMatchesReference(t *testing.T) {
	for _, name := range []string{"wordpiece-uncased", "wordpiece-cased", "bpe-roberta", "bpe-gpt2", "unigram-metaspace", "bpe-metaspace"} {
		for _, tc := range []struct{ maxLen, ref string }{{"0", ".ids.jsonl"}, {"24", ".trunc.jsonl"}} {
			code, stdout, stderr := runNerbench(t, "tokenize", "--checkpoint", tokTestdata+name+".json",
				"--test-data", tokTestdata+"texts.json", "--max-length", tc.maxLen)
			if code != 0 {
				t.Fatalf("%s: exit %d, stderr %s", name, code, stderr)
			}
			want, err := os.ReadFile(tokTestdata + name + tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			if stdout != string(want) {
				got, wantLines := strings.Split(stdout, "\n"), strings.Split(string(want), "\n")
				for i := range min(len(got), len(wantLines)) {
					if got[i] != wantLines[i] {
						t.Errorf("%s%s line %d:\n got %s\nwant %s", name, tc.ref, i+1, got[i], wantLines[i])
						break
					}
				}
				t.Errorf("%s%s: %d lines, want %d", name, tc.ref, len(got), len(wantLines))
			}
			if strings.Contains(stdout, `{"i":100,`) || !strings.Contains(stdout, `{"i":101,`) {
				t.Errorf("%s: text 100 is blank and must be skipped, text 101 kept with its index", name)
			}
		}
	}
}

// A checkpoint folder works as well as the file, vocab.txt included.
func TestTokenizeCheckpointDir(t *testing.T) {
	dir := t.TempDir()
	vocab := "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n"
	if err := os.WriteFile(filepath.Join(dir, "vocab.txt"), []byte(vocab), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "texts.jsonl")
	if err := os.WriteFile(data, []byte("\"Hello world\"\n\"  \"\n{\"text\": \"world [MASK] planet\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runNerbench(t, "tokenize", "--checkpoint", dir, "--test-data", data)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "{\"i\":0,\"ids\":[2,5,6,3]}\n{\"i\":2,\"ids\":[2,6,4,1,3]}\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
}

func TestTokenizeTime(t *testing.T) {
	code, stdout, stderr := runNerbench(t, "tokenize", "--checkpoint", tokTestdata+"wordpiece-cased.json",
		"--test-data", tokTestdata+"texts.json", "--time", "--runs", "2", "--workers", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	line := regexp.MustCompile(`(?m)^BenchmarkTokenize/tokenizer=wordpiece-cased/workers=1 1 \d+ ns/op [0-9.]+ docs/sec [0-9.]+ tokens/doc$`)
	if n := len(line.FindAllString(stdout, -1)); n != 2 {
		t.Errorf("%d benchmark lines, want 2:\n%s", n, stdout)
	}
	if !strings.Contains(stdout, "Unit docs/sec better=higher") || !strings.Contains(stdout, "texts: 260") {
		t.Errorf("stdout lacks the unit or config lines:\n%s", stdout)
	}
}

func TestTokenizeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"tokenize"},
		{"tokenize", "--checkpoint", tokTestdata + "bpe-gpt2.json"},
		{"tokenize", "--checkpoint", tokTestdata + "missing.json", "--test-data", tokTestdata + "texts.json"},
		{"tokenize", "--checkpoint", tokTestdata + "bpe-gpt2.json", "--test-data", tokTestdata + "texts.json", "--format", "csv"},
	} {
		if code, _, stderr := runNerbench(t, args...); code != 2 || !strings.Contains(stderr, "nerbench tokenize") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, stderr)
		}
	}
}
