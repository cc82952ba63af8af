package pulumicmd

import (
	"bytes"
	"io"
	"os"
	"sync"
	"time"
)

// spool is a CLI's stdout or stderr: a file the CLI writes to directly, and
// a reader that copies what it writes to the caller's writers as it comes.
// A file, unlike a pipe, never breaks: should the process that started the
// CLI die (a panic, SIGKILL), the CLI's next write does not kill it with
// SIGPIPE, so it can still finish its step, save the stack and unlock it.
type spool struct {
	f    *os.File // the CLI's end
	r    *os.File
	to   io.Writer
	buf  bytes.Buffer
	stop chan struct{}
	done sync.WaitGroup
}

// tailEvery is how often a spool looks for new output.
const tailEvery = 50 * time.Millisecond

func newSpool(writers []io.Writer) (*spool, error) {
	f, err := os.CreateTemp("", "pulumi-out-*")
	if err != nil {
		return nil, err
	}
	r, err := os.Open(f.Name())
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	// The name is not needed once both ends are open.
	_ = os.Remove(f.Name())
	s := &spool{f: f, r: r, stop: make(chan struct{})}
	s.to = io.MultiWriter(append(append([]io.Writer(nil), writers...), &s.buf)...)
	return s, nil
}

// start copies the output until finish.
func (s *spool) start() {
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		chunk := make([]byte, 32*1024)
		for {
			n, err := s.r.Read(chunk)
			if n > 0 {
				_, _ = s.to.Write(chunk[:n])
				continue
			}
			if err != nil && err != io.EOF {
				return
			}
			select {
			case <-s.stop:
				// The CLI has exited: copy the rest and end.
				_, _ = io.Copy(s.to, s.r)
				return
			case <-time.After(tailEvery):
			}
		}
	}()
}

// finish waits for the copy of everything written and returns it.
func (s *spool) finish() string {
	close(s.stop)
	s.done.Wait()
	s.f.Close()
	s.r.Close()
	return s.buf.String()
}
