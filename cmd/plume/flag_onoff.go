package main

import "fmt"

// offFlag is an on|off flag (--prompt-cache off) kept as its negation, so
// that the zero value of the field it sets means on.
type offFlag struct{ off *bool }

func (f offFlag) String() string {
	if f.off != nil && *f.off {
		return "off"
	}
	return "on"
}

func (f offFlag) Set(s string) error {
	switch s {
	case "on":
		*f.off = false
	case "off":
		*f.off = true
	default:
		return fmt.Errorf("%q: want on or off", s)
	}
	return nil
}

func (f offFlag) Type() string { return "on|off" }
