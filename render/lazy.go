package render

import "sync"

// Lazy is a site whose pages are made when they are first asked for,
// for demand serve: a rebuild makes only what every page shares (cards,
// boards, groups, links), so that open pages reload as soon as it is
// done, and each page then costs what making it costs, once. Its files
// are those Build makes from the same input, byte for byte.
type Lazy struct {
	b     *builder
	jobs  map[string]*lazyJob // by the paths they make
	order []*lazyJob          // in plan order: the boards first
}

type lazyJob struct {
	job
	once sync.Once
	err  error
}

// BuildLazy plans a site from in (as Build, with no Sink) and makes none
// of its pages yet.
func BuildLazy(in Input, opt Options) (*Lazy, error) {
	opt.Sink = nil
	b, err := newBuilder(in, opt)
	if err != nil {
		return nil, err
	}
	jobs, err := b.plan()
	if err != nil {
		return nil, err
	}
	s := &Lazy{b: b, jobs: map[string]*lazyJob{}}
	for _, j := range jobs {
		lj := &lazyJob{job: j}
		for _, p := range j.paths {
			s.jobs[p] = lj
		}
		s.order = append(s.order, lj)
	}
	b.forget(func(p string) bool { _, ok := s.jobs[p]; return ok })
	return s, nil
}

// Get returns a file of the site, making it (and the files made with it)
// first if need be; false for a path the site does not have, and an error
// when its template fails. Safe for concurrent use.
func (s *Lazy) Get(path string) ([]byte, bool, error) {
	if j := s.jobs[path]; j != nil {
		j.once.Do(func() { j.err = j.safeRun() })
		if j.err != nil {
			return nil, false, j.err
		}
	}
	s.b.mu.Lock()
	data, ok := s.b.files[path]
	s.b.mu.Unlock()
	return data, ok, nil
}

// Warm makes the pages no one asked for yet, the boards first, until
// stop says to stop (a newer build is there): demand serve warms them
// while the user reads, so that the next page opened is ready, and the
// page cache knows every page for the next rebuild. Rare files (the
// exports) are left to be made when asked for. Errors are left for Get to
// report.
func (s *Lazy) Warm(stop func() bool) {
	for _, j := range s.order {
		if j.rare {
			continue
		}
		if stop() {
			return
		}
		j.once.Do(func() { j.err = j.safeRun() })
	}
}

// Demands is how many demands the site shows.
func (s *Lazy) Demands() int { return len(s.b.order) }
