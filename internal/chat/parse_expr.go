package chat

// Expressions, from the inline "a if c else b" down to literals, by
// precedence: or, and, not, comparisons, + -, ~, * / // %, **, unary,
// filters and tests, postfix (attributes, subscripts, calls), primaries.

import (
	"fmt"
	"strconv"
)

// expr parses a full expression, including the inline "a if c else b".
func (p *parser) expr() (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	e, err := p.orExpr()
	if err != nil {
		return nil, err
	}
	for p.isName("if") {
		p.i++
		cond, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		var no expr
		if p.isName("else") {
			p.i++
			if no, err = p.expr(); err != nil {
				return nil, err
			}
		}
		e = &condExpr{cond: cond, yes: e, no: no}
	}
	return e, nil
}

func (p *parser) orExpr() (expr, error) { return p.leftAssoc("or", p.isName, p.andExpr) }

func (p *parser) andExpr() (expr, error) { return p.leftAssoc("and", p.isName, p.notExpr) }

// leftAssoc parses operand (op operand)*, op recognised by is, into
// left-associative binary expressions.
func (p *parser) leftAssoc(op string, is func(string) bool, operand func() (expr, error)) (expr, error) {
	l, err := operand()
	for err == nil && is(op) {
		p.i++
		var r expr
		if r, err = operand(); err == nil {
			l = &binExpr{op: op, l: l, r: r}
		}
	}
	return l, err
}

func (p *parser) notExpr() (expr, error) {
	if p.isName("not") {
		p.i++
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: "not", x: x}, nil
	}
	return p.compareExpr()
}

var compareOps = map[string]bool{"==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true}

func (p *parser) compareExpr() (expr, error) {
	l, err := p.binLevel(0)
	for err == nil {
		t := p.peek()
		var op string
		switch {
		case t.kind == tOp && compareOps[t.val]:
			op = t.val
			p.i++
		case p.isName("in"):
			op = "in"
			p.i++
		case p.isName("not") && p.toks[p.i+1].kind == tName && p.toks[p.i+1].val == "in":
			op = "not in"
			p.i += 2
		default:
			return l, nil
		}
		var r expr
		if r, err = p.binLevel(0); err == nil {
			l = &binExpr{op: op, l: l, r: r}
		}
	}
	return l, err
}

// binary operator levels, loosest first (Jinja2: + -, then ~, then * / // %).
var binLevels = [][]string{{"+", "-"}, {"~"}, {"*", "/", "//", "%"}}

func (p *parser) binLevel(level int) (expr, error) {
	if level == len(binLevels) {
		return p.powExpr()
	}
	l, err := p.binLevel(level + 1)
	for err == nil {
		op := ""
		for _, o := range binLevels[level] {
			if p.isOp(o) {
				op = o
			}
		}
		if op == "" {
			return l, nil
		}
		p.i++
		var r expr
		if r, err = p.binLevel(level + 1); err == nil {
			l = &binExpr{op: op, l: l, r: r}
		}
	}
	return l, err
}

func (p *parser) powExpr() (expr, error) { return p.leftAssoc("**", p.isOp, p.unary) }

// unary parses a unary expression. As in Jinja2, filters and tests bind to
// the whole unary expression: "-3 | abs" is (-3)|abs.
func (p *parser) unary() (expr, error) {
	e, err := p.unaryNoFilter()
	if err != nil {
		return nil, err
	}
	return p.filtersAndTests(e)
}

func (p *parser) unaryNoFilter() (expr, error) {
	if p.isOp("-") || p.isOp("+") {
		op := p.next().val
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.unaryNoFilter()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: op, x: x}, nil
	}
	e, err := p.primary()
	if err != nil {
		return nil, err
	}
	return p.postfix(e)
}

func (p *parser) filtersAndTests(e expr) (expr, error) {
	for {
		switch {
		case p.isOp("|"):
			p.i++
			name, err := p.expectKind(tName, "filter name")
			if err != nil {
				return nil, err
			}
			f := &filterExpr{arg: e, name: name.val}
			if p.isOp("(") {
				p.i++
				if f.args, err = p.args(); err != nil {
					return nil, err
				}
			}
			e = f
		case p.isName("is"):
			p.i++
			t := &testExpr{arg: e}
			if p.isName("not") {
				p.i++
				t.neg = true
			}
			name := p.next()
			switch {
			case name.kind == tName:
				t.name = name.val
			case name.kind == tOp && (name.val == "==" || name.val == "!=" || name.val == "<" || name.val == ">"):
				t.name = name.val
			default:
				return nil, p.errf("expected test name after 'is'")
			}
			var err error
			if p.isOp("(") {
				p.i++
				if t.args, err = p.args(); err != nil {
					return nil, err
				}
			} else if k := p.peek().kind; k == tString || k == tInt || k == tFloat || (k == tName && isLiteralName(p.peek().val)) {
				// "x is equalto 3" / "x is sameas none": one bare argument
				arg, err := p.primary()
				if err != nil {
					return nil, err
				}
				t.args.pos = []expr{arg}
			}
			e = t
		default:
			return e, nil
		}
	}
}

func isLiteralName(s string) bool {
	switch s {
	case "true", "false", "True", "False", "none", "None":
		return true
	}
	return false
}

func (p *parser) postfix(e expr) (expr, error) {
	for {
		switch {
		case p.isOp("."):
			p.i++
			t := p.next()
			switch t.kind {
			case tName:
				e = &attrExpr{obj: e, name: t.val}
			case tInt:
				n, _ := strconv.ParseInt(t.val, 10, 64)
				e = &indexExpr{obj: e, idx: &litExpr{n}}
			default:
				return nil, p.errf("expected attribute name after '.'")
			}
		case p.isOp("["):
			p.i++
			var err error
			if e, err = p.subscript(e); err != nil {
				return nil, err
			}
		case p.isOp("("):
			p.i++
			a, err := p.args()
			if err != nil {
				return nil, err
			}
			e = &callExpr{fn: e, args: a}
		default:
			return e, nil
		}
	}
}

func (p *parser) subscript(obj expr) (expr, error) {
	var parts [3]expr
	n := 0
	isSlice := false
	for {
		if p.isOp("]") {
			p.i++
			break
		}
		if p.isOp(":") {
			p.i++
			isSlice = true
			n++
			if n > 2 {
				return nil, p.errf("too many ':' in slice")
			}
			continue
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		if parts[n] != nil {
			return nil, p.errf("expected ']' or ':'")
		}
		parts[n] = e
	}
	if !isSlice {
		if parts[0] == nil {
			return nil, p.errf("empty subscript")
		}
		return &indexExpr{obj: obj, idx: parts[0]}, nil
	}
	return &sliceExpr{obj: obj, start: parts[0], stop: parts[1], step: parts[2]}, nil
}

// args parses call arguments after "(" up to and including ")".
func (p *parser) args() (argList, error) {
	var a argList
	for !p.isOp(")") {
		if p.peek().kind == tName && p.toks[p.i+1].kind == tOp && p.toks[p.i+1].val == "=" {
			name := p.next().val
			p.i++
			v, err := p.expr()
			if err != nil {
				return a, err
			}
			a.kwNames = append(a.kwNames, name)
			a.kwVals = append(a.kwVals, v)
		} else {
			v, err := p.expr()
			if err != nil {
				return a, err
			}
			a.pos = append(a.pos, v)
		}
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return a, p.expectOp(")")
}

func (p *parser) primary() (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	t := p.next()
	switch t.kind {
	case tString:
		s := t.val
		for p.peek().kind == tString { // adjacent literals concatenate
			s += p.next().val
		}
		return &litExpr{s}, nil
	case tInt:
		n, err := strconv.ParseInt(t.val, 10, 64)
		if err != nil {
			return nil, p.errf("integer literal %q: %v", t.val, err)
		}
		return &litExpr{n}, nil
	case tFloat:
		f, err := strconv.ParseFloat(t.val, 64)
		if err != nil {
			return nil, p.errf("float literal %q: %v", t.val, err)
		}
		return &litExpr{f}, nil
	case tName:
		switch t.val {
		case "true", "True":
			return &litExpr{true}, nil
		case "false", "False":
			return &litExpr{false}, nil
		case "none", "None":
			return &litExpr{noneV{}}, nil
		}
		return &nameExpr{t.val}, nil
	case tOp:
		switch t.val {
		case "(":
			return p.parenOrTuple()
		case "[":
			items, err := p.seq("]")
			return &listExpr{items: items}, err
		case "{":
			return p.dict()
		}
	}
	return nil, fmt.Errorf("offset %d: unexpected %q in expression", t.pos, t.val)
}

func (p *parser) parenOrTuple() (expr, error) {
	if p.isOp(")") {
		p.i++
		return &listExpr{tuple: true}, nil
	}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.isOp(")") {
		p.i++
		return e, nil
	}
	if err := p.expectOp(","); err != nil {
		return nil, err
	}
	rest, err := p.seq(")")
	if err != nil {
		return nil, err
	}
	return &listExpr{items: append([]expr{e}, rest...), tuple: true}, nil
}

// seq parses comma-separated expressions up to and including the closer.
func (p *parser) seq(closer string) ([]expr, error) {
	var items []expr
	for !p.isOp(closer) {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		items = append(items, e)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return items, p.expectOp(closer)
}

func (p *parser) dict() (expr, error) {
	d := &dictExpr{}
	for !p.isOp("}") {
		k, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(":"); err != nil {
			return nil, err
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return d, p.expectOp("}")
}
