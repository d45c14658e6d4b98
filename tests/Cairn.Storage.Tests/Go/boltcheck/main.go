// boltcheck reads and writes bbolt files with Debian's go.etcd.io/bbolt, for Cairn's
// cross-checks. Built in GOPATH mode by the tests.
//
// Both open with a 2 s lock timeout, so a file another process holds fails with "timeout".
//
//	boltcheck dump <db>     Check() the file, then print every bucket and key (hex), depth first.
//	boltcheck write <db> [nofreelistsync]
//	                        Apply a script read from stdin (one command a line, hex arguments):
//	                          begin | commit | rollback
//	                          mkbucket <path> | delbucket <path> | seq <path> <n>
//	                          put <path> <key> <value> | del <path> <key>
//	                        A path is bucket names in hex joined by '/'; "-" is the empty string.
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: boltcheck dump|write <db>")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "dump":
		err = dump(os.Args[2])
	case "write":
		err = write(os.Args[2], len(os.Args) > 3 && os.Args[3] == "nofreelistsync")
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func h(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

func unh(s string) []byte {
	if s == "-" {
		return []byte{}
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func dump(path string) error {
	db, err := bolt.Open(path, 0600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	return db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			fmt.Fprintln(out, "check", e)
		}
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return dumpBucket(out, h(name), b)
		})
	})
}

func dumpBucket(out *bufio.Writer, path string, b *bolt.Bucket) error {
	fmt.Fprintf(out, "bucket %s %d\n", path, b.Sequence())
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil {
			if err := dumpBucket(out, path+"/"+h(k), b.Bucket(k)); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(out, "key %s %s %s\n", path, h(k), h(v))
	}
	return nil
}

type parent interface {
	Bucket(name []byte) *bolt.Bucket
	CreateBucket(name []byte) (*bolt.Bucket, error)
	DeleteBucket(name []byte) error
}

func resolve(tx *bolt.Tx, path string) (parent, []byte) {
	names := strings.Split(path, "/")
	var p parent = tx
	for _, n := range names[:len(names)-1] {
		b := p.Bucket(unh(n))
		if b == nil {
			panic("no bucket " + path)
		}
		p = b
	}
	return p, unh(names[len(names)-1])
}

func bucket(tx *bolt.Tx, path string) *bolt.Bucket {
	p, name := resolve(tx, path)
	b := p.Bucket(name)
	if b == nil {
		panic("no bucket " + path)
	}
	return b
}

func write(path string, noFreelistSync bool) error {
	db, err := bolt.Open(path, 0600, &bolt.Options{NoFreelistSync: noFreelistSync, Timeout: 2 * time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	var tx *bolt.Tx
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "begin":
			if tx, err = db.Begin(true); err != nil {
				return err
			}
		case "commit":
			if err = tx.Commit(); err != nil {
				return err
			}
		case "rollback":
			if err = tx.Rollback(); err != nil {
				return err
			}
		case "mkbucket":
			p, name := resolve(tx, f[1])
			if _, err = p.CreateBucket(name); err != nil {
				return err
			}
		case "delbucket":
			p, name := resolve(tx, f[1])
			if err = p.DeleteBucket(name); err != nil {
				return err
			}
		case "seq":
			n, _ := strconv.ParseUint(f[2], 10, 64)
			if err = bucket(tx, f[1]).SetSequence(n); err != nil {
				return err
			}
		case "put":
			if err = bucket(tx, f[1]).Put(unh(f[2]), unh(f[3])); err != nil {
				return err
			}
		case "del":
			if err = bucket(tx, f[1]).Delete(unh(f[2])); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown command %q", f[0])
		}
	}
	return in.Err()
}
