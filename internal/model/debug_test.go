package model

import (
	"context"
	"testing"
)

func TestDebugRows(t *testing.T) {
	for _, c := range []struct{ name string; row int }{{"synth-llama-Q4_0", 34}, {"synth-qwen3-Q8_0", 17}, {"synth-llama-F16", 3}} {
		g := readGolden(t, c.name)
		_, m := openModel(t, goldenModelPath(t, g))
		ids := append(append([]int32{}, g.PromptIDs...), g.GreedyIDs[:len(g.GreedyIDs)-1]...)
		s, _ := m.NewState(len(ids))
		logits, _ := m.Forward(context.Background(), nil, s, ids, true)
		V := m.Config.Vocab
		for _, r := range []int{c.row - 1, c.row, c.row + 1, c.row + 5} {
			lp := logSoftmax64(logits[r*V : (r+1)*V])
			for _, e := range g.Rows[r].Top {
				t.Logf("%s row %d id %d: golden %.6f ours %.6f (logit %.4f)", c.name, r, int(e[0]), e[1], lp[int(e[0])], logits[r*V+int(e[0])])
			}
		}
	}
}
