// Package agentproto is the wire format between the guest rig (package
// guest, on the host) and its agent (in the guest): one JSON object per
// line in each direction over a virtio-serial port.
package agentproto

// PortName is the virtio-serial port name the agent listens on.
const PortName = "gocomp.agent"

// Request ops, host to guest.
const (
	OpStart  = "start"  // run Argv with Env in Dir; stdin is /dev/null
	OpSignal = "signal" // send Signal to process ID
)

// Reply ops, guest to host.
const (
	OpReady   = "ready"   // the agent is up (ID 0)
	OpStarted = "started" // process ID runs as Pid
	OpStdout  = "stdout"  // Data is the next chunk of its stdout
	OpStderr  = "stderr"  // Data is the next chunk of its stderr
	OpExit    = "exit"    // it ended with Code (-1 and Signal when killed); no more output follows
	OpError   = "error"   // the request failed: Err
)

// Request is one host-to-guest message.
type Request struct {
	Op     string   `json:"op"`
	ID     int      `json:"id"`
	Argv   []string `json:"argv,omitempty"`
	Env    []string `json:"env,omitempty"`
	Dir    string   `json:"dir,omitempty"`
	Signal int      `json:"signal,omitempty"`
}

// Reply is one guest-to-host message.
type Reply struct {
	Op     string `json:"op"`
	ID     int    `json:"id"`
	Pid    int    `json:"pid,omitempty"`
	Data   []byte `json:"data,omitempty"`
	Code   int    `json:"code"`
	Signal int    `json:"signal,omitempty"`
	Err    string `json:"err,omitempty"`
}
