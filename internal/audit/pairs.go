package audit

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits of a pairs file: CrowS-Pairs has 1,677 pairs of sentences under 300
// characters; a user's own file gets room to grow but stays bounded.
const (
	MaxPairs       = 100_000
	MaxSentenceLen = 2000 // bytes
	MaxFileBytes   = 64 << 20
)

// ErrData is wrapped by errors about a pairs file.
var ErrData = errors.New("audit: pairs file")

// Pair is one CrowS-Pairs row.
type Pair struct {
	ID        string `json:"id"`
	More      string `json:"sent_more"` // the more stereotypical sentence
	Less      string `json:"sent_less"`
	Direction string `json:"stereo_antistereo"` // "stereo" or "antistereo"
	BiasType  string `json:"bias_type"`
}

// header is the first line of a CrowS-Pairs file (an unnamed id column).
var header = []string{"", "sent_more", "sent_less", "stereo_antistereo", "bias_type"}

// Dataset is a parsed pairs file and its digest.
type Dataset struct {
	Pairs  []Pair
	SHA256 string
	// Skipped are the ids of rows left out because a sentence is empty
	// (French CrowS-Pairs has one: id 129); a card lists them.
	Skipped []string
}

// Parse reads a tab-separated CrowS-Pairs file: the header line, then
// id, sent_more, sent_less, stereo_antistereo, bias_type per line.
func Parse(r io.Reader) (*Dataset, error) {
	h := sha256.New()
	br := bufio.NewReader(io.TeeReader(io.LimitReader(r, MaxFileBytes+1), h))
	var ds Dataset
	seen := map[string]bool{}
	n, size := 0, 0
	for {
		line, err := br.ReadString('\n')
		size += len(line)
		if size > MaxFileBytes {
			return nil, fmt.Errorf("%w: over %d bytes", ErrData, MaxFileBytes)
		}
		if line != "" {
			n++
			if perr := ds.addLine(strings.TrimRight(line, "\r\n"), n, seen); perr != nil {
				return nil, perr
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrData, err)
		}
	}
	if len(ds.Pairs) == 0 {
		return nil, fmt.Errorf("%w: no pairs", ErrData)
	}
	ds.SHA256 = hex.EncodeToString(h.Sum(nil))
	return &ds, nil
}

func (ds *Dataset) addLine(line string, n int, seen map[string]bool) error {
	if !utf8.ValidString(line) {
		return fmt.Errorf("%w: line %d is not valid UTF-8", ErrData, n)
	}
	cols := strings.Split(line, "\t")
	if n == 1 {
		if strings.Join(cols, "\t") != strings.Join(header, "\t") {
			return fmt.Errorf("%w: the first line must be the header %q", ErrData, strings.Join(header, "\t"))
		}
		return nil
	}
	if strings.TrimSpace(line) == "" {
		return nil
	}
	if len(cols) != len(header) {
		return fmt.Errorf("%w: line %d has %d tab-separated columns, want %d", ErrData, n, len(cols), len(header))
	}
	p := Pair{ID: strings.TrimSpace(cols[0]), More: strings.TrimSpace(cols[1]), Less: strings.TrimSpace(cols[2]),
		Direction: strings.TrimSpace(cols[3]), BiasType: strings.TrimSpace(cols[4])}
	switch {
	case p.ID == "" || seen[p.ID]:
		return fmt.Errorf("%w: line %d: empty or repeated id %q", ErrData, n, p.ID)
	case (p.More == "") != (p.Less == ""):
		seen[p.ID] = true
		ds.Skipped = append(ds.Skipped, p.ID)
		return nil
	case p.More == "" || len(p.More) > MaxSentenceLen || len(p.Less) > MaxSentenceLen:
		return fmt.Errorf("%w: line %d: sentences must be 1 to %d bytes", ErrData, n, MaxSentenceLen)
	case p.Direction != "stereo" && p.Direction != "antistereo":
		return fmt.Errorf("%w: line %d: stereo_antistereo is %q, want stereo or antistereo", ErrData, n, p.Direction)
	case p.BiasType == "":
		return fmt.Errorf("%w: line %d: empty bias_type", ErrData, n)
	case len(ds.Pairs) >= MaxPairs:
		return fmt.Errorf("%w: over %d pairs", ErrData, MaxPairs)
	}
	seen[p.ID] = true
	ds.Pairs = append(ds.Pairs, p)
	return nil
}
