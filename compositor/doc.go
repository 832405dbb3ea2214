// Package compositor is gocomp's Wayland server: the listening socket, the
// launched client program, the clients and the core globals, all driven
// by one event loop (package loop) and presented on one backend output
// (package backend).
//
// # Wiring
//
// A command builds the pieces and runs them:
//
//	l, _ := loop.New()
//	out, _ := headless.New(l, headless.DefaultMode())
//	srv, _ := compositor.New(l, out, compositor.Config{})
//	status, err := srv.Run(argv) // launches argv, runs the loop
//	srv.Close(); out.Close(); l.Close()
//
// New creates the socket ($XDG_RUNTIME_DIR/wayland-N with its flock'd
// .lock, or Config.Socket), subscribes to SIGTERM, SIGINT and SIGCHLD
// through the loop, and advertises the globals. Run launches the program
// with WAYLAND_DISPLAY set and returns its exit status when it exits, or 0
// after SIGTERM/SIGINT.
//
// # Clients and the loop
//
// The protocol runtime (protocols/server) is loop-agnostic; this package
// drives it: accept drains the listening socket to EAGAIN, each client's
// fd is a loop source that reads and dispatches to EAGAIN, a before-wait
// hook flushes every client with queued output (Display.FlushClients), and
// a client's source watches Writable only while its output backlog exists.
// A client whose backlog would pass Config.MaxClientBuffer is disconnected
// and the log says so.
//
// # Globals
//
// Files are split by concern: compositor.go (wl_compositor and the global
// list), surface.go (wl_surface double-buffered state and commit),
// region.go, subcompositor.go, shm.go (pools and buffers, read through
// internal/shmem so a truncated pool file is a protocol error rather than
// SIGBUS), output.go (wl_output v4), xdg.go (xdg_wm_base v6 under the kiosk
// policy: every toplevel fullscreen at the output size), datadevice.go
// (enough for clients that require it; no transfers yet) and seat.go.
//
// Surfaces copy committed shm contents into compositor memory at commit
// (only the damaged rectangle when the same buffer comes back) and release
// the buffer at once; the backend shows the copy and answers frame
// callbacks at its next refresh.
//
// # Seat
//
// The wl_seat global is backed by a Seat (Config.NewSeat); the default has
// no capabilities. The seat package's *seat.Seat fits the interface and is
// told when toplevels map and unmap, which drives the kiosk focus.
//
// # Not yet
//
// Buffer scale and transform are validated and stored but the headless
// output draws buffers untransformed at scale 1; popups are placed by their positioner without constraint adjustment and
// never grab; there is no ping timeout.
package compositor
