package main

import (
	"fmt"
	"html"
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<h1>Hello, %s</h1><p>%s (%s)</p><p><a href=\"/auth/logout\">Sign out</a></p>",
			html.EscapeString(r.Header.Get("X-Auth-Name")),
			html.EscapeString(r.Header.Get("X-Auth-Email")),
			html.EscapeString(r.Header.Get("X-Auth-User")))
	})
	log.Println("app listening on http://127.0.0.1:8000")
	log.Fatal(http.ListenAndServe("127.0.0.1:8000", nil))
}
