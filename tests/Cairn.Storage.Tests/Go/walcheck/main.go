// walcheck reads and writes WAL and snap files with etcd 3.4's own Go packages (Debian's
// golang-etcd-server-dev, built in GOPATH mode), so Cairn's tests can check that etcd reads what
// Cairn writes and writes what Cairn writes. It prints what it read in a line format the tests parse.
//
//	walcheck read <waldir> <snapIndex> <snapTerm>   OpenForRead + ReadAll, Verify, ValidSnapshotEntries
//	walcheck snap <snapdir>                         Snapshotter.Load, and snap.Read of every .snap file
//	walcheck write <waldir> <segmentBytes> <spec.json>   replay a spec through wal.Create/Save/SaveSnapshot
//	walcheck writesnap <snapdir> <spec.json>        Snapshotter.SaveSnap of one snapshot
//	walcheck v2store <store.json>                   v2store Recovery then Save: etcd's JSON for that store
//	walcheck repair <waldir>                        wal.Repair: cut a torn last record off; prints "repair true|false"
package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.etcd.io/etcd/etcdserver/api/snap"
	"go.etcd.io/etcd/etcdserver/api/v2store"
	"go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"
)

type entrySpec struct {
	Term  uint64 `json:"term"`
	Index uint64 `json:"index"`
	Type  int32  `json:"type"`
	Data  []byte `json:"data"`
}

type stateSpec struct {
	Term   uint64 `json:"term"`
	Vote   uint64 `json:"vote"`
	Commit uint64 `json:"commit"`
}

type opSpec struct {
	Save *struct {
		State   stateSpec   `json:"state"`
		Entries []entrySpec `json:"entries"`
	} `json:"save"`
	Snapshot *struct {
		Index uint64 `json:"index"`
		Term  uint64 `json:"term"`
	} `json:"snapshot"`
	Release *uint64 `json:"release"`
}

type walSpec struct {
	Metadata []byte   `json:"metadata"`
	Ops      []opSpec `json:"ops"`
}

type snapSpec struct {
	Data      []byte   `json:"data"`
	Index     uint64   `json:"index"`
	Term      uint64   `json:"term"`
	Voters    []uint64 `json:"voters"`
	Learners  []uint64 `json:"learners"`
	AutoLeave bool     `json:"autoLeave"`
}

func main() {
	if len(os.Args) < 3 {
		fail("usage: walcheck read|snap|write|writesnap|v2store|repair ...")
	}
	switch os.Args[1] {
	case "read":
		index, term := parseUint(os.Args[3]), parseUint(os.Args[4])
		readWAL(os.Args[2], walpb.Snapshot{Index: index, Term: term})
	case "snap":
		readSnaps(os.Args[2])
	case "write":
		writeWAL(os.Args[2], int64(parseUint(os.Args[3])), os.Args[4])
	case "writesnap":
		writeSnap(os.Args[2], os.Args[3])
	case "v2store":
		resaveV2Store(os.Args[2])
	case "repair":
		fmt.Printf("repair %t\n", wal.Repair(zap.NewNop(), os.Args[2]))
	default:
		fail("unknown command " + os.Args[1])
	}
}

func readWAL(dir string, at walpb.Snapshot) {
	lg := zap.NewNop()
	w, err := wal.OpenForRead(lg, dir, at)
	if err != nil {
		fail("open: " + err.Error())
	}
	metadata, state, ents, err := w.ReadAll()
	w.Close()
	if err != nil {
		fail("readall: " + err.Error())
	}
	fmt.Printf("metadata %s\n", hexOrDash(metadata))
	fmt.Printf("state %d %d %d\n", state.Term, state.Vote, state.Commit)
	for _, e := range ents {
		fmt.Printf("entry %d %d %d %s\n", e.Term, e.Index, int32(e.Type), hexOrDash(e.Data))
	}
	if err := wal.Verify(lg, dir, at); err != nil {
		fmt.Printf("verify %s\n", err)
	} else {
		fmt.Println("verify ok")
	}
	snaps, err := wal.ValidSnapshotEntries(lg, dir)
	if err != nil {
		fail("validsnapshotentries: " + err.Error())
	}
	parts := []string{}
	for _, s := range snaps {
		parts = append(parts, fmt.Sprintf("%d:%d", s.Index, s.Term))
	}
	fmt.Printf("validsnaps %s\n", strings.Join(parts, " "))
}

func readSnaps(dir string) {
	lg := zap.NewNop()
	names, err := filepath.Glob(filepath.Join(dir, "*.snap"))
	if err != nil {
		fail(err.Error())
	}
	sort.Strings(names)
	for _, name := range names {
		s, err := snap.Read(lg, name)
		if err != nil {
			fmt.Printf("file %s error %s\n", filepath.Base(name), err)
			continue
		}
		fmt.Printf("file %s %s\n", filepath.Base(name), describeSnap(s))
	}
	s, err := snap.New(lg, dir).Load()
	if err != nil {
		fmt.Printf("load error %s\n", err)
		return
	}
	fmt.Printf("load %s\n", describeSnap(s))
}

func describeSnap(s *raftpb.Snapshot) string {
	m := s.Metadata
	return fmt.Sprintf("index %d term %d voters %v learners %v autoleave %v data %s",
		m.Index, m.Term, m.ConfState.Voters, m.ConfState.Learners, m.ConfState.AutoLeave, hexOrDash(s.Data))
}

func writeWAL(dir string, segmentBytes int64, specPath string) {
	var spec walSpec
	readJSON(specPath, &spec)
	wal.SegmentSizeBytes = segmentBytes
	w, err := wal.Create(zap.NewNop(), dir, spec.Metadata)
	if err != nil {
		fail("create: " + err.Error())
	}
	for _, op := range spec.Ops {
		switch {
		case op.Save != nil:
			ents := make([]raftpb.Entry, 0, len(op.Save.Entries))
			for _, e := range op.Save.Entries {
				ents = append(ents, raftpb.Entry{Term: e.Term, Index: e.Index, Type: raftpb.EntryType(e.Type), Data: e.Data})
			}
			st := raftpb.HardState{Term: op.Save.State.Term, Vote: op.Save.State.Vote, Commit: op.Save.State.Commit}
			err = w.Save(st, ents)
		case op.Snapshot != nil:
			err = w.SaveSnapshot(walpb.Snapshot{Index: op.Snapshot.Index, Term: op.Snapshot.Term})
		case op.Release != nil:
			err = w.ReleaseLockTo(*op.Release)
		}
		if err != nil {
			fail("op: " + err.Error())
		}
	}
	if err := w.Close(); err != nil {
		fail("close: " + err.Error())
	}
	fmt.Println("written")
}

func writeSnap(dir string, specPath string) {
	var spec snapSpec
	readJSON(specPath, &spec)
	s := raftpb.Snapshot{
		Data: spec.Data,
		Metadata: raftpb.SnapshotMetadata{
			Index:     spec.Index,
			Term:      spec.Term,
			ConfState: raftpb.ConfState{Voters: spec.Voters, Learners: spec.Learners, AutoLeave: spec.AutoLeave},
		},
	}
	if err := snap.New(zap.NewNop(), dir).SaveSnap(s); err != nil {
		fail("savesnap: " + err.Error())
	}
	fmt.Println("written")
}

func resaveV2Store(path string) {
	b, err := ioutil.ReadFile(path)
	if err != nil {
		fail(err.Error())
	}
	st := v2store.New("/0", "/1")
	if err := st.Recovery(b); err != nil {
		fail("recovery: " + err.Error())
	}
	out, err := st.Save()
	if err != nil {
		fail("save: " + err.Error())
	}
	os.Stdout.Write(out)
	fmt.Println()
}

func readJSON(path string, v interface{}) {
	b, err := ioutil.ReadFile(path)
	if err != nil {
		fail(err.Error())
	}
	if err := json.Unmarshal(b, v); err != nil {
		fail("spec: " + err.Error())
	}
}

func hexOrDash(b []byte) string {
	if b == nil {
		return "-"
	}
	return "x" + hex.EncodeToString(b)
}

func parseUint(s string) uint64 {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		fail(err.Error())
	}
	return v
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "walcheck: "+msg)
	os.Exit(1)
}
