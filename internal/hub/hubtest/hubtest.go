// Package hubtest is an in-process fake of the Hugging Face Hub for tests:
// a hub server (resolve/ with X-Repo-Commit, X-Linked-Etag and X-Linked-Size,
// the tree API, gated and missing repositories) that redirects LFS downloads
// to a separate CDN server with Range support, plus fault-injection knobs.
//
// The CDN rejects any request carrying an Authorization header (and counts
// it in AuthLeaks), so a client that forwards the token past the redirect
// fails loudly.
package hubtest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// File is a file in a fake repository.
type File struct {
	Data []byte
	LFS  bool // served through the CDN with X-Linked-Etag (all .gguf files)
}

// Repo is a fake repository with one branch, "main".
type Repo struct {
	Files map[string]File
	Gated bool // requires "Bearer " + Hub.Token
}

// Faults are knobs applied to CDN downloads (and Statuses to hub requests).
// Zero values mean "behave".
type Faults struct {
	DropAfter   int64         // close the connection after this many body bytes
	DropTimes   int           // how many responses drop (0 with DropAfter>0: every one)
	StallAfter  int64         // send this many bytes, then stall until the client goes away
	IgnoreRange bool          // answer Range requests with 200 and the whole file
	Corrupt     bool          // flip one byte in the middle of the body
	ShortBy     int64         // serve a file this many bytes shorter (Content-Length too)
	Delay       time.Duration // sleep before sending headers (slow server)
	BytesPerSec int64         // throttle bodies to about this rate (slow link)
	Statuses    []int         // hub: answer these statuses first, one per request
	CDNStatuses []int         // CDN: same, for downloads
	RetryAfter  string        // Retry-After header sent with 429/503
	// AnnounceSize, when > 0, is the X-Linked-Size the hub announces
	// instead of the real one (a hub claiming 10^15 bytes).
	AnnounceSize int64
	// Endless makes the CDN send the file and then zeros without end,
	// chunked (no Content-Length), until the client hangs up.
	Endless bool
	// TrickleEvery, when > 0, makes the CDN send one byte per interval
	// (a trickle that keeps an idle timer alive); TrickleTimes limits it
	// to that many responses (0: every one).
	TrickleEvery time.Duration
	TrickleTimes int
}

// Request is one logged request.
type Request struct {
	Server        string // "hub" or "cdn"
	Method, Path  string
	Range         string
	Authorization string
}

// Hub is the fake hub and its CDN.
type Hub struct {
	URL, CDNURL string
	Token       string
	Hub, CDN    *httptest.Server

	mu        sync.Mutex
	repos     map[string]*Repo
	faults    Faults
	drops     int
	trickles  int
	requests  []Request
	authLeaks int
	blobs     map[string][]byte // sha256 -> data
}

// New starts a fake hub and CDN; call Close when done.
func New() *Hub {
	h := &Hub{repos: map[string]*Repo{}, blobs: map[string][]byte{}, Token: "hf_testtoken"}
	h.Hub = httptest.NewServer(http.HandlerFunc(h.serveHub))
	h.CDN = httptest.NewServer(http.HandlerFunc(h.serveCDN))
	h.URL, h.CDNURL = h.Hub.URL, h.CDN.URL
	return h
}

// Close stops both servers.
func (h *Hub) Close() {
	h.Hub.CloseClientConnections()
	h.CDN.CloseClientConnections()
	h.Hub.Close()
	h.CDN.Close()
}

// AddFile adds (or replaces) a file; .gguf files are LFS.
func (h *Hub) AddFile(repo, path string, data []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.repos[repo]
	if r == nil {
		r = &Repo{Files: map[string]File{}}
		h.repos[repo] = r
	}
	lfs := strings.HasSuffix(path, ".gguf")
	r.Files[path] = File{Data: data, LFS: lfs}
	if lfs {
		h.blobs[SHA256(data)] = data
	}
}

// SetGated marks a repository as gated.
func (h *Hub) SetGated(repo string, gated bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r := h.repos[repo]; r != nil {
		r.Gated = gated
	}
}

// SetFaults replaces the fault knobs (and resets the drop counter).
func (h *Hub) SetFaults(f Faults) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults, h.drops, h.trickles = f, 0, 0
}

// Requests returns the request log.
func (h *Hub) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.requests...)
}

// AuthLeaks counts CDN requests that carried an Authorization header.
func (h *Hub) AuthLeaks() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.authLeaks
}

// Commit is the fake commit hash of a repository: sha1 over its file list.
func (h *Hub) Commit(repo string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.commitLocked(repo)
}

func (h *Hub) commitLocked(repo string) string {
	r := h.repos[repo]
	if r == nil {
		return ""
	}
	s := sha1.New()
	for _, p := range sortedPaths(r) {
		fmt.Fprintf(s, "%s\x00%x\x00", p, sha1.Sum(r.Files[p].Data))
	}
	return hex.EncodeToString(s.Sum(nil))
}

func sortedPaths(r *Repo) []string {
	var ps []string
	for p := range r.Files {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// SHA256 is the hex sha256 of data.
func SHA256(data []byte) string { s := sha256.Sum256(data); return hex.EncodeToString(s[:]) }

// GitSHA1 is git's blob id of data.
func GitSHA1(data []byte) string {
	s := sha1.New()
	fmt.Fprintf(s, "blob %d\x00", len(data))
	s.Write(data)
	return hex.EncodeToString(s.Sum(nil))
}

func (h *Hub) log(server string, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, Request{server, r.Method, r.URL.Path, r.Header.Get("Range"), r.Header.Get("Authorization")})
}

// nextStatus pops the next injected status, or 0.
func (h *Hub) nextStatus(cdn bool) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	q := &h.faults.Statuses
	if cdn {
		q = &h.faults.CDNStatuses
	}
	if len(*q) == 0 {
		return 0
	}
	s := (*q)[0]
	*q = (*q)[1:]
	return s
}

func (h *Hub) injected(w http.ResponseWriter, cdn bool) bool {
	st := h.nextStatus(cdn)
	if st == 0 {
		return false
	}
	h.mu.Lock()
	ra := h.faults.RetryAfter
	h.mu.Unlock()
	if ra != "" {
		w.Header().Set("Retry-After", ra)
	}
	http.Error(w, http.StatusText(st), st)
	return true
}

func (h *Hub) serveHub(w http.ResponseWriter, r *http.Request) {
	h.log("hub", r)
	if h.injected(w, false) {
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/models/"); ok {
		h.serveTree(w, r, rest)
		return
	}
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 5)
	if len(parts) < 5 || parts[2] != "resolve" {
		http.NotFound(w, r)
		return
	}
	h.serveResolve(w, r, parts[0]+"/"+parts[1], parts[3], parts[4])
}

// access checks existence and gating like the real hub: a missing repo is
// 401 RepoNotFound for anonymous callers, 404 for signed-in ones.
func (h *Hub) access(w http.ResponseWriter, r *http.Request, repo string) (*Repo, string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rp := h.repos[repo]
	auth := r.Header.Get("Authorization")
	if rp == nil {
		w.Header().Set("X-Error-Code", "RepoNotFound")
		w.Header().Set("X-Error-Message", "Repository not found")
		st := http.StatusNotFound
		if auth == "" {
			st = http.StatusUnauthorized
		}
		http.Error(w, "Repository not found", st)
		return nil, "", false
	}
	if rp.Gated && auth != "Bearer "+h.Token {
		w.Header().Set("X-Error-Code", "GatedRepo")
		w.Header().Set("X-Error-Message", "Access to model "+repo+" is restricted.")
		st := http.StatusUnauthorized
		if auth != "" {
			st = http.StatusForbidden
		}
		http.Error(w, "gated", st)
		return nil, "", false
	}
	return rp, h.commitLocked(repo), true
}

func (h *Hub) revisionOK(w http.ResponseWriter, rev, commit string) bool {
	if rev == "main" || rev == commit {
		return true
	}
	w.Header().Set("X-Error-Code", "RevisionNotFound")
	http.Error(w, "Invalid rev id: "+rev, http.StatusNotFound)
	return false
}

func (h *Hub) serveResolve(w http.ResponseWriter, r *http.Request, repo, rev, path string) {
	rp, commit, ok := h.access(w, r, repo)
	if !ok || !h.revisionOK(w, rev, commit) {
		return
	}
	h.mu.Lock()
	f, found := rp.Files[path]
	h.mu.Unlock()
	if !found {
		w.Header().Set("X-Error-Code", "EntryNotFound")
		http.Error(w, "Entry not found", http.StatusNotFound)
		return
	}
	w.Header().Set("X-Repo-Commit", commit)
	if !f.LFS {
		w.Header().Set("ETag", `"`+GitSHA1(f.Data)+`"`)
		w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
		if r.Method != http.MethodHead {
			_, _ = w.Write(f.Data)
		}
		return
	}
	sum := SHA256(f.Data)
	w.Header().Set("X-Linked-Etag", `"`+sum+`"`)
	size := int64(len(f.Data))
	h.mu.Lock()
	if h.faults.AnnounceSize > 0 {
		size = h.faults.AnnounceSize
	}
	h.mu.Unlock()
	w.Header().Set("X-Linked-Size", strconv.FormatInt(size, 10))
	w.Header().Set("ETag", `"`+sum+`"`)
	w.Header().Set("Location", h.CDNURL+"/blobs/"+sum+"?sig=fake")
	w.WriteHeader(http.StatusFound)
}

func (h *Hub) serveTree(w http.ResponseWriter, r *http.Request, rest string) {
	parts := strings.SplitN(rest, "/", 4)
	if len(parts) < 4 || parts[2] != "tree" {
		http.NotFound(w, r)
		return
	}
	rp, commit, ok := h.access(w, r, parts[0]+"/"+parts[1])
	if !ok || !h.revisionOK(w, parts[3], commit) {
		return
	}
	type lfs struct {
		OID  string `json:"oid"`
		Size int    `json:"size"`
	}
	type entry struct {
		Type string `json:"type"`
		OID  string `json:"oid"`
		Size int    `json:"size"`
		Path string `json:"path"`
		LFS  *lfs   `json:"lfs,omitempty"`
	}
	h.mu.Lock()
	var out []entry
	for _, p := range sortedPaths(rp) {
		f := rp.Files[p]
		e := entry{Type: "file", OID: GitSHA1(f.Data), Size: len(f.Data), Path: p}
		if f.LFS {
			e.LFS = &lfs{OID: SHA256(f.Data), Size: len(f.Data)}
		}
		out = append(out, e)
	}
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
