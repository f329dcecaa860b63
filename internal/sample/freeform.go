package sample

// Limits of free-form JSON: what the grammar generates where a schema allows
// any value (the empty schema {}, an object without properties, an array
// without items), such as OpenAI's response_format json_object.
const (
	// MaxFreeDepth caps the nesting of objects and arrays inside a
	// free-form value. Real JSON answers nest a few levels; 16 leaves room
	// for any of them while bounding the automaton's stack (one frame per
	// level, on top of a schema's jsonschema.MaxDepth) and stopping a model
	// that keeps opening brackets. Past it only strings, numbers, true,
	// false and null are allowed. Schema (32) + free (16) + root stays under
	// the server's request nesting limit (64), so an answer can be sent back.
	MaxFreeDepth = 16
	// maxFreeKeyLength caps the keys of a free-form object (in characters):
	// keys are names, and a bound keeps a model from writing prose into one.
	maxFreeKeyLength = 256
)

// freeJSON builds the nodes of free-form JSON nested at most depth levels:
// value is any JSON value, object is an object (any string keys, duplicates
// included, as JSON's grammar allows) whose member values are any value one
// level shallower. Arrays and objects hold at most DefaultMaxItems entries
// and strings DefaultMaxStringLength characters, as where a schema sets no
// bound.
func freeJSON(depth int) (value, object *node) {
	key := stringNode(0, maxFreeKeyLength)
	str := stringNode(0, DefaultMaxStringLength)
	num := numberNode(kNumber)
	lit := litNode([][]byte{[]byte("true"), []byte("false"), []byte("null")})
	value = disjointAnyOf(str, num, lit) // depth 0: scalars only
	for range depth {
		object = &node{kind: kObject, free: true, key: key, items: value, maxItems: DefaultMaxItems}
		object.first.add('{')
		array := &node{kind: kArray, items: value, maxItems: DefaultMaxItems}
		array.first.add('[')
		value = disjointAnyOf(object, array, str, num, lit)
	}
	return value, object
}

// disjointAnyOf is makeAnyOf for alternatives known to start with different
// bytes (one per JSON type).
func disjointAnyOf(alts ...*node) *node {
	n := &node{kind: kAnyOf, alts: alts}
	for _, a := range alts {
		n.first.union(a.first)
	}
	return n
}

// stepFreeObject steps a free-form object; f.cnt counts its members. A key
// is a child string frame: when it closes, the next byte (':' or
// whitespace) pops back here in pObjColon.
func stepFreeObject(f *frame, b byte) (result, *node) {
	n := f.n
	switch f.phase {
	case pObjOpen:
		if b == '}' {
			f.phase = pDone
			return rOK, nil
		}
		if b == '"' && n.maxItems > 0 {
			f.phase, f.cnt = pObjColon, 1
			return rPush, n.key
		}
	case pObjColon:
		if b == ':' {
			f.phase = pObjValue
			return rOK, nil
		}
	case pObjValue:
		f.phase = pObjAfter
		return rPush, n.items
	case pObjAfter:
		if b == ',' && f.cnt < n.maxItems {
			f.phase = pObjComma
			return rOK, nil
		}
		if b == '}' {
			f.phase = pDone
			return rOK, nil
		}
	case pObjComma:
		if b == '"' {
			f.phase, f.cnt = pObjColon, f.cnt+1
			return rPush, n.key
		}
	}
	return rReject, nil
}
