package main

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/rank"
)

func main() {
	t0 := time.Now()
	src, err := registry.OpenDir(os.Args[1])
	if err != nil {
		panic(err)
	}
	files, _ := src.List()
	t1 := time.Now()
	snap, fs, err := registry.Load(src)
	t2 := time.Now()
	var m0 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	fmt.Println("live after load MB", m0.HeapAlloc>>20)
	r := rank.Rank(snap)
	t3 := time.Now()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Println(len(files), len(fs), err, "list", t1.Sub(t0), "load", t2.Sub(t1), "rank", t3.Sub(t2), "numgc", m.NumGC, "pause", time.Duration(m.PauseTotalNs), "heap", m.HeapAlloc>>20)
	runtime.GC()
	runtime.ReadMemStats(&m)
	fmt.Println("live after gc MB", m.HeapAlloc>>20, len(r.Results), len(snap.Demands))
}
