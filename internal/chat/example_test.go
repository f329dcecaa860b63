package chat_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/chat"
	"github.com/plumewriter/plume/internal/llm"
)

func ExampleRender() {
	tmpl := chat.ForModel("", "qwen3", "qwen2") // no template in the GGUF: ChatML fallback
	out, err := chat.Render(tmpl, []llm.Message{
		{Role: "system", Content: "Tu écris des articles de blog."},
		{Role: "user", Content: "Un titre sur les crêpes ?"},
	}, chat.Options{AddGenerationPrompt: true})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Print(out)
	// Output:
	// <|im_start|>system
	// Tu écris des articles de blog.<|im_end|>
	// <|im_start|>user
	// Un titre sur les crêpes ?<|im_end|>
	// <|im_start|>assistant
}

func ExampleRender_hostile() {
	_, err := chat.Render(`{% for i in range(10**9) %}x{% endfor %}`, nil, chat.Options{})
	fmt.Println(err)
	// Output:
	// chat template: range(): template exceeded its sandbox budget: range of 1000000000 items exceeds 100000
}
