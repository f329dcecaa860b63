package chat

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBudget is wrapped by every error caused by a sandbox limit (steps, time,
// output size, recursion), so callers can tell a hostile or runaway template
// from a template bug.
var ErrBudget = errors.New("template exceeded its sandbox budget")

// errRaised is wrapped by errors from raise_exception() in a template.
var errRaised = errors.New("template raised an exception")

var (
	errBreak    = errors.New("break outside loop")
	errContinue = errors.New("continue outside loop")
)

type scope struct {
	vars   map[string]value
	parent *scope
}

func newScope(parent *scope) *scope { return &scope{vars: map[string]value{}, parent: parent} }

func (s *scope) lookup(name string) value {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v
		}
	}
	return undefV{}
}

// interp evaluates one template render. All work is counted in steps; the
// wall clock is checked every timeCheckEvery steps, so a render can never run
// unbounded and no goroutine is involved.
type interp struct {
	steps     int
	maxSteps  int
	deadline  time.Time
	written   int // bytes emitted by all blocks so far (counts captured output too)
	maxOut    int
	depth     int // macro call depth
	alloc     int // bytes of strings and lists built, see charge
	nextClock int // step count at which the clock is next read
	now       time.Time
}

// timeCheckEvery is how many steps pass between wall-clock checks: reading the
// clock on every step would dominate the cost of small steps.
const timeCheckEvery = 4096

func (it *interp) step() error { return it.spend(1) }

// spend charges n steps and checks the clock every timeCheckEvery steps.
func (it *interp) spend(n int) error {
	it.steps += n
	if it.steps > it.maxSteps {
		return fmt.Errorf("%w: more than %d evaluation steps", ErrBudget, it.maxSteps)
	}
	if it.steps >= it.nextClock {
		it.nextClock = it.steps + timeCheckEvery
		if time.Now().After(it.deadline) {
			return fmt.Errorf("%w: render took longer than %v", ErrBudget, MaxRenderTime)
		}
	}
	return nil
}

// scanBytesPerStep prices linear-time work on big values (searching,
// comparing, counting, case mapping): one step per this many bytes, so that
// the step budget and the clock check also bound operations that allocate
// nothing.
const scanBytesPerStep = 256

// scan charges for reading the given values once.
func (it *interp) scan(vs ...value) error {
	n := 0
	for _, v := range vs {
		switch x := v.(type) {
		case string:
			n += len(x)
		case *listV:
			n += 16 * len(x.items)
		case *mapV:
			n += 16 * len(x.keys)
		}
	}
	if n < scanBytesPerStep {
		return nil
	}
	return it.spend(n / scanBytesPerStep)
}

// grow charges n more bytes of produced text against the output cap.
func (it *interp) grow(n int) error {
	it.written += n
	if it.written > it.maxOut {
		return fmt.Errorf("%w: output over %d bytes", ErrBudget, it.maxOut)
	}
	return nil
}

// checkLen refuses strings and lists larger than the per-value caps before
// they are built.
func checkLen(n, limit int, what string) error {
	if n < 0 || n > limit {
		return fmt.Errorf("%w: %s of %d would exceed %d", ErrBudget, what, n, limit)
	}
	return nil
}

func (it *interp) execBlock(stmts []stmt, sc *scope, out *strings.Builder) error {
	for _, s := range stmts {
		if err := it.exec(s, sc, out); err != nil {
			return err
		}
	}
	return nil
}

func (it *interp) emit(out *strings.Builder, s string) error {
	if err := it.grow(len(s)); err != nil {
		return err
	}
	out.WriteString(s)
	return nil
}

func (it *interp) exec(s stmt, sc *scope, out *strings.Builder) error {
	if err := it.step(); err != nil {
		return err
	}
	switch s := s.(type) {
	case *textStmt:
		return it.emit(out, s.s)
	case *outStmt:
		v, err := it.eval(s.e, sc)
		if err != nil {
			return err
		}
		return it.emit(out, str(v))
	case *ifStmt:
		c, err := it.eval(s.cond, sc)
		if err != nil {
			return err
		}
		if truthy(c) {
			return it.execBlock(s.body, sc, out)
		}
		return it.execBlock(s.els, sc, out)
	case *forStmt:
		return it.execFor(s, sc, out)
	case *setStmt:
		return it.execSet(s, sc)
	case *macroStmt:
		sc.vars[s.name] = it.makeMacro(s, sc)
		return nil
	case *loopCtlStmt:
		if s.brk {
			return errBreak
		}
		return errContinue
	}
	return fmt.Errorf("unknown statement %T", s)
}

func (it *interp) execSet(s *setStmt, sc *scope) error {
	var v value
	if s.val != nil {
		var err error
		if v, err = it.eval(s.val, sc); err != nil {
			return err
		}
	} else {
		var sb strings.Builder
		if err := it.execBlock(s.body, sc, &sb); err != nil {
			return err
		}
		v = sb.String()
	}
	if s.ns != "" {
		m, ok := sc.lookup(s.ns).(*mapV)
		if !ok || !m.ns {
			return fmt.Errorf("cannot set attribute %q on %s %q: only namespace() objects are assignable", s.attr, typeName(sc.lookup(s.ns)), s.ns)
		}
		if len(m.keys) >= MaxListLen {
			return fmt.Errorf("%w: namespace over %d attributes", ErrBudget, MaxListLen)
		}
		m.set(s.attr, v)
		return nil
	}
	if len(s.names) == 1 {
		sc.vars[s.names[0]] = v
		return nil
	}
	l, ok := v.(*listV)
	if !ok || len(l.items) != len(s.names) {
		return fmt.Errorf("cannot unpack %s into %d names", typeName(v), len(s.names))
	}
	for i, n := range s.names {
		sc.vars[n] = l.items[i]
	}
	return nil
}

// iterItems returns what a for loop walks over.
func iterItems(v value) ([]value, error) {
	switch x := v.(type) {
	case *listV:
		return x.items, nil
	case *mapV:
		keys := make([]value, len(x.keys))
		for i, k := range x.keys {
			keys[i] = k
		}
		return keys, nil
	case string:
		if err := checkLen(runeLen(x), MaxListLen, "string iteration"); err != nil {
			return nil, err
		}
		out := make([]value, 0, runeLen(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	case undefV, noneV:
		return nil, nil
	}
	return nil, fmt.Errorf("cannot iterate over %s", typeName(v))
}

func bindLoopVars(sc *scope, names []string, item value) error {
	if len(names) == 1 {
		sc.vars[names[0]] = item
		return nil
	}
	l, ok := item.(*listV)
	if !ok || len(l.items) != len(names) {
		return fmt.Errorf("cannot unpack %s into %d loop variables", typeName(item), len(names))
	}
	for i, n := range names {
		sc.vars[n] = l.items[i]
	}
	return nil
}

func (it *interp) execFor(s *forStmt, sc *scope, out *strings.Builder) error {
	iv, err := it.eval(s.iter, sc)
	if err != nil {
		return err
	}
	all, err := iterItems(iv)
	if err != nil {
		return err
	}
	loopSc := newScope(sc)
	items := all
	if s.cond != nil {
		items = nil
		for _, x := range all {
			if err := bindLoopVars(loopSc, s.vars, x); err != nil {
				return err
			}
			c, err := it.eval(s.cond, loopSc)
			if err != nil {
				return err
			}
			if truthy(c) {
				items = append(items, x)
			}
		}
	}
	if len(items) == 0 {
		return it.execBlock(s.els, sc, out)
	}
	n := int64(len(items))
	// One loop object per for statement, updated in place each iteration
	// (as Jinja2 does), so iterations stay cheap.
	loop := &loopV{n: n, items: items}
	for i, x := range items {
		if err := it.step(); err != nil { // an empty body still costs a step
			return err
		}
		loop.i = int64(i)
		loopSc.vars["loop"] = loop
		if err := bindLoopVars(loopSc, s.vars, x); err != nil {
			return err
		}
		err := it.execBlock(s.body, loopSc, out)
		if errors.Is(err, errBreak) {
			break
		}
		if err != nil && !errors.Is(err, errContinue) {
			return err
		}
	}
	return nil
}

func (it *interp) makeMacro(s *macroStmt, defSc *scope) *funcV {
	return &funcV{name: s.name, fn: func(it *interp, args []value, kw *mapV) (value, error) {
		it.depth++
		defer func() { it.depth-- }()
		if it.depth > MaxCallDepth {
			return nil, fmt.Errorf("%w: macro calls nested deeper than %d", ErrBudget, MaxCallDepth)
		}
		if len(args) > len(s.params) {
			return nil, fmt.Errorf("macro %s takes %d arguments, got %d", s.name, len(s.params), len(args))
		}
		msc := newScope(defSc)
		for i, p := range s.params {
			var v value = undefV{}
			if i < len(args) {
				v = args[i]
			} else if kv, ok := kw.get(p); ok {
				v = kv
			} else if s.defaults[i] != nil {
				dv, err := it.eval(s.defaults[i], msc)
				if err != nil {
					return nil, err
				}
				v = dv
			}
			msc.vars[p] = v
		}
		var sb strings.Builder
		if err := it.execBlock(s.body, msc, &sb); err != nil {
			return nil, err
		}
		return sb.String(), nil
	}}
}
