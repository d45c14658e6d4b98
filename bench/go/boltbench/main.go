// boltbench runs Cairn's bolt engine workloads against Debian's go.etcd.io/bbolt so that
// bench/bolt.sh can print both side by side. Keys are etcd revision keys (8-byte big-endian
// main, '_', 8-byte big-endian sub: 17 bytes), values 300 bytes.
//
// Output: one line per workload, "RESULT <name> <ops> <seconds> <bytes>", best of -rounds.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

const valueSize = 300

var bucketName = []byte("key")

func key(i int) []byte {
	k := make([]byte, 17)
	binary.BigEndian.PutUint64(k, uint64(i))
	k[8] = '_'
	return k
}

type result struct {
	ops     int
	seconds float64
	bytes   int64
}

func main() {
	dir := flag.String("dir", os.TempDir(), "directory for database files")
	n := flag.Int("n", 200000, "keys per workload")
	rounds := flag.Int("rounds", 3, "rounds; the best is reported")
	noSync := flag.Bool("nosync", false, "skip fdatasync on commit")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0755); err != nil {
		panic(err)
	}

	value := make([]byte, valueSize)
	rand.New(rand.NewSource(1)).Read(value)
	order := rand.New(rand.NewSource(2)).Perm(*n)

	best := map[string]result{}
	names := []string{}
	record := func(name string, r result) {
		if _, ok := best[name]; !ok {
			names = append(names, name)
		}
		if b, ok := best[name]; !ok || r.seconds < b.seconds {
			best[name] = r
		}
	}

	// Round 0 is a warm-up, not reported (as in the C# workload, whose JIT needs it).
	for round := 0; round <= *rounds; round++ {
		size, roundOrder := *n, order
		rec := record
		if round == 0 {
			rec = func(string, result) {}
		}
		path := filepath.Join(*dir, fmt.Sprintf("go-%d.db", round))
		db := open(path, *noSync)
		rec("put-seq-batch-1000", put(db, size, 1000, nil, value))
		rec("get-random", get(db, size, roundOrder))
		rec("scan-cursor", scan(db, size))
		db.Close()
		os.Remove(path)

		db = open(path, *noSync)
		rec("put-seq-batch-10000", put(db, size, 10000, nil, value))
		db.Close()
		os.Remove(path)

		db = open(path, *noSync)
		rec("put-random-batch-1000", put(db, size, 1000, roundOrder, value))
		db.Close()
		os.Remove(path)
	}
	for _, name := range names {
		r := best[name]
		fmt.Printf("RESULT %s %d %.6f %d\n", name, r.ops, r.seconds, r.bytes)
	}
}

func open(path string, noSync bool) *bolt.DB {
	os.Remove(path)
	db, err := bolt.Open(path, 0600, &bolt.Options{NoSync: noSync})
	if err != nil {
		panic(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket(bucketName)
		return err
	}); err != nil {
		panic(err)
	}
	return db
}

func put(db *bolt.DB, n, batch int, order []int, value []byte) result {
	start := time.Now()
	for i := 0; i < n; i += batch {
		tx, err := db.Begin(true)
		if err != nil {
			panic(err)
		}
		b := tx.Bucket(bucketName)
		for j := i; j < i+batch && j < n; j++ {
			id := j
			if order != nil {
				id = order[j]
			}
			if err := b.Put(key(id), value); err != nil {
				panic(err)
			}
		}
		if err := tx.Commit(); err != nil {
			panic(err)
		}
	}
	return result{n, time.Since(start).Seconds(), int64(n) * (17 + valueSize)}
}

func get(db *bolt.DB, n int, order []int) result {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = key(order[i])
	}
	var total int64
	start := time.Now()
	if err := db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketName)
		for _, k := range keys {
			v := b.Get(k)
			if v == nil {
				panic("missing key")
			}
			total += int64(len(k) + len(v))
		}
		return nil
	}); err != nil {
		panic(err)
	}
	return result{n, time.Since(start).Seconds(), total}
}

func scan(db *bolt.DB, n int) result {
	var total int64
	count := 0
	start := time.Now()
	if err := db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketName).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			total += int64(len(k) + len(v))
			count++
		}
		return nil
	}); err != nil {
		panic(err)
	}
	if count != n {
		panic("scan saw the wrong number of keys")
	}
	return result{n, time.Since(start).Seconds(), total}
}
