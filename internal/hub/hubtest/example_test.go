package hubtest_test

import (
	"fmt"
	"io"
	"net/http"

	"github.com/plumewriter/plume/internal/hub/hubtest"
)

// The fake hub answers HEAD on resolve/ with the Hub's headers and a
// redirect to its separate CDN, which refuses any Authorization header.
func Example() {
	h := hubtest.New()
	defer h.Close()
	h.AddFile("acme/Tiny-GGUF", "tiny-Q8_0.gguf", []byte("weights"))

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Head(h.URL + "/acme/Tiny-GGUF/resolve/main/tiny-Q8_0.gguf")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("X-Linked-Size"), resp.Header.Get("X-Linked-Etag") == `"`+hubtest.SHA256([]byte("weights"))+`"`)

	req, _ := http.NewRequest(http.MethodGet, resp.Header.Get("Location"), nil)
	req.Header.Set("Range", "bytes=3-")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Range"), string(body))

	req.Header.Set("Authorization", "Bearer "+h.Token)
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, h.AuthLeaks())
	// Output:
	// 302 7 true
	// 206 bytes 3-6/7 ghts
	// 400 1
}
