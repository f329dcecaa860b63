package engine

import (
	"crypto/sha256"
	"encoding/hex"
)

// Where the local engine's chat template comes from
// (llm.ModelInfo.ChatTemplateSource).
const (
	TemplateFromGGUF = "gguf"
	// TemplateBuiltin prefixes the family of the builtin template used when
	// the GGUF has none or the sandbox cannot run it ("builtin:chatml").
	TemplateBuiltin = "builtin:"
)

// chatProvenance is the sha256 of the chat template prompts are rendered
// with and where it comes from: the GGUF, or a builtin fallback.
func (m *Model) chatProvenance() (sha, source string) {
	c := m.chatTemplate()
	sum := sha256.Sum256([]byte(c.Source))
	source = TemplateFromGGUF
	if c.Family != "" {
		source = TemplateBuiltin + c.Family
	}
	return hex.EncodeToString(sum[:]), source
}
