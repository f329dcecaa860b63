package engine

import "strings"

// stopper finds stop strings in streamed text. It holds back the longest
// tail that could still become a stop string, so text is never emitted and
// then retracted.
type stopper struct {
	stops   []string
	pending string // received, not yet emitted
}

// add appends text; it returns what can be emitted now, and whether a stop
// string was found (the text before it is emitted, the rest dropped).
func (s *stopper) add(text string) (emit string, stopped bool) {
	s.pending += text
	cut := -1
	for _, st := range s.stops {
		if i := strings.Index(s.pending, st); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut >= 0 {
		emit, s.pending = s.pending[:cut], ""
		return emit, true
	}
	hold := 0
	for _, st := range s.stops {
		for k := min(len(st)-1, len(s.pending)); k > hold; k-- {
			if strings.HasSuffix(s.pending, st[:k]) {
				hold = k
				break
			}
		}
	}
	emit = s.pending[:len(s.pending)-hold]
	s.pending = s.pending[len(s.pending)-hold:]
	return emit, false
}

// flush returns the held-back text at the end of generation.
func (s *stopper) flush() string {
	out := s.pending
	s.pending = ""
	return out
}
