package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/writer"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// TestErrorMessageAfterCtrlC: what main prints. A cancellation reads
// "interrupted" (or the command's own interruption message), never the
// chain of layers that noticed it; other errors print as they are.
func TestErrorMessageAfterCtrlC(t *testing.T) {
	nested := fmt.Errorf("draft: %w", fmt.Errorf("generate: forward: %w", context.Canceled))
	tests := []struct {
		name        string
		err         error
		interrupted bool
		want        string
	}{
		{"engine chain", nested, true, "interrupted"},
		{"command message", interruptedError{msg: "interrupted; finished sections are saved: plume write --resume 3", err: nested}, true,
			"interrupted; finished sections are saved: plume write --resume 3"},
		{"other failure during Ctrl-C", errors.New("write out.md: no space left on device"), true, "write out.md: no space left on device"},
		{"not interrupted", errors.New("model x: not found"), false, "model x: not found"},
		{"cancellation without Ctrl-C", nested, false, nested.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errorMessage(tc.err, tc.interrupted); got != tc.want {
				t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

// TestWriteInterruptedMessage is the regression test for an interrupted
// write reporting "interrupted; …: draft: generate: forward: context
// canceled": the user reads what was kept and how to resume, the article is
// "interrupted", and the error still is context.Canceled.
func TestWriteInterruptedMessage(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := newTestEnv(t, func() llm.Generator {
		return &hookGen{Generator: synthetic().(*fakegen.Generator), at: 4, hook: func(ctx context.Context) error {
			cancel()
			return fmt.Errorf("generate: forward: %w", ctx.Err())
		}}
	})
	_, _, err := executeCtx(t, ctx, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", filepath.Join(env.dir, "out"))
	const want = "interrupted; finished sections are saved: plume write --resume 1"
	if !errors.Is(err, context.Canceled) || err.Error() != want || errorMessage(err, true) != want {
		t.Fatalf("err %q, want %q wrapping context.Canceled", err, want)
	}
	if got := articleStatus(t, env, "1"); got != library.StatusInterrupted {
		t.Errorf("status %q, want %q", got, library.StatusInterrupted)
	}
}

// TestFindReplayModel: a manifest names a local model by its base name (an
// older one by its path); replay finds the file at that path or in the
// current directory, beside the manifest, or in the model cache by sha256,
// and otherwise asks for --model.
func TestFindReplayModel(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("GGUF"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := write("models/old.gguf")
	beside := write("articles/beside.gguf")
	cachedPath := write("hf/snapshots/abc/renamed.gguf")
	manifest := filepath.Join(dir, "articles", "a.plume.json")
	sha := strings.Repeat("ab", 32)
	cache := func() ([]hub.CachedModel, error) {
		return []hub.CachedModel{{Ref: "org/repo/renamed.gguf", SHA256: sha, Path: cachedPath}}, nil
	}
	tests := []struct {
		name, ref, sha string
		want           string // "" = a usage error asking for --model
	}{
		{"older manifest's absolute path", old, "", old},
		{"base name beside the manifest", "beside.gguf", "", beside},
		{"older path, file moved beside the manifest", filepath.Join(dir, "gone", "beside.gguf"), "", beside},
		{"in the model cache by sha256", "mine.gguf", sha, cachedPath},
		{"nowhere", "mine.gguf", strings.Repeat("ef", 32), ""},
		{"nowhere, no sha256", "mine.gguf", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findReplayModel(writer.ModelRecord{Ref: tc.ref, SHA256: tc.sha}, manifest, cache)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Errorf("%s: %q, %v, want %q", tc.name, got, err, tc.want)
				}
				return
			}
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--model") || !strings.Contains(err.Error(), "mine.gguf") {
				t.Errorf("%s: %q, %v, want a usage error asking for --model", tc.name, got, err)
			}
		})
	}
	for ref, want := range map[string]bool{"stories260K.gguf": true, "/abs/x.gguf": true, "./x.gguf": true,
		"hf.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M": false, "Org/Repo/file.gguf": false, "qwen2.5:1.5b": false} {
		if isLocalModelRef(ref) != want {
			t.Errorf("isLocalModelRef(%q) = %v", ref, !want)
		}
	}
}

// TestRunChatWarnsAboutUnusableTemplate: plume run --chat on a model whose
// chat template the sandbox cannot run still answers (with the builtin
// template) and says so on stderr.
func TestRunChatWarnsAboutUnusableTemplate(t *testing.T) {
	model := ggufWithKVs(t, testutil.Fixture(t, "stories260K.gguf"), map[string]any{"tokenizer.chat_template": "{{ messages | frobnicate }}"})
	for _, chat := range []bool{true, false} {
		var out, errb bytes.Buffer
		cmd := newRunCmd()
		cmd.SetOut(&out)
		cmd.SetErr(&errb)
		args := []string{model, "--prompt", "Once", "-n", "2", "--temperature", "0"}
		if chat {
			args = append(args, "--chat")
		}
		cmd.SetArgs(args)
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("chat=%v: %v", chat, err)
		}
		warned := strings.Contains(errb.String(), "plume: warning: chat template:") && strings.Contains(errb.String(), `unknown filter "frobnicate"`)
		if warned != chat {
			t.Errorf("chat=%v: stderr %q", chat, errb.String())
		}
	}
}

// TestOpenLocalPassesModelWarnings: plume write's generator passes on the
// engine's chat-template warning, which the writer prints and records in
// the manifest.
func TestOpenLocalPassesModelWarnings(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HF_HOME", filepath.Join(dir, "hf"))
	t.Setenv("PLUME_HOME", filepath.Join(dir, "plume"))
	t.Setenv("HF_HUB_OFFLINE", "1")
	model := ggufWithKVs(t, testutil.Fixture(t, "stories260K.gguf"), map[string]any{"tokenizer.chat_template": "{% for %}"})
	gen, closeGen, err := openLocal(context.Background(), backendConfig{Model: model, Threads: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeGen()
	w, ok := gen.(writer.Warner)
	if !ok {
		t.Fatalf("%T does not pass on warnings", gen)
	}
	if ws := w.Warnings(); len(ws) != 1 || !strings.Contains(ws[0], "parse:") || !strings.Contains(ws[0], "built-in plain template") {
		t.Errorf("warnings %q", ws)
	}
}
