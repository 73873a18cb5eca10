package pipeline_test

import (
	"context"
	"fmt"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/render"
)

// Validate, rank and build the bundled sample registry, as another program
// would.
func Example() {
	r, err := pipeline.Open("../demands", pipeline.OpenOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	errs, _ := pipeline.Check(r, nil).Count()
	fmt.Printf("%d demands, %d errors\n", len(r.Snapshot.Demands), errs)

	ranking := rank.Rank(r.Snapshot)
	fmt.Printf("%d ranked\n", len(ranking.Results))

	site, err := pipeline.BuildSite(context.Background(), "../demands", pipeline.SiteOptions{Audience: render.Public})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("public site of %d demands, home page made: %t\n", site.Demands, site.Files["index.html"] != nil)
	// Output:
	// 34 demands, 0 errors
	// 34 ranked
	// public site of 31 demands, home page made: true
}
