// walbench appends entries through etcd 3.4's own WAL (Debian's sources, GOPATH mode): batches of
// entries with a hard state, one Save (one fdatasync) per batch, as Cairn's wal-append workload.
//
//	walbench -batch 10 -entries 30000 -size 256 -dir /tmp
package main

import (
	"flag"
	"fmt"
	"io/ioutil"
	"math"
	"os"
	"time"

	"go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/wal"
	"go.uber.org/zap"
)

func main() {
	batch := flag.Int("batch", 1, "entries per Save")
	total := flag.Int("entries", 2000, "entries in all")
	size := flag.Int("size", 256, "bytes of data per entry")
	parent := flag.String("dir", os.TempDir(), "where to create the WAL")
	noFsync := flag.Bool("no-fsync", false, "skip fdatasync (etcd's --unsafe-no-fsync)")
	flag.Parse()

	dir, err := ioutil.TempDir(*parent, "etcd-walbench-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	walDir := dir + "/wal"

	data := make([]byte, *size)
	for i := range data {
		data[i] = byte(i)
	}
	w, err := wal.Create(zap.NewNop(), walDir, []byte("walbench-metadata"))
	if err != nil {
		panic(err)
	}
	if *noFsync {
		w.SetUnsafeNoFsync()
	}
	ents := make([]raftpb.Entry, 0, *batch)
	start := time.Now()
	index := uint64(0)
	for index < uint64(*total) {
		ents = ents[:0]
		for i := 0; i < *batch && index < uint64(*total); i++ {
			index++
			ents = append(ents, raftpb.Entry{Term: 1, Index: index, Type: raftpb.EntryNormal, Data: data})
		}
		if err := w.Save(raftpb.HardState{Term: 1, Vote: 1, Commit: index}, ents); err != nil {
			panic(err)
		}
	}
	seconds := time.Since(start).Seconds()
	w.Close()
	syncs := math.Ceil(float64(*total) / float64(*batch))
	fsync := "yes"
	if *noFsync {
		fsync = "no"
	}
	fmt.Printf("impl=etcd fsync=%s batch=%d entries=%d size=%d seconds=%.3f entries_per_s=%.0f mb_per_s=%.2f syncs_per_s=%.0f\n",
		fsync, *batch, *total, *size, seconds, float64(*total)/seconds, float64(*total)*float64(*size)/seconds/1e6, syncs/seconds)
}
