package tokenizer

// pqueue is a binary heap of T ordered by less (the least item pops first).
// It avoids container/heap's interface boxing on the merge hot path.
type pqueue[T any] struct {
	items []T
	less  func(a, b T) bool
}

func (q *pqueue[T]) Len() int { return len(q.items) }

func (q *pqueue[T]) Push(x T) {
	q.items = append(q.items, x)
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(q.items[i], q.items[p]) {
			break
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

func (q *pqueue[T]) Pop() T {
	top := q.items[0]
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items = q.items[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && q.less(q.items[l], q.items[m]) {
			m = l
		}
		if r < last && q.less(q.items[r], q.items[m]) {
			m = r
		}
		if m == i {
			break
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
	return top
}
