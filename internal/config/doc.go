// Package config is the one place where Plume reads its environment.
//
// Every variable Plume honours is listed in Vars with a doc string, and Load
// turns the process environment into a Config value that the other packages
// take as an argument instead of calling os.Getenv themselves. This keeps the
// set of knobs discoverable (plume help prints Vars) and makes every consumer
// testable with a Config built by FromEnv from a map.
//
// The Hugging Face variables (HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN,
// HF_TOKEN_PATH, HF_HUB_OFFLINE) follow huggingface_hub's meaning and defaults,
// so Plume shares the model cache that other tools already use.
package config
