// Package compositor is gocomp's Wayland server: the listening socket, the
// launched client program, the clients and the core globals, all driven
// by one event loop (package loop) and shown through one backend (package
// backend: headless, nested or DRM).
//
// # Wiring
//
// A command builds the pieces and runs them:
//
//	l, _ := loop.New()
//	b, _ := auto.New(l, auto.Config{...}) // the backend and its input sources
//	srv, _ := compositor.New(l, b, compositor.Config{NewSeat: ...})
//	status, err := srv.Run(argv) // launches argv, runs the loop
//	srv.Close(); l.Close()
//
// New creates the socket ($XDG_RUNTIME_DIR/wayland-N with its flock'd
// .lock, or Config.Socket), subscribes to SIGTERM, SIGINT and SIGCHLD
// through the loop, advertises the globals, creates the seat, starts the
// backend (each output it reports becomes a wl_output global) and starts
// the backend's input sources with the seat as their sink. Run launches
// the program with WAYLAND_DISPLAY set and returns its exit status.
//
// # Ending the session
//
// SIGTERM, SIGINT, Shutdown (the seat's Ctrl+Alt+BackSpace) and the
// backend's Quit all end the session the same way: the program gets
// SIGTERM, the loop keeps serving clients for up to Config.ProgramGrace
// while it exits, then it gets SIGKILL; it is always reaped before Run
// returns, and Run returns its status. A second signal kills it at once.
//
// # Outputs and the picture
//
// Outputs sit side by side in the layout in the order the backend added
// them. Every change to what is visible (a commit, a map, a move, a
// restack, the cursor) adds damage, in layout coordinates, to the outputs
// it touches and asks them for a frame. When the backend says it is time
// (backend.Handler.Frame), the damaged part of the output's picture is
// drawn by package render into the buffer the backend lends, the buffer's
// age telling how much older damage must be redrawn too; when the picture
// is presented, the frame callbacks of the surfaces shown on that output
// are answered. A surface knows the outputs it overlaps, and its client
// gets wl_surface.enter and leave as that changes.
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
// SIGBUS), output.go (outputs, wl_output v4, frames), cursor.go,
// screenshot.go, xdg.go (xdg_wm_base v6 under the kiosk policy: every
// toplevel fullscreen at its output's size, centred when smaller),
// datadevice.go (enough for clients that require it; no transfers yet),
// xdgoutput.go (zxdg_output_manager_v1 v3: logical geometry, name and
// description, ended by wl_output.done from version 3), screencopy.go
// (zwlr_screencopy_manager_v1 v3: a capture waits for the output's next
// presented picture and is drawn into the client's shm buffer, mapped
// writable only for that copy; Config.NoScreencopy removes it) and seat.go
// (the seat contract; a seat that is a VirtualKeyboardSeat also gets
// zwp_virtual_keyboard_manager_v1 unless Config.NoVirtualKeyboard).
//
// Surfaces copy committed shm contents into compositor memory at commit
// (only the damaged rectangle when the same buffer comes back) and release
// the buffer at once; the backend shows the copy and answers frame
// callbacks at its next refresh.
//
// # Seat
//
// The wl_seat global is backed by a Seat (Config.NewSeat); the default has
// no capabilities. The contract is explicit in both directions: the Seat
// interface is what the compositor tells the seat (its version, binds,
// toplevels mapped and unmapped for the kiosk focus, scene changes) and
// the input sink the backend's sources feed; the Scene interface, which
// *Server implements and hands to NewSeat, is what the seat may ask
// (the surface under a point with input regions honoured, a surface's
// origin, the output layout, the cursor). The seat package's *seat.Seat
// fits it.
//
// # Not yet
//
// Buffer scale and transform are validated and stored but surfaces are
// drawn untransformed at scale 1; popups are placed by their positioner
// without constraint adjustment and never grab; there is no ping timeout.
package compositor
