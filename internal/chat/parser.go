package chat

// The parser: a recursive descent over the lexer's tokens. This file holds
// its state and the block loop; parse_stmt.go parses statements ({% if %},
// {% for %}, {% set %}, {% macro %}) and parse_expr.go expressions.

import "fmt"

type parser struct {
	toks  []token
	i     int
	depth int // recursion depth, capped by MaxNesting
}

func parse(src string) ([]stmt, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, fmt.Errorf("lex: %w", err)
	}
	p := &parser{toks: toks}
	body, end, err := p.block()
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if end != "" {
		return nil, fmt.Errorf("parse: unexpected {%% %s %%}", end)
	}
	return body, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", p.peek().pos, fmt.Sprintf(format, args...))
}

func (p *parser) isOp(v string) bool   { t := p.peek(); return t.kind == tOp && t.val == v }
func (p *parser) isName(v string) bool { t := p.peek(); return t.kind == tName && t.val == v }

func (p *parser) expectOp(v string) error {
	if !p.isOp(v) {
		return p.errf("expected %q, found %q", v, p.peek().val)
	}
	p.i++
	return nil
}

func (p *parser) expectKind(k tokKind, what string) (token, error) {
	if p.peek().kind != k {
		return token{}, p.errf("expected %s, found %q", what, p.peek().val)
	}
	return p.next(), nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxNesting {
		return p.errf("nesting deeper than %d", MaxNesting)
	}
	return nil
}
func (p *parser) leave() { p.depth-- }

// block parses statements until EOF or a block keyword that closes/continues
// an enclosing block (endif, else, elif, endfor, endset, endmacro). The
// keyword's "{% name" has been consumed when it is returned.
func (p *parser) block() ([]stmt, string, error) {
	if err := p.enter(); err != nil {
		return nil, "", err
	}
	defer p.leave()
	var out []stmt
	for {
		t := p.next()
		switch t.kind {
		case tEOF:
			return out, "", nil
		case tText:
			out = append(out, &textStmt{t.val})
		case tOpenExpr:
			e, err := p.expr()
			if err != nil {
				return nil, "", err
			}
			if _, err := p.expectKind(tCloseExpr, "}}"); err != nil {
				return nil, "", err
			}
			out = append(out, &outStmt{e})
		case tOpenStmt:
			kw, err := p.expectKind(tName, "statement keyword")
			if err != nil {
				return nil, "", err
			}
			switch kw.val {
			case "endif", "else", "elif", "endfor", "endset", "endmacro":
				return out, kw.val, nil
			}
			s, err := p.statement(kw.val)
			if err != nil {
				return nil, "", err
			}
			out = append(out, s)
		default:
			return nil, "", p.errf("unexpected %q", t.val)
		}
	}
}

func (p *parser) closeStmt() error {
	_, err := p.expectKind(tCloseStmt, "%}")
	return err
}
