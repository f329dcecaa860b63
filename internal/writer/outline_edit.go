package writer

import (
	"errors"
	"fmt"
)

// ErrOutlineLocked reports an outline edit after drafting has started.
var ErrOutlineLocked = errors.New("the outline can no longer change: drafting has started")

// SetOutline replaces the outline of a state stopped after its outline
// (an outline-only run, for a person to review it) and plans the parts
// again from it. The outline is tidied and checked as a generated one is.
func (s *State) SetOutline(o Outline) error {
	if s.Outline == nil {
		return fmt.Errorf("%w: no outline yet", ErrInput)
	}
	if s.DraftedParts() > 0 {
		return ErrOutlineLocked
	}
	if len(o.Sections) == 0 {
		return fmt.Errorf("%w: outline: no sections", ErrInput)
	}
	o.tidy()
	if err := o.check(); err != nil {
		return fmt.Errorf("%w: outline: %w", ErrInput, err)
	}
	s.Outline = &o
	s.Parts = planParts(&o, s.Options.Words)
	return nil
}
