package writer_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/sources"
	"github.com/plumewriter/plume/internal/writer"
	"github.com/plumewriter/plume/internal/writer/citation"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// A grounded article: the outline and the sections are written from the
// sources' passages, citations are checked, and the References section
// lists only the cited sources. The scripted generator quotes the first
// passage it is given (a supported citation) and adds an invented sentence
// citing it too (removed by the check).
func ExamplePipeline_Run_sources() {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	srcs := []sources.Source{
		{Origin: "compost.md", File: "compost.md", Kind: sources.KindMarkdown, Title: "Le compost", Retrieved: at, SHA256: "…",
			Text: "# Le compost\n\nOn mélange une part de déchets verts pour deux parts de déchets bruns.\n\n## Retourner le tas\n\nRetourner le tas toutes les trois semaines apporte de l'air aux bactéries."},
		{Origin: "https://example.org/vers", URL: "https://example.org/vers", Kind: sources.KindHTML, Title: "Les vers au travail",
			Author: "Jeanne Jardinier", Retrieved: at, SHA256: "…",
			Text: "Les vers du fumier transforment les épluchures en lombricompost en deux mois."},
		{Origin: "impots.txt", File: "impots.txt", Kind: sources.KindText, Retrieved: at, SHA256: "…",
			Text: "La déclaration trimestrielle est due à la fin du mois suivant."},
	}
	passage := regexp.MustCompile(`(?m)^\[(\d+)\] \([^)]*\) ([^.]*)\.`)
	gen := &fakegen.Generator{Script: func(_ int, req llm.Request) (string, bool) {
		user := req.Messages[len(req.Messages)-1].Content
		switch {
		case strings.Contains(user, "Crée le plan"):
			return `{"title":"Le compost au jardin","intro":["Pourquoi composter","Ce que dit cet article"],"sections":[` +
				`{"heading":"Le tas et l'air","points":["Retourner le tas","Apporter de l'air aux bactéries"]},` +
				`{"heading":"Les vers du fumier","points":["Les vers transforment les épluchures","Le lombricompost"]}]}`, true
		case req.JSONSchema == citation.Schema:
			_, p, _ := strings.Cut(user, "<<<\n")
			return `{"verdict":"supported","span":` + strconv.Quote(strings.SplitAfter(p, ".")[0]) + `}`, true
		case req.JSONSchema == nil:
			if m := passage.FindStringSubmatch(user); m != nil {
				return m[2] + " [" + m[1] + "]. Les abeilles dansent sur la lune [" + m[1] + "].", true
			}
		}
		return "", false
	}}
	p := &writer.Pipeline{Gen: gen, Version: "example", Now: func() time.Time { return at }}
	noNotice := false // the article's last lines are the References here
	st, err := p.NewState(writer.Options{Topic: "Le compost au jardin", Lang: "fr", Words: 300, Seed: 1,
		Sampling: sample.DefaultParams(), Sources: srcs, AINotice: &noNotice})
	if err != nil {
		fmt.Println(err)
		return
	}
	art, err := p.Run(context.Background(), st)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(art.Body)
	c := art.Quality.Citations
	fmt.Printf("phrases citées : %d sur %d ; vérifiées : %d (%d étayées, %d retirées)\n", c.Cited, c.Sentences, c.Checked, c.Supported, c.Unsupported)
	fmt.Printf("retirée : %q [%d] (%s)\n", c.Removed[0].Sentence, c.Removed[0].Passage, c.Removed[0].Reason)
	fmt.Println("jamais utilisées :", c.Unused)
	// Output:
	// On mélange une part de déchets verts pour deux parts de déchets bruns [1]. Les abeilles dansent sur la lune.
	//
	// ## Le tas et l'air
	//
	// Retourner le tas toutes les trois semaines apporte de l'air aux bactéries [1]. Les abeilles dansent sur la lune.
	//
	// ## Les vers du fumier
	//
	// Les vers du fumier transforment les épluchures en lombricompost en deux mois [2]. Les abeilles dansent sur la lune.
	//
	// ## Références
	//
	// 1. Le compost (compost.md), consulté le 2026-12-01.
	// 2. [Les vers au travail](<https://example.org/vers>), Jeanne Jardinier, consulté le 2026-12-01.
	// phrases citées : 3 sur 6 ; vérifiées : 6 (3 étayées, 3 retirées)
	// retirée : "Les abeilles dansent sur la lune." [1] (lexical overlap 0.00 under the floor 0.25)
	// jamais utilisées : [impots.txt]
}
