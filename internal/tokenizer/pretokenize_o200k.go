package tokenizer

// o200kSplitter emulates how llama.cpp runs the GPT-4o (o200k) and Mistral
// Tekken pre-tokenizer regexes: through std::regex on the category-collapsed
// text, where
//
//	[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+(?:'[sS]|…)?
//	|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*(?:'[sS]|…)?
//	|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// stands for the original [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}…]+ form.
// Every non-ASCII letter collapses to one byte, so it counts as both "upper"
// and "lower", and combining marks are not letters (unlike Hugging Face).
// Tekken has no contraction suffix and single digits.
func o200kSplitter(contractions bool, digits int) splitter {
	return func(t *preText, offs []int) []int {
		return forEachFragment(t, offs, func(f *fragment) {
			for pos := f.lo; pos < f.hi; {
				if end, ok := f.o200kWord(pos, contractions); ok {
					f.emit(end)
					pos = end
					continue
				}
				pos = f.o200kRest(pos, digits)
			}
		})
	}
}

func (f *fragment) isLetterAt(i int) bool { return f.flags(i).isLetter() }

// upperAt is (?=\p{L})[^a-z]; lowerAt is (?=\p{L})[^A-Z].
func (f *fragment) upperAt(i int) bool {
	c := f.cpt(i)
	return f.isLetterAt(i) && !(c >= 'a' && c <= 'z')
}

func (f *fragment) lowerAt(i int) bool {
	c := f.cpt(i)
	return f.isLetterAt(i) && !(c >= 'A' && c <= 'Z')
}

// prefixAt is [^\r\n\p{L}\p{N}] inside the fragment.
func (f *fragment) prefixAt(i int) bool {
	if i >= f.hi {
		return false
	}
	c, fl := f.cpt(i), f.flags(i)
	return c != '\r' && c != '\n' && !fl.isLetter() && !fl.isNumber()
}

// o200kWord matches the two letter alternatives at pos, with the regex
// engine's order: optional prefix first, greedy runs, then backtracking.
func (f *fragment) o200kWord(pos int, contractions bool) (int, bool) {
	starts := []int{pos}
	if f.prefixAt(pos) {
		starts = []int{pos + 1, pos}
	}
	end, ok := -1, false
	for _, q := range starts { // U* L+
		if e, found := f.upperThenLower(q); found {
			end, ok = e, true
			break
		}
	}
	if !ok {
		for _, q := range starts { // U+ L*
			if f.upperAt(q) {
				e := q
				for f.upperAt(e) {
					e++
				}
				for f.lowerAt(e) {
					e++
				}
				end, ok = e, true
				break
			}
		}
	}
	if ok && contractions {
		end += f.contraction(end, true)
	}
	return end, ok
}

// upperThenLower matches U*L+ from q: the greedy U run gives back characters
// until one of them (or the one after the run) is a lower-class letter.
func (f *fragment) upperThenLower(q int) (int, bool) {
	u := q
	for f.upperAt(u) {
		u++
	}
	for k := u; k >= q; k-- {
		if f.lowerAt(k) {
			e := k
			for f.lowerAt(e) {
				e++
			}
			return e, true
		}
	}
	return 0, false
}

// o200kRest handles the digit, punctuation and whitespace alternatives and
// returns the new position.
func (f *fragment) o200kRest(pos, digits int) int {
	c, fl := f.cpt(pos), f.flags(pos)
	if fl.isNumber() {
		end := pos
		for end-pos < digits && f.flags(end).isNumber() {
			end++
		}
		f.emit(end)
		return end
	}
	fl2 := fl
	if c == ' ' {
		fl2 = f.flags(pos + 1)
	}
	if isOther(fl2) {
		if c == ' ' {
			pos++
		}
		for isOther(f.flags(pos)) {
			pos++
		}
		for c2 := f.cpt(pos); c2 == '\r' || c2 == '\n' || c2 == '/'; c2 = f.cpt(pos) {
			pos++
		}
		f.emit(pos)
		return pos
	}
	return f.newlineOrWhitespace(pos)
}
