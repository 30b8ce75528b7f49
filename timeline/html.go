package timeline

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sync"
	"time"

	"github.com/coop-cloud/chaosrun/interp"
)

var (
	//go:embed page.html
	pageHTML string
	//go:embed explore.html
	exploreHTML string
	//go:embed style.css
	style string
	//go:embed script.js
	script string
)

// page is the page template, parsed the first time a page is written,
// not at every chaosrun start.
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Funcs(template.FuncMap{
		"ms":        func(d time.Duration) int64 { return d.Milliseconds() },
		"dur":       interp.FormatOffset,
		"plotWidth": func() int { return plotWidth },
		"pct":       func(n, of int) string { return percent(n, of) },
	}).Parse(pageHTML + exploreHTML))
})

// pageData is what the page template draws.
type pageData struct {
	Title, Subtitle string
	Style           template.CSS
	Script          template.JS
	Explore         *exploreView
	Cases           []caseView
}

// WriteCases writes a self-contained page of the cases' timelines: no
// file or address outside it is fetched.
func WriteCases(w io.Writer, title string, cases []Case) error {
	data := pageData{Title: title, Subtitle: subtitle(cases)}
	for i, c := range cases {
		data.Cases = append(data.Cases, layout(c, fmt.Sprintf("case%d", i+1)))
	}
	return write(w, data)
}

func write(w io.Writer, data pageData) error {
	data.Style, data.Script = template.CSS(style), template.JS(script)
	return page().ExecuteTemplate(w, "page", data)
}

// subtitle counts the cases that passed.
func subtitle(cases []Case) string {
	passed := 0
	for _, c := range cases {
		if c.Passed {
			passed++
		}
	}
	return fmt.Sprintf("%d of %d cases passed · written by chaosrun", passed, len(cases))
}

// percent is n of a whole as a percentage with one decimal.
func percent(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}
