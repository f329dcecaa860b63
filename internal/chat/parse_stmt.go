package chat

// Statements: {% if %}, {% for %}, {% set %} and {% macro %} with their bodies.

func (p *parser) statement(kw string) (stmt, error) {
	switch kw {
	case "if":
		return p.ifStatement()
	case "for":
		return p.forStatement()
	case "set":
		return p.setStatement()
	case "macro":
		return p.macroStatement()
	case "break", "continue":
		return &loopCtlStmt{brk: kw == "break"}, p.closeStmt()
	}
	return nil, p.errf("unsupported statement %q", kw)
}

func (p *parser) ifStatement() (stmt, error) {
	cond, err := p.expr()
	if err != nil {
		return nil, err
	}
	body, end, err := p.openBlock()
	if err != nil {
		return nil, err
	}
	s := &ifStmt{cond: cond, body: body}
	switch end {
	case "endif":
		return s, p.closeStmt()
	case "elif":
		sub, err := p.ifStatement()
		if err != nil {
			return nil, err
		}
		s.els = []stmt{sub}
		return s, nil
	case "else":
		els, err := p.body("endif")
		if err != nil {
			return nil, err
		}
		s.els = els
		return s, nil
	}
	return nil, p.errf("unterminated if (found %q)", end)
}

func (p *parser) forStatement() (stmt, error) {
	s := &forStmt{}
	for {
		n, err := p.expectKind(tName, "loop variable")
		if err != nil {
			return nil, err
		}
		s.vars = append(s.vars, n.val)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	if !p.isName("in") {
		return nil, p.errf("expected 'in' in for loop")
	}
	p.i++
	iter, err := p.orExpr() // no ternary here: "if" starts the loop filter
	if err != nil {
		return nil, err
	}
	s.iter = iter
	if p.isName("if") {
		p.i++
		if s.cond, err = p.expr(); err != nil {
			return nil, err
		}
	}
	body, end, err := p.openBlock()
	if err != nil {
		return nil, err
	}
	s.body = body
	if end == "else" {
		if err := p.closeStmt(); err != nil {
			return nil, err
		}
		if s.els, end, err = p.block(); err != nil {
			return nil, err
		}
	}
	if end != "endfor" {
		return nil, p.errf("expected endfor, found %q", end)
	}
	return s, p.closeStmt()
}

func (p *parser) setStatement() (stmt, error) {
	s := &setStmt{}
	first, err := p.expectKind(tName, "variable name")
	if err != nil {
		return nil, err
	}
	if p.isOp(".") {
		p.i++
		attr, err := p.expectKind(tName, "attribute name")
		if err != nil {
			return nil, err
		}
		s.ns, s.attr = first.val, attr.val
	} else {
		s.names = []string{first.val}
		for p.isOp(",") {
			p.i++
			n, err := p.expectKind(tName, "variable name")
			if err != nil {
				return nil, err
			}
			s.names = append(s.names, n.val)
		}
	}
	if p.peek().kind == tCloseStmt && s.ns == "" && len(s.names) == 1 {
		p.i++
		body, err := p.closedBlock("endset")
		if err != nil {
			return nil, err
		}
		s.body = body
		return s, nil
	}
	if err := p.expectOp("="); err != nil {
		return nil, err
	}
	if s.val, err = p.expr(); err != nil {
		return nil, err
	}
	return s, p.closeStmt()
}

func (p *parser) macroStatement() (stmt, error) {
	name, err := p.expectKind(tName, "macro name")
	if err != nil {
		return nil, err
	}
	s := &macroStmt{name: name.val}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	for !p.isOp(")") {
		n, err := p.expectKind(tName, "parameter name")
		if err != nil {
			return nil, err
		}
		var def expr
		if p.isOp("=") {
			p.i++
			if def, err = p.expr(); err != nil {
				return nil, err
			}
		}
		s.params = append(s.params, n.val)
		s.defaults = append(s.defaults, def)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	if err := p.expectOp(")"); err != nil {
		return nil, err
	}
	body, err := p.body("endmacro")
	if err != nil {
		return nil, err
	}
	s.body = body
	return s, nil
}

// openBlock closes the current tag ("%}") and parses the block after it,
// returning the keyword that ended it (see block).
func (p *parser) openBlock() ([]stmt, string, error) {
	if err := p.closeStmt(); err != nil {
		return nil, "", err
	}
	return p.block()
}

// body closes the current tag ("%}") and parses the block after it, up to
// and through the keyword end (see closedBlock).
func (p *parser) body(end string) ([]stmt, error) {
	if err := p.closeStmt(); err != nil {
		return nil, err
	}
	return p.closedBlock(end)
}

// closedBlock parses a block that must end with the keyword end (endif,
// endset, endmacro), through the "%}" that closes that keyword.
func (p *parser) closedBlock(end string) ([]stmt, error) {
	body, got, err := p.block()
	if err != nil {
		return nil, err
	}
	if got != end {
		return nil, p.errf("expected %s, found %q", end, got)
	}
	return body, p.closeStmt()
}
