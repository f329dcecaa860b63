package writer

import (
	"errors"
	"testing"
)

func TestStateSetOutline(t *testing.T) {
	base := func() *State {
		o := &Outline{Title: "T", Sections: []OutlineSection{{Heading: "A", Points: []string{"a"}}}}
		return &State{Options: Options{Words: 600}, Outline: o, Parts: planParts(o, 600)}
	}
	edited := Outline{Title: "  New   title ", Intro: []string{"hook"}, Sections: []OutlineSection{
		{Heading: "B", Points: []string{"b"}},
		{Heading: "C", Subsections: []OutlineSubsection{{Heading: "C1"}, {Heading: "C2"}}},
	}}
	t.Run("replans the parts", func(t *testing.T) {
		st := base()
		if err := st.SetOutline(edited); err != nil {
			t.Fatal(err)
		}
		if st.Outline.Title != "New title" {
			t.Errorf("title %q not tidied", st.Outline.Title)
		}
		var heads []string
		for _, p := range st.Parts {
			heads = append(heads, p.Heading)
		}
		if len(st.Parts) != 4 || heads[1] != "B" || heads[2] != "C1" || heads[3] != "C2" {
			t.Errorf("parts %q, want intro, B, C1, C2", heads)
		}
	})
	for _, tc := range []struct {
		name  string
		state func() *State
		o     Outline
		want  error
	}{
		{"no outline yet", func() *State { return &State{} }, edited, ErrInput},
		{"no sections", base, Outline{Title: "T"}, ErrInput},
		{"blank heading", base, Outline{Title: "T", Sections: []OutlineSection{{Heading: "  "}}}, ErrInput},
		{"drafting started", func() *State { st := base(); st.Parts[0].Drafted = true; return st }, edited, ErrOutlineLocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.state()
			before := st.Outline
			if err := st.SetOutline(tc.o); !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if st.Outline != before {
				t.Error("a refused outline replaced the state's")
			}
		})
	}
}
