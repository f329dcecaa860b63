package writer

import "testing"

// TestFrontMatterDoesNotLeakLocalPaths: a published article names a local
// model by its file name, never by the author's directory layout.
func TestFrontMatterDoesNotLeakLocalPaths(t *testing.T) {
	tests := []struct{ ref, want string }{
		{"/home/alice/models/secret-project/qwen.gguf", "qwen.gguf"},
		{"../shared/fixtures/stories260K.gguf", "stories260K.gguf"},
		{"hf.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M", "hf.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M"},
		{"qwen2.5:1.5b", "qwen2.5:1.5b"},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			if got := publicModelName(tc.ref); got != tc.want {
				t.Errorf("publicModelName(%q) = %q, want %q", tc.ref, got, tc.want)
			}
		})
	}
}
