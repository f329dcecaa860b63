package config

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plumewriter/plume/internal/kernels"
)

// Environment variable names. Each one is documented in Vars.
const (
	EnvHFHome           = "HF_HOME"
	EnvHFHubCache       = "HF_HUB_CACHE"
	EnvHFHubCacheLegacy = "HUGGINGFACE_HUB_CACHE"
	EnvHFEndpoint       = "HF_ENDPOINT"
	EnvHFToken          = "HF_TOKEN"
	EnvHFTokenPath      = "HF_TOKEN_PATH"
	EnvHFOffline        = "HF_HUB_OFFLINE"
	EnvXDGCache         = "XDG_CACHE_HOME"
	EnvXDGData          = "XDG_DATA_HOME"
	EnvHome             = "PLUME_HOME"
	EnvThreads          = "PLUME_THREADS"
	EnvModel            = "PLUME_MODEL"
	EnvHost             = "PLUME_HOST"
	EnvAPIKey           = "PLUME_API_KEY"
	EnvSourceDateEpoch  = "SOURCE_DATE_EPOCH"
	EnvAuthor           = "PLUME_AUTHOR"
	EnvHubHosts         = "PLUME_HUB_HOSTS"
	// Read by the engine and its kernels (Load only checks PLUME_KERNELS).
	EnvMmap    = "PLUME_MMAP"
	EnvKernels = "PLUME_KERNELS"
)

// DefaultEndpoint is the Hugging Face Hub, used when HF_ENDPOINT is unset.
const DefaultEndpoint = "https://huggingface.co"

// DefaultHubHosts are the hosts the hub redirects downloads to: its LFS CDN
// (cdn-lfs*.huggingface.co, cdn-lfs*.hf.co) and Xet storage
// (cas-bridge.xethub.hf.co).
const DefaultHubHosts = ".huggingface.co,.hf.co"

// Var documents one environment variable.
type Var struct {
	Name string
	Doc  string
}

// Vars lists every environment variable Plume reads, each with its doc
// string (the README points here; a test checks that Load reads no other).
var Vars = []Var{
	{EnvHFHome, "Hugging Face home; default $XDG_CACHE_HOME/huggingface or ~/.cache/huggingface. Holds the token file and, under hub/, the model cache."},
	{EnvHFHubCache, "Model cache shared with huggingface_hub and llama.cpp; default $HF_HOME/hub. (HUGGINGFACE_HUB_CACHE is read as a fallback.)"},
	{EnvHFEndpoint, "Hub base URL; default " + DefaultEndpoint + ". Must be https, except a loopback address (tests, local mirrors)."},
	{EnvHFToken, "Access token for gated or private repositories; sent only to the hub's own host. Default: the token file."},
	{EnvHFTokenPath, "Token file; default $HF_HOME/token (written by `huggingface-cli login`)."},
	{EnvHFOffline, "1/true/yes/on: never touch the network; only models already in the cache are used."},
	{EnvHome, "Plume's data directory (article database, hash cache); default $XDG_DATA_HOME/plume or ~/.local/share/plume (the user config dir on macOS/Windows)."},
	{EnvThreads, "Worker threads for the local engine; default 0 = one per physical core. Capped at 256."},
	{EnvModel, "Model used when --model is not given (alias, hf.co/ORG/REPO[:QUANT], ORG/REPO/FILE.gguf[@REV] or a path)."},
	{EnvHost, "Address plume serve binds; default 127.0.0.1:8080 (loopback)."},
	{EnvAPIKey, "API key plume serve requires from clients; mandatory for a non-loopback bind."},
	{EnvHubHosts, "Hosts the hub may redirect downloads to besides its own (comma-separated; a leading dot matches every subdomain); default " + DefaultHubHosts + " (Hugging Face's CDN). Private, loopback and link-local addresses stay refused unless HF_ENDPOINT itself is one."},
	{EnvSourceDateEpoch, "Unix time used as the date of new articles instead of the clock (reproducible-builds.org convention), so that two runs with the same --seed give byte-identical files."},
	{EnvAuthor, "Author name written into new articles (front matter and JSON-LD) when plume write gets no --author."},
	{EnvMmap, "Any value: the engine keeps the weights mapped from the model file, nothing copied (shared with other processes running it), where plume serve and plume write read them into private huge-page memory and plume run its Q4_K and Q6_K matrices, which decodes faster and loads slower."},
	{EnvKernels, "Caps the kernel set the engine picks (generic, avx2, avx512, avxvnni, avx512vnni, amx; neon, dotprod on arm64): for tests and comparisons, every set gives the same bits."},
}

// Config is Plume's environment, read once by Load.
type Config struct {
	HFHome    string // Hugging Face home directory
	HubCache  string // model cache (huggingface_hub layout)
	Endpoint  string // hub base URL without a trailing slash
	Token     string // HF token ("" = anonymous)
	TokenPath string // where the token was (or would be) read from
	Offline   bool   // HF_HUB_OFFLINE
	DataDir   string // Plume's own data directory
	Threads   int    // 0 = one per physical core
	Model     string // default model override ("" = built-in default)
	Host      string // serve bind address ("" = server default)
	APIKey    string // serve API key
	Author    string // default article author ("" = none)
	// HubHosts are the hosts besides the hub's own that a hub redirect may
	// lead to (PLUME_HUB_HOSTS; a leading dot matches subdomains).
	HubHosts []string
	// SourceDate is SOURCE_DATE_EPOCH (UTC); the zero time when unset.
	SourceDate time.Time
	// Warnings lists values that were ignored because they were invalid, so
	// a command can print them instead of failing on an unrelated typo.
	Warnings []string
}

// Load reads the process environment.
func Load() Config { return FromEnv(os.LookupEnv) }

// FromEnv builds a Config from a lookup function (os.LookupEnv, or a map in
// tests). Invalid values fall back to the default and are listed in Warnings.
func FromEnv(lookup func(string) (string, bool)) Config {
	get := func(k string) string {
		v, _ := lookup(k)
		return strings.TrimSpace(v)
	}
	var c Config
	home := userHome(get)
	c.HFHome = get(EnvHFHome)
	if c.HFHome == "" {
		cache := get(EnvXDGCache)
		if cache == "" {
			cache = filepath.Join(home, ".cache")
		}
		c.HFHome = filepath.Join(cache, "huggingface")
	}
	c.HubCache = cmp.Or(get(EnvHFHubCache), get(EnvHFHubCacheLegacy), filepath.Join(c.HFHome, "hub"))
	c.Endpoint = strings.TrimRight(cmp.Or(get(EnvHFEndpoint), DefaultEndpoint), "/")
	c.TokenPath = cmp.Or(get(EnvHFTokenPath), filepath.Join(c.HFHome, "token"))
	c.Token = get(EnvHFToken)
	if c.Token == "" {
		c.Token = readToken(c.TokenPath)
	}
	c.Offline = truthy(get(EnvHFOffline))
	c.DataDir = get(EnvHome)
	if c.DataDir == "" {
		c.DataDir = defaultDataDir(get, home)
	}
	if v := get(EnvThreads); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > kernels.MaxThreads { // a typo like 10000 must not spawn ten thousand goroutines per matmul
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s=%q ignored: want an integer 0..%d", EnvThreads, v, kernels.MaxThreads))
		} else {
			c.Threads = n
		}
	}
	if v := get(EnvKernels); v != "" && !slices.Contains(kernels.CapNames(), v) {
		// The engine reads it at start-up and takes an unknown name as no
		// cap: a typo would silently measure the fastest set.
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s=%q caps nothing: want one of %s on this build", EnvKernels, v, strings.Join(kernels.CapNames(), ", ")))
	}
	c.Model = get(EnvModel)
	for _, h := range strings.Split(cmp.Or(get(EnvHubHosts), DefaultHubHosts), ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			c.HubHosts = append(c.HubHosts, h)
		}
	}
	c.Host = get(EnvHost)
	c.APIKey = get(EnvAPIKey)
	c.Author = get(EnvAuthor)
	if v := get(EnvSourceDateEpoch); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > maxSourceDateEpoch {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s=%q ignored: want Unix seconds 0..%d", EnvSourceDateEpoch, v, int64(maxSourceDateEpoch)))
		} else {
			c.SourceDate = time.Unix(n, 0).UTC()
		}
	}
	return c
}

// maxSourceDateEpoch bounds SOURCE_DATE_EPOCH to years 1970–9999, which
// RFC 3339 dates (the manifest's format) can represent.
const maxSourceDateEpoch = 253402300799

// maxTokenFile caps how much of the token file is read: a token is ~40 bytes.
const maxTokenFile = 4 << 10

func readToken(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, maxTokenFile)
	n, _ := f.Read(buf)
	return strings.TrimSpace(string(buf[:n]))
}

func userHome(get func(string) string) string {
	if h := get("HOME"); h != "" {
		return h
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return os.TempDir()
}

func defaultDataDir(get func(string) string, home string) string {
	if d := get(EnvXDGData); d != "" {
		return filepath.Join(d, "plume")
	}
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" || runtime.GOOS == "openbsd" {
		return filepath.Join(home, ".local", "share", "plume")
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "plume")
	}
	return filepath.Join(home, ".plume")
}

func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on", "y":
		return true
	}
	return false
}
