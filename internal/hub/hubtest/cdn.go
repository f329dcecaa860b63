package hubtest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (h *Hub) serveCDN(w http.ResponseWriter, r *http.Request) {
	h.log("cdn", r)
	if r.Header.Get("Authorization") != "" {
		h.mu.Lock()
		h.authLeaks++
		h.mu.Unlock()
		http.Error(w, "Authorization must not reach the CDN", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	f := h.faults
	data, ok := h.blobs[strings.TrimPrefix(r.URL.Path, "/blobs/")]
	h.mu.Unlock()
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if h.injected(w, true) {
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	body := data
	if f.ShortBy > 0 && f.ShortBy < int64(len(body)) {
		body = body[:int64(len(body))-f.ShortBy]
	}
	if f.Corrupt && len(body) > 0 {
		body = append([]byte(nil), body...)
		body[len(body)/2] ^= 0xff
	}
	start := int64(0)
	if rg := r.Header.Get("Range"); rg != "" && !f.IgnoreRange {
		s, ok := parseRange(rg, int64(len(body)))
		if !ok {
			w.Header().Set("Content-Range", "bytes */"+strconv.Itoa(len(body)))
			http.Error(w, "range not satisfiable", http.StatusRequestedRangeNotSatisfiable)
			return
		}
		start = s
	}
	w.Header().Set("Accept-Ranges", "bytes")
	if f.Endless {
		w.WriteHeader(http.StatusOK)
		writeEndless(w, r, body)
		return
	}
	w.Header().Set("Content-Length", strconv.FormatInt(int64(len(body))-start, 10))
	if start > 0 {
		w.Header().Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.Itoa(len(body)-1)+"/"+strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	h.writeBody(w, r, body[start:], f)
}

// writeBody sends the body, dropping or stalling the connection as the
// faults say.
func (h *Hub) writeBody(w http.ResponseWriter, r *http.Request, body []byte, f Faults) {
	limit := int64(len(body))
	drop, stall := false, false
	h.mu.Lock()
	if f.DropAfter > 0 && f.DropAfter < limit && (f.DropTimes == 0 || h.drops < f.DropTimes) {
		limit, drop = f.DropAfter, true
		h.drops++
	}
	h.mu.Unlock()
	if !drop && f.StallAfter > 0 && f.StallAfter < limit {
		limit, stall = f.StallAfter, true
	}
	h.mu.Lock()
	trickle := f.TrickleEvery > 0 && (f.TrickleTimes == 0 || h.trickles < f.TrickleTimes)
	if trickle {
		h.trickles++
	}
	h.mu.Unlock()
	if trickle {
		writeTrickle(w, r, body[:limit], f.TrickleEvery)
		return
	}
	writeThrottled(w, r, body[:limit], f.BytesPerSec)
	switch {
	case drop:
		panic(http.ErrAbortHandler) // closes the connection mid-body
	case stall:
		<-r.Context().Done()
	default:
		_, _ = w.Write(nil)
	}
}

// parseRange reads "bytes=N-" (the only form the client sends).
func parseRange(h string, size int64) (int64, bool) {
	s, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return 0, false
	}
	s, _, _ = strings.Cut(s, "-")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n >= size {
		return 0, false
	}
	return n, true
}

// throttleChunk is the write size of a throttled body.
const throttleChunk = 16 << 10

// writeThrottled writes body, pacing it to rate bytes/s when rate > 0, and
// flushes so the client sees every byte written.
func writeThrottled(w http.ResponseWriter, r *http.Request, body []byte, rate int64) {
	fl, _ := w.(http.Flusher)
	for len(body) > 0 {
		n := len(body)
		if rate > 0 {
			n = min(n, throttleChunk)
		}
		if _, err := w.Write(body[:n]); err != nil {
			return
		}
		body = body[n:]
		if fl != nil {
			fl.Flush()
		}
		if rate > 0 {
			select {
			case <-time.After(time.Duration(int64(n) * int64(time.Second) / rate)):
			case <-r.Context().Done():
				return
			}
		}
	}
}

// writeEndless sends body, then zeros until the client goes away.
func writeEndless(w http.ResponseWriter, r *http.Request, body []byte) {
	fl, _ := w.(http.Flusher)
	zeros := make([]byte, throttleChunk)
	for chunk := body; r.Context().Err() == nil; chunk = zeros {
		if _, err := w.Write(chunk); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
	}
}

// writeTrickle sends body one byte per interval.
func writeTrickle(w http.ResponseWriter, r *http.Request, body []byte, every time.Duration) {
	fl, _ := w.(http.Flusher)
	for i := range body {
		if _, err := w.Write(body[i : i+1]); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		select {
		case <-time.After(every):
		case <-r.Context().Done():
			return
		}
	}
}
