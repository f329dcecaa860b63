package quality

import "testing"

func TestSyllablesEN(t *testing.T) {
	tests := []struct {
		word string
		want int
	}{
		{"the", 1}, {"cat", 1}, {"make", 1}, {"makes", 1}, {"time", 1}, {"jumped", 1},
		{"wanted", 2}, {"needed", 2}, {"boxes", 2}, {"places", 2}, {"table", 2}, {"simple", 2},
		{"happy", 2}, {"water", 2}, {"writer", 2}, {"garden", 2}, {"media", 3}, {"radio", 3},
		{"actual", 3}, {"social", 2}, {"nation", 2}, {"vision", 2}, {"quality", 3},
		{"beautiful", 3}, {"computer", 3}, {"education", 4}, {"readability", 5},
		{"article", 3}, {"tree", 1}, {"eye", 1}, {"rhythm", 1}, {"a", 1}, {"I", 1},
		{"Garden's", 2}, {"", 0}, {"123", 0},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			if got := SyllablesEN(tt.word); got != tt.want {
				t.Errorf("SyllablesEN(%q) = %d, want %d", tt.word, got, tt.want)
			}
		})
	}
}

func TestSyllablesFR(t *testing.T) {
	tests := []struct {
		word string
		want int
	}{
		{"le", 1}, {"les", 1}, {"de", 1}, {"chat", 1}, {"table", 1}, {"tables", 1},
		{"maison", 2}, {"bateau", 2}, {"oiseau", 2}, {"aujourd'hui", 3}, {"parlent", 1},
		{"disent", 1}, {"moment", 2}, {"souvent", 2}, {"client", 1}, {"présent", 2},
		{"créer", 2}, {"réel", 2}, {"poésie", 3}, {"piqué", 2}, {"année", 2}, {"idées", 2},
		{"vie", 1}, {"sortie", 2}, {"rue", 1}, {"nation", 2}, {"guide", 1}, {"que", 1},
		{"lecture", 2}, {"écrire", 2}, {"ordinateur", 4}, {"l'homme", 1}, {"été", 2},
		{"facilement", 4}, {"lisibilité", 5}, {"", 0},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			if got := SyllablesFR(tt.word); got != tt.want {
				t.Errorf("SyllablesFR(%q) = %d, want %d", tt.word, got, tt.want)
			}
		})
	}
}

func FuzzSyllables(f *testing.F) {
	for _, s := range []string{"table", "aujourd'hui", "œuvre", "", "ééé", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		en, fr := SyllablesEN(w), SyllablesFR(w)
		if en < 0 || fr < 0 || en > len(w)+1 || fr > len(w)+1 {
			t.Fatalf("implausible counts en=%d fr=%d for %q", en, fr, w)
		}
	})
}
