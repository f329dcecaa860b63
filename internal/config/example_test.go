package config_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/config"
)

func ExampleFromEnv() {
	env := map[string]string{"HOME": "/home/ada", "HF_HUB_OFFLINE": "1", "PLUME_THREADS": "4"}
	c := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	fmt.Println(c.HubCache)
	fmt.Println(c.Endpoint, c.Offline, c.Threads)
	// Output:
	// /home/ada/.cache/huggingface/hub
	// https://huggingface.co true 4
}
