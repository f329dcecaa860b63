package remote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"
)

// DefaultModelName is the model name sent when the user names none: servers
// that serve one model (llama.cpp) ignore it, and Info then reports the id
// the server gives in /v1/models.
const DefaultModelName = "default"

// maxLicenseChars caps the licence recorded from a server's model card
// (Ollama sends the whole licence text): its first line names it.
const maxLicenseChars = 100

// Where a remote chat template comes from (ModelInfo.ChatTemplateSource).
const (
	TemplateFromProps   = "server: llama.cpp /props"
	TemplateFromOllama  = "server: ollama /api/show"
	TemplateUnknown     = "unknown"
	llamaCppServedLabel = "llama.cpp"
	ollamaServedLabel   = "ollama"
)

// errNotFound is a GET or POST the server answered 404 earlier in this
// client's life: it is not asked again.
var errNotFound = errors.New("endpoint not found on the server")

// identity is what the server tells about the model it serves.
type identity struct {
	id             string // /v1/models id
	trained        int    // /v1/models meta.n_ctx_train (llama.cpp): the model's own window
	modelFile      string // llama.cpp /props model_path, base name
	build          string // llama.cpp /props build_info
	digest         string // ollama
	template       string
	templateSource string
	license        string
}

// served describes the serving side in one line, for manifests and the
// front matter's generator.
func (id identity) served() string {
	var parts []string
	switch {
	case id.modelFile != "" || id.build != "":
		parts = append(parts, llamaCppServedLabel)
		if id.build != "" {
			parts = append(parts, "build "+id.build)
		}
		if id.modelFile != "" {
			parts = append(parts, "model file "+id.modelFile)
		}
	case id.digest != "":
		parts = append(parts, ollamaServedLabel, "digest "+id.digest)
	}
	return strings.Join(parts, ", ")
}

// missing reports whether url answered 404 before.
func (c *Client) missing(url string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.notFound[url]
}

// markMissing remembers a 404 of url for the rest of the client's life.
func (c *Client) markMissing(url string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.notFound == nil {
		c.notFound = map[string]bool{}
	}
	c.notFound[url] = true
}

// probeProps reads llama.cpp's /props: the context, model file, build and
// chat template.
func (c *Client) probeProps(ctx context.Context) (nCtx int) {
	var props struct {
		DefaultGenerationSettings struct {
			NCtx int `json:"n_ctx"`
		} `json:"default_generation_settings"`
		NCtx         int    `json:"n_ctx"`
		ModelPath    string `json:"model_path"`
		BuildInfo    string `json:"build_info"`
		ChatTemplate string `json:"chat_template"`
	}
	if err := c.getJSON(ctx, c.root+"/props", &props); err != nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if props.ModelPath != "" {
		c.id.modelFile = path.Base(strings.ReplaceAll(props.ModelPath, `\`, "/"))
	}
	c.id.build = props.BuildInfo
	if props.ChatTemplate != "" {
		c.id.template, c.id.templateSource = props.ChatTemplate, TemplateFromProps
	}
	return max(props.DefaultGenerationSettings.NCtx, props.NCtx)
}

// probeOllama asks Ollama's /api/show about the model (template, licence,
// digest) and, without a digest there, /api/tags. Servers without them
// answer 404 once and are not asked again.
func (c *Client) probeOllama(ctx context.Context, name string) {
	var show struct {
		Template string `json:"template"`
		License  string `json:"license"`
		Digest   string `json:"digest"`
	}
	if err := c.postJSON(ctx, c.root+"/api/show", map[string]any{"model": name}, &show); err != nil {
		return
	}
	digest := show.Digest
	if digest == "" {
		var tags struct {
			Models []struct {
				Name, Model, Digest string
			} `json:"models"`
		}
		if c.getJSON(ctx, c.root+"/api/tags", &tags) == nil {
			for _, m := range tags.Models {
				if m.Name == name || m.Model == name {
					digest = m.Digest
				}
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.id.digest = digest
	if show.Template != "" && c.id.template == "" {
		c.id.template, c.id.templateSource = show.Template, TemplateFromOllama
	}
	c.id.license = firstLine(show.License, maxLicenseChars)
}

// postJSON posts a small JSON body and decodes the answer (no retries: used
// for probing); a 404 is remembered like getJSON's.
func (c *Client) postJSON(ctx context.Context, url string, in, out any) error {
	if c.missing(url) {
		return errNotFound
	}
	body, err := jsonBody(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.doJSON(req, url, out)
}

// doJSON sends req and decodes a 2xx answer into out; a 404 marks url as
// missing for the rest of the run.
func (c *Client) doJSON(req *http.Request, url string, out any) error {
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		c.markMissing(url)
	}
	if resp.StatusCode/100 != 2 {
		return c.httpError(resp)
	}
	return decodeLimited(resp.Body, out)
}

// firstLine is the first non-blank line of s, at most n characters.
func firstLine(s string, n int) string {
	for _, ln := range strings.Split(s, "\n") {
		if ln = strings.TrimSpace(ln); ln != "" {
			if utf8.RuneCountInString(ln) > n {
				ln = string([]rune(ln)[:n])
			}
			return ln
		}
	}
	return ""
}

// templateSHA256 is the hex sha256 of a chat template ("" for none).
func templateSHA256(t string) string {
	if t == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// String of an identity, for debugging.
func (id identity) String() string { return fmt.Sprintf("%s (%s)", id.id, id.served()) }
