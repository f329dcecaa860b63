package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/kernels"
)

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestFromEnv(t *testing.T) {
	tokDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(tokDir, "token"), []byte("hf_fromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"defaults", map[string]string{"HOME": "/h"}, func(t *testing.T, c Config) {
			want := Config{HFHome: "/h/.cache/huggingface", HubCache: "/h/.cache/huggingface/hub", Endpoint: DefaultEndpoint,
				TokenPath: "/h/.cache/huggingface/token", DataDir: "/h/.local/share/plume"}
			if c.HFHome != want.HFHome || c.HubCache != want.HubCache || c.Endpoint != want.Endpoint || c.TokenPath != want.TokenPath || c.DataDir != want.DataDir {
				t.Errorf("got %+v", c)
			}
			if c.Offline || c.Token != "" || c.Threads != 0 {
				t.Errorf("unexpected non-defaults %+v", c)
			}
		}},
		{"xdg", map[string]string{"HOME": "/h", EnvXDGCache: "/c", EnvXDGData: "/d"}, func(t *testing.T, c Config) {
			if c.HubCache != "/c/huggingface/hub" || c.DataDir != "/d/plume" {
				t.Errorf("got %+v", c)
			}
		}},
		{"hf vars", map[string]string{"HOME": "/h", EnvHFHome: "/hf", EnvHFEndpoint: "http://127.0.0.1:9/", EnvHFToken: " hf_x ", EnvHFOffline: "TRUE"}, func(t *testing.T, c Config) {
			if c.HubCache != "/hf/hub" || c.Endpoint != "http://127.0.0.1:9" || c.Token != "hf_x" || !c.Offline {
				t.Errorf("got %+v", c)
			}
		}},
		{"hub cache wins over legacy", map[string]string{EnvHFHubCache: "/a", EnvHFHubCacheLegacy: "/b"}, func(t *testing.T, c Config) {
			if c.HubCache != "/a" {
				t.Errorf("HubCache = %q", c.HubCache)
			}
		}},
		{"token file", map[string]string{EnvHFHome: tokDir}, func(t *testing.T, c Config) {
			if c.Token != "hf_fromfile" {
				t.Errorf("Token = %q", c.Token)
			}
		}},
		{"env token beats file", map[string]string{EnvHFHome: tokDir, EnvHFToken: "hf_env"}, func(t *testing.T, c Config) {
			if c.Token != "hf_env" {
				t.Errorf("Token = %q", c.Token)
			}
		}},
		{"threads ok", map[string]string{EnvThreads: "4", EnvHome: "/p"}, func(t *testing.T, c Config) {
			if c.Threads != 4 || c.DataDir != "/p" || len(c.Warnings) != 0 {
				t.Errorf("got %+v", c)
			}
		}},
		{"source date epoch", map[string]string{EnvSourceDateEpoch: "1764403200"}, func(t *testing.T, c Config) {
			if got := c.SourceDate.Format("2006-01-02T15:04:05Z07:00"); got != "2025-11-29T08:00:00Z" || len(c.Warnings) != 0 {
				t.Errorf("SourceDate = %s, warnings %v", got, c.Warnings)
			}
		}},
		{"offline false", map[string]string{EnvHFOffline: "0"}, func(t *testing.T, c Config) {
			if c.Offline {
				t.Error("offline")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, FromEnv(envMap(tt.env))) })
	}
}

// TestFromEnvWarnings covers invalid values: each falls back to the
// default and leaves a warning naming its variable.
func TestFromEnvWarnings(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"threads bad", map[string]string{EnvThreads: "-3"}, func(t *testing.T, c Config) {
			if c.Threads != 0 || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], EnvThreads) {
				t.Errorf("got %+v", c)
			}
		}},
		{"threads too many", map[string]string{EnvThreads: "100000"}, func(t *testing.T, c Config) {
			if c.Threads != 0 || len(c.Warnings) != 1 {
				t.Errorf("got %+v", c)
			}
		}},
		{"source date epoch bad", map[string]string{EnvSourceDateEpoch: "yesterday"}, func(t *testing.T, c Config) {
			if !c.SourceDate.IsZero() || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], EnvSourceDateEpoch) {
				t.Errorf("got %+v", c)
			}
		}},
		{"source date epoch past year 9999", map[string]string{EnvSourceDateEpoch: "999999999999"}, func(t *testing.T, c Config) {
			if !c.SourceDate.IsZero() || len(c.Warnings) != 1 {
				t.Errorf("got %+v", c)
			}
		}},
		{"kernel cap", map[string]string{EnvKernels: kernels.CapNames()[1%len(kernels.CapNames())]}, func(t *testing.T, c Config) {
			if len(c.Warnings) != 0 {
				t.Errorf("warnings %v", c.Warnings)
			}
		}},
		{"kernel cap unknown", map[string]string{EnvKernels: "avx51"}, func(t *testing.T, c Config) {
			if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], EnvKernels) || !strings.Contains(c.Warnings[0], "generic") {
				t.Errorf("warnings %v", c.Warnings)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, FromEnv(envMap(tt.env))) })
	}
}

func TestVarsDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range Vars {
		if v.Doc == "" || seen[v.Name] {
			t.Errorf("var %q: empty doc or duplicate", v.Name)
		}
		seen[v.Name] = true
	}
	for _, name := range []string{EnvHFHome, EnvHFHubCache, EnvHFEndpoint, EnvHFToken, EnvHFOffline, EnvHome, EnvThreads, EnvSourceDateEpoch} {
		if !seen[name] {
			t.Errorf("%s is read but not documented in Vars", name)
		}
	}
}
