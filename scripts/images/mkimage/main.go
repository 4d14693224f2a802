// Command mkimage writes a single-layer image archive in the docker-archive layout that
// `ctr images import` reads (manifest.json, the image config, one uncompressed layer tar) from a
// root filesystem directory, without Docker. The layer is reproducible: entries sorted by name,
// modification times zeroed, ownership taken from the files (numeric), so the same directory gives
// the same image ID.
//
//	mkimage -rootfs DIR -name docker.io/library/redis:7.4.2 -out redis.tar \
//	  [-entrypoint '["docker-entrypoint.sh"]'] [-cmd '["redis-server"]'] [-env K=V]... \
//	  [-user 999:999] [-workdir /data] [-stopsignal SIGINT] [-label k=v]...
package main

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var (
		rootfs, name, out, entrypoint, cmd, user, workdir, stopSignal string
		env, labels, ports                                            list
	)
	flag.StringVar(&rootfs, "rootfs", "", "root filesystem directory")
	flag.StringVar(&name, "name", "", "image reference (RepoTags)")
	flag.StringVar(&out, "out", "", "archive to write")
	flag.StringVar(&entrypoint, "entrypoint", "", "Entrypoint as a JSON array")
	flag.StringVar(&cmd, "cmd", "", "Cmd as a JSON array")
	flag.StringVar(&user, "user", "", "User (uid[:gid])")
	flag.StringVar(&workdir, "workdir", "", "WorkingDir")
	flag.StringVar(&stopSignal, "stopsignal", "", "StopSignal")
	flag.Var(&env, "env", "Env entry K=V (repeatable)")
	flag.Var(&labels, "label", "label k=v (repeatable)")
	flag.Var(&ports, "expose", "ExposedPorts entry, e.g. 6379/tcp (repeatable)")
	flag.Parse()
	if rootfs == "" || name == "" || out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(rootfs, name, out, entrypoint, cmd, user, workdir, stopSignal, env, labels, ports); err != nil {
		log.Fatalf("mkimage %s: %v", name, err)
	}
}

func jsonArray(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var a []string
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return nil, fmt.Errorf("%q is not a JSON array of strings: %w", s, err)
	}
	return a, nil
}

func run(rootfs, name, out, entrypoint, cmd, user, workdir, stopSignal string, env, labels, ports []string) error {
	ep, err := jsonArray(entrypoint)
	if err != nil {
		return err
	}
	cm, err := jsonArray(cmd)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".mkimage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	layerPath := filepath.Join(tmp, "layer.tar")
	diffID, err := writeLayer(rootfs, layerPath)
	if err != nil {
		return err
	}
	config := map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"created":      time.Unix(0, 0).UTC().Format(time.RFC3339),
		"config": map[string]any{
			"Env":          env,
			"Entrypoint":   ep,
			"Cmd":          cm,
			"User":         user,
			"WorkingDir":   workdir,
			"StopSignal":   stopSignal,
			"Labels":       keyValues(labels),
			"ExposedPorts": portSet(ports),
		},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + diffID}},
		"history": []map[string]any{{"created": time.Unix(0, 0).UTC().Format(time.RFC3339), "created_by": "tcp-platform mkimage"}},
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(configJSON)
	configName := hex.EncodeToString(sum[:]) + ".json"
	if err := os.WriteFile(filepath.Join(tmp, configName), configJSON, 0o644); err != nil {
		return err
	}
	layerName := diffID + "/layer.tar"
	if err := os.MkdirAll(filepath.Join(tmp, diffID), 0o755); err != nil {
		return err
	}
	if err := os.Rename(layerPath, filepath.Join(tmp, layerName)); err != nil {
		return err
	}
	manifest, err := json.Marshal([]map[string]any{{"Config": configName, "RepoTags": []string{name}, "Layers": []string{layerName}}})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "manifest.json"), manifest, 0o644); err != nil {
		return err
	}
	return packDir(tmp, []string{"manifest.json", configName, layerName}, out)
}

func keyValues(kvs []string) map[string]string {
	if len(kvs) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func portSet(ports []string) map[string]struct{} {
	if len(ports) == 0 {
		return nil
	}
	m := map[string]struct{}{}
	for _, p := range ports {
		m[p] = struct{}{}
	}
	return m
}

// writeLayer tars rootfs into path and returns the tar's sha256 (the layer's diff ID).
func writeLayer(rootfs, path string) (string, error) {
	var paths []string
	err := filepath.WalkDir(rootfs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != rootfs {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(paths)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(f, h))
	links := map[uint64]string{} // inode -> first path, for hard links
	for _, p := range paths {
		rel, _ := filepath.Rel(rootfs, p)
		info, err := os.Lstat(p)
		if err != nil {
			return "", err
		}
		target := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			if target, err = os.Readlink(p); err != nil {
				return "", err
			}
		}
		hdr, err := tar.FileInfoHeader(info, target)
		if err != nil {
			return "", err
		}
		hdr.Name = filepath.ToSlash(rel)
		if info.IsDir() {
			hdr.Name += "/"
		}
		hdr.ModTime, hdr.AccessTime, hdr.ChangeTime = time.Unix(0, 0), time.Time{}, time.Time{}
		hdr.Uname, hdr.Gname = "", ""
		hdr.Format = tar.FormatPAX
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
			if info.Mode().IsRegular() && st.Nlink > 1 {
				if first, seen := links[st.Ino]; seen {
					hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
				} else {
					links[st.Ino] = hdr.Name
				}
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return "", err
		}
		if hdr.Typeflag == tar.TypeReg {
			src, err := os.Open(p)
			if err != nil {
				return "", err
			}
			_, err = io.Copy(tw, src)
			src.Close()
			if err != nil {
				return "", err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), f.Close()
}

// packDir writes the named files of dir (in that order) into the archive out, atomically.
func packDir(dir string, names []string, out string) error {
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	dirs := map[string]bool{}
	for _, n := range names {
		if d := filepath.Dir(n); d != "." && !dirs[d] {
			dirs[d] = true
			if err := tw.WriteHeader(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Unix(0, 0)}); err != nil {
				return err
			}
		}
		src, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		st, _ := src.Stat()
		if err := tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o644, Size: st.Size(), ModTime: time.Unix(0, 0)}); err != nil {
			return err
		}
		_, err = io.Copy(tw, src)
		src.Close()
		if err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}
