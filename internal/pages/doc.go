// Package pages owns the HTML pages the handler shows itself (errors, the
// provider choice, the not-admitted page): the built-in template, the Page
// it renders, the site's own templates that may replace it (Set, loaded
// from the `pages` directory and checked on sample data), and the headers
// every page is sent with (no sniffing, a Content-Security-Policy that
// allows no script and no framing). What a page says and where its links
// lead is the caller's choice.
//
// It speaks net/http and html/template only; it must not import Caddy or
// the module's root package.
package pages
