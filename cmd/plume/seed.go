package main

// seedHelp is the --seed help of every verb that samples: one type (an
// unsigned 64-bit integer) and one meaning (the sampler's seed; not given,
// a random one, which the verb reports so the run can be repeated).
const seedHelp = "sampling seed, 0..18446744073709551615 (default: random, reported: %s)"

// seedFlag is --seed: the text is kept (empty = not given, a random seed at
// run time) and read by parseSeed, which makes a bad one a usage error
// before any work; every verb shows the same type.
type seedFlag struct{ text *string }

func (s seedFlag) String() string {
	if s.text == nil {
		return ""
	}
	return *s.text
}

func (s seedFlag) Set(v string) error {
	*s.text = v
	return nil
}

func (s seedFlag) Type() string { return "uint64" }
