package chat

// Expressions.
type expr interface{ isExpr() }

type (
	litExpr  struct{ v value }
	nameExpr struct{ name string }
	listExpr struct {
		items []expr
		tuple bool
	}
	dictExpr struct{ keys, vals []expr }
	attrExpr struct {
		obj  expr
		name string
	}
	indexExpr struct{ obj, idx expr }
	sliceExpr struct{ obj, start, stop, step expr } // nil bounds are absent
	argList   struct {
		pos     []expr
		kwNames []string
		kwVals  []expr
	}
	callExpr struct {
		fn   expr
		args argList
	}
	filterExpr struct {
		arg  expr
		name string
		args argList
	}
	testExpr struct {
		arg  expr
		name string
		neg  bool
		args argList
	}
	binExpr struct {
		op   string
		l, r expr
	}
	unaryExpr struct {
		op string
		x  expr
	}
	condExpr struct{ cond, yes, no expr } // no may be nil (undefined)
)

func (litExpr) isExpr()    {}
func (nameExpr) isExpr()   {}
func (listExpr) isExpr()   {}
func (dictExpr) isExpr()   {}
func (attrExpr) isExpr()   {}
func (indexExpr) isExpr()  {}
func (sliceExpr) isExpr()  {}
func (callExpr) isExpr()   {}
func (filterExpr) isExpr() {}
func (testExpr) isExpr()   {}
func (binExpr) isExpr()    {}
func (unaryExpr) isExpr()  {}
func (condExpr) isExpr()   {}

// Statements.
type stmt interface{ isStmt() }

type (
	textStmt struct{ s string }
	outStmt  struct{ e expr }
	ifStmt   struct {
		cond      expr
		body, els []stmt
	}
	forStmt struct {
		vars      []string
		iter      expr
		cond      expr // optional inline filter: {% for x in xs if cond %}
		body, els []stmt
	}
	setStmt struct {
		names []string // one name, or several for tuple unpacking
		ns    string   // non-empty for {% set ns.attr = v %}
		attr  string
		val   expr   // nil for a block set
		body  []stmt // block set: {% set x %}...{% endset %}
	}
	macroStmt struct {
		name     string
		params   []string
		defaults []expr // per param, nil when none
		body     []stmt
	}
	loopCtlStmt struct{ brk bool }
)

func (textStmt) isStmt()    {}
func (outStmt) isStmt()     {}
func (ifStmt) isStmt()      {}
func (forStmt) isStmt()     {}
func (setStmt) isStmt()     {}
func (macroStmt) isStmt()   {}
func (loopCtlStmt) isStmt() {}
